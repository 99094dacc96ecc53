using System;
using System.Numerics;
using Ahwa.Hardware;

namespace Ahwa.Targets.Tests;

/// <summary>The matrix engine's FP16 fused multiply-add against hand-computed cases and an exact rational oracle.</summary>
public class EngineArithmeticTests
{
    /// <summary>fp16(x w + z) computed exactly with integers in units of 2^-48 (every finite FP16 product and sum is
    /// a multiple of it), then rounded to nearest, ties to even.</summary>
    static ushort Exact(ushort x, ushort w, ushort z)
    {
        var (mx, ex) = Decode(x);
        var (mw, ew) = Decode(w);
        var (mz, ez) = Decode(z);
        BigInteger sum = (mx * mw << (ex + ew + 48)) + (mz << (ez + 48));
        bool productNegative = ((x ^ w) & 0x8000) != 0;
        if (sum.IsZero)
        {
            bool bothZero = mx * mw == 0 && mz == 0;
            return (ushort)(bothZero && productNegative && (z & 0x8000) != 0 ? 0x8000 : 0);
        }
        int sign = sum.Sign < 0 ? 0x8000 : 0;
        var magnitude = BigInteger.Abs(sum);
        int exponent = (int)magnitude.GetBitLength() - 1 - 48;
        int quantum = Math.Max(exponent - 10, -24);
        int shift = quantum + 48;
        var kept = magnitude >> shift;
        var rest = magnitude - (kept << shift);
        var half = BigInteger.One << (shift - 1);
        if (rest > half || (rest == half && !kept.IsEven)) kept += 1;
        float value = (float)Math.ScaleB((double)kept, quantum);
        return (ushort)(Fp16.FromSingle(value) | sign);
    }

    static (BigInteger Mantissa, int Exponent) Decode(ushort h)
    {
        int e = (h >> 10) & 0x1F, f = h & 0x3FF;
        BigInteger m = e == 0 ? f : f | 0x400;
        return ((h & 0x8000) != 0 ? -m : m, e == 0 ? -24 : e - 25);
    }

    static ushort Naive(ushort x, ushort w, ushort z) => Fp16.FromSingle(Fp16.ToSingle(x) * Fp16.ToSingle(w) + Fp16.ToSingle(z));

    [Theory]
    [InlineData(0x3C00, 0x3C00, 0x3C00, 0x4000)] // 1 x 1 + 1 = 2
    [InlineData(0x3DAA, 0x2A7D, 0x3C01, 0x3C4B)] // rounded once; an FP32 sum rounded again gives 0x3C4A
    [InlineData(0x1A51, 0x3111, 0x3C00, 0x3C01)] // just above the tie 1 + 2^-11: up (twice rounded: 1.0)
    [InlineData(0x3F07, 0x13F8, 0xBC00, 0xBBFD)] // -1 + 0.0017...: twice rounded gives 0xBBFC
    [InlineData(0x7BFF, 0x4000, 0x0000, 0x7C00)] // 65504 x 2 overflows to infinity
    [InlineData(0x7BFF, 0x3C00, 0x4800, 0x7BFF)] // 65504 + 8 is below the tie 65520: stays at the maximum
    [InlineData(0x7BFF, 0x3C00, 0x4C00, 0x7C00)] // 65504 + 16 is the tie 65520: to even, infinity
    [InlineData(0x7C00, 0x0000, 0x3C00, 0x7E00)] // inf x 0: canonical NaN
    [InlineData(0x7C00, 0x3C00, 0xFC00, 0x7E00)] // inf - inf: canonical NaN
    [InlineData(0x7C01, 0x3C00, 0x0000, 0x7E00)] // a NaN operand: canonical NaN
    [InlineData(0x8000, 0x3C00, 0x8000, 0x8000)] // -0 x 1 + -0 = -0
    [InlineData(0x3C00, 0xBC00, 0x3C00, 0x0000)] // 1 x -1 + 1 = +0
    [InlineData(0x0001, 0x3C00, 0x0000, 0x0001)] // smallest subnormal kept
    [InlineData(0x0001, 0x3800, 0x0000, 0x0000)] // 2^-25: the tie between 0 and 2^-24, to even 0
    [InlineData(0x0001, 0x3E00, 0x0000, 0x0002)] // 1.5 x 2^-24: the tie, to even 2 x 2^-24
    public void HandComputedCases(int x, int w, int z, int expected)
    {
        Assert.Equal((ushort)expected, EngineArithmetic.Fma((ushort)x, (ushort)w, (ushort)z));
    }

    [Fact]
    public void TheHandCasesThatNeedOneRoundingDifferFromAnFp32SumRoundedAgain()
    {
        Assert.Equal((ushort)0x3C4A, Naive(0x3DAA, 0x2A7D, 0x3C01));
        Assert.Equal((ushort)0x3C00, Naive(0x1A51, 0x3111, 0x3C00));
    }

    [Fact]
    public void AgreesWithTheExactOracleOnRandomFiniteOperands()
    {
        var random = new Random(15);
        int checkedCount = 0, twiceRoundedDiffers = 0;
        for (int i = 0; i < 300_000; i++)
        {
            // Whole finite range for x, w near one and z near one half the time: where double rounding shows.
            ushort x = Finite(random), w = i % 2 == 0 ? (ushort)random.Next(0x1000, 0x3C00) : Finite(random);
            ushort z = i % 3 == 0 ? (ushort)(0x3C00 + random.Next(-4, 4)) : Finite(random);
            var expected = Exact(x, w, z);
            var actual = EngineArithmetic.Fma(x, w, z);
            Assert.True(expected == actual, $"fma16(0x{x:X4}, 0x{w:X4}, 0x{z:X4}) = 0x{actual:X4}, exactly 0x{expected:X4}");
            if (Naive(x, w, z) != expected) twiceRoundedDiffers++;
            checkedCount++;
        }
        Assert.Equal(300_000, checkedCount);
        Assert.True(twiceRoundedDiffers > 0, "the random set should contain cases where rounding twice differs");
    }

    static ushort Finite(Random random)
    {
        ushort bits;
        do bits = (ushort)random.Next(0, 0x10000); while ((bits & 0x7C00) == 0x7C00);
        return bits;
    }

    [Fact]
    public void AGemmChainsTheInnerDimensionInOrderFromZ()
    {
        // x = [1 2; 3 4], w = [1 0; 0 1] (identity), z = [0.5 0.5; 0.5 0.5]: z + x.
        ushort one = 0x3C00, two = 0x4000, three = 0x4200, four = 0x4400, half = 0x3800, zero = 0;
        var z = new[] { half, half, half, half };
        EngineArithmetic.Gemm(new[] { one, two, three, four }, new[] { one, zero, zero, one }, z, 2, 2, 2);
        Assert.Equal(new ushort[] { 0x3E00, 0x4100, 0x4300, 0x4480 }, z);
        // Order matters: 2048 + 1 + 1 in FP16 is 2048 (each 1 lost to the tie to even), 1 + 1 + 2048 is 2050.
        var ordered = new ushort[] { 0 };
        EngineArithmetic.Gemm(new ushort[] { 0x6800, one, one }, new[] { one, one, one }, ordered, 1, 3, 1);
        Assert.Equal((ushort)0x6800, ordered[0]);
        var reversed = new ushort[] { 0 };
        EngineArithmetic.Gemm(new ushort[] { one, one, 0x6800 }, new[] { one, one, one }, reversed, 1, 3, 1);
        Assert.Equal((ushort)0x6801, reversed[0]);
    }
}
