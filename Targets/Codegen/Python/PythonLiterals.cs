using System.Globalization;

namespace Ahwa.Codegen;

/// <summary>Culture-invariant Python literals that read back to the same value.</summary>
public static class PythonLiterals
{
    public static string Bool(bool value) => value ? "True" : "False";

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal with every digit ("R"), always with a '.' or an exponent so Python reads a float.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "math.nan";
        if (double.IsPositiveInfinity(value)) return "math.inf";
        if (double.IsNegativeInfinity(value)) return "-math.inf";
        string text = value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
        return text.Contains(".") || text.Contains("e") ? text : text + ".0";
    }

    /// <summary>A double-quoted ASCII string literal.</summary>
    public static string String(string value) => Literals.Quoted(value, asciiOnly: true);
}
