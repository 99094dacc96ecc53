namespace Ahwa.Hardware;

/// <summary>
/// The matrix engine's arithmetic (docs/arithmetic-contract.md, engine section), bit for bit: RedMulE-class FP16 fused
/// multiply-adds, Z = X W + Z with the sum over the inner dimension in ascending order, each step rounded once to FP16.
/// The C emulation in ahwa_engine.h runs the same algorithm; tests check it against an exact rational oracle.
/// </summary>
public static class EngineArithmetic
{
    /// <summary>fp16(x w + z), rounded once (round to nearest, ties to even), as one FP16 FMA unit computes it.
    /// The product of two FP16 values is exact in FP32; the FP32 sum is made round-to-odd from its exact error
    /// (TwoSum), and a round-to-odd value with 13 or more bits rounds to the correct 11-bit result (Boldo and Melquiond,
    /// "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", IEEE TC 2008).
    /// NaN in or out gives the canonical 0x7E00.</summary>
    public static ushort Fma(ushort x, ushort w, ushort z)
    {
        float p = Fp16.ToSingle(x) * Fp16.ToSingle(w);
        float c = Fp16.ToSingle(z);
        float s = p + c;
        if (float.IsNaN(s) || float.IsInfinity(s)) return Fp16.FromSingle(s);
        float bb = s - p;
        float error = (p - (s - bb)) + (c - bb);
        uint bits = Fp16.Bits(s);
        if (error != 0)
        {
            // Truncate toward zero (one step down in magnitude when the exact sum lies below |s|), then set the last bit.
            if ((error < 0) != (s < 0)) bits -= 1;
            bits |= 1;
        }
        return Fp16.FromSingleBits(bits);
    }

    /// <summary>One engine job, z = x w + z: x is m x n, w is n x k, z is m x k, all row-major FP16; each z element is
    /// the chain z = fma(x[i][l], w[l][j], z) for l = 0 .. n-1 starting from its own value.</summary>
    public static void Gemm(ushort[] x, ushort[] w, ushort[] z, int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++)
            {
                ushort acc = z[i * k + j];
                for (int l = 0; l < n; l++) acc = Fma(x[i * n + l], w[l * k + j], acc);
                z[i * k + j] = acc;
            }
    }
}
