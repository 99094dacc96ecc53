using System.Globalization;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Exact C literals: floats as hexadecimal (C99), so no decimal rounding and no culture can change them.</summary>
public static class CLiterals
{
    public static string Float(float value)
    {
        uint bits = Fp16.Bits(value);
        bool negative = (bits >> 31) != 0;
        int exponent = (int)((bits >> 23) & 0xFF);
        uint mantissa = bits & 0x7FFFFF;
        string sign = negative ? "-" : "";
        if (exponent == 0xFF) return mantissa != 0 ? "(0.0f / 0.0f)" : sign + "(1.0f / 0.0f)";
        if (exponent == 0 && mantissa == 0) return sign + "0.0f";
        // 23 mantissa bits written as 6 hex digits (24 bits, shifted left by one).
        string digits = (mantissa << 1).ToString("x6", CultureInfo.InvariantCulture);
        string lead = exponent == 0 ? "0" : "1";
        int power = exponent == 0 ? -126 : exponent - 127;
        return sign + "0x" + lead + "." + digits + "p" + (power < 0 ? "-" : "+") + System.Math.Abs(power).ToString(CultureInfo.InvariantCulture) + "f";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
