namespace Ahwa.Hardware;

/// <summary>
/// The arithmetic contract's FP16 conversions, bit for bit (docs/arithmetic-contract.md). The C kernels
/// contain the same algorithm (or the Zfh instructions, which agree with it), and the managed reference
/// uses this class.
/// </summary>
public static class Fp16
{
    public const ushort CanonicalNaN = 0x7E00;
    public const uint CanonicalNaN32 = 0x7FC00000;

    /// <summary>FP16 to FP32: exact for every finite value, subnormals included; NaN becomes the canonical quiet NaN.</summary>
    public static uint ToSingleBits(ushort h)
    {
        uint sign = (uint)(h & 0x8000) << 16;
        uint exponent = (uint)(h >> 10) & 0x1F;
        uint mantissa = (uint)h & 0x3FF;
        if (exponent == 0x1F) return mantissa != 0 ? CanonicalNaN32 : sign | 0x7F800000;
        if (exponent == 0)
        {
            if (mantissa == 0) return sign;
            exponent = 113;
            while ((mantissa & 0x400) == 0)
            {
                mantissa <<= 1;
                exponent--;
            }
            return sign | (exponent << 23) | ((mantissa & 0x3FF) << 13);
        }
        return sign | ((exponent + 112) << 23) | (mantissa << 13);
    }

    /// <summary>FP32 to FP16, round to nearest even; overflow to infinity (from 65520 up), subnormals exact,
    /// NaN to the canonical 0x7E00.</summary>
    public static ushort FromSingleBits(uint x)
    {
        uint sign = (x >> 16) & 0x8000;
        uint abs = x & 0x7FFFFFFF;
        if (abs > 0x7F800000) return CanonicalNaN;
        if (abs >= 0x477FF000) return (ushort)(sign | 0x7C00);
        if (abs >= 0x38800000)
        {
            uint rebased = abs - 0x38000000;
            return (ushort)(sign | ((rebased + 0x0FFF + ((rebased >> 13) & 1)) >> 13));
        }
        if (abs < 0x33000000) return (ushort)sign;
        uint shift = 126 - (abs >> 23);
        uint mantissaWithOne = (abs & 0x7FFFFF) | 0x800000;
        uint result = mantissaWithOne >> (int)shift;
        uint remainder = mantissaWithOne & ((1u << (int)shift) - 1);
        uint half = 1u << (int)(shift - 1);
        if (remainder > half || (remainder == half && (result & 1) != 0)) result++;
        return (ushort)(sign | result);
    }

    public static unsafe float ToSingle(ushort h)
    {
        uint bits = ToSingleBits(h);
        return *(float*)&bits;
    }

    public static unsafe ushort FromSingle(float value) => FromSingleBits(*(uint*)&value);

    public static unsafe uint Bits(float value) => *(uint*)&value;
}
