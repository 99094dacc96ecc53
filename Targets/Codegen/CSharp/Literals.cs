using System.Globalization;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Culture-invariant, round-trip literals for generated C#, C and JSON.</summary>
public static class Literals
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A C# double literal that parses back to the same bits ("R" keeps every digit).</summary>
    public static string CSharpDouble(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
        return JsonNumber(value) + "d";
    }

    /// <summary>A C# float literal that parses back to the same bits ("G9" always suffices for binary32).</summary>
    public static string CSharpFloat(float value)
    {
        if (float.IsNaN(value)) return "float.NaN";
        if (float.IsPositiveInfinity(value)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(value)) return "float.NegativeInfinity";
        return value.ToString("G9", CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>A JSON number with every digit needed to round-trip.</summary>
    public static string JsonNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A quoted C# (and JSON-compatible) string literal.</summary>
    public static string String(string value) => Quoted(value, asciiOnly: false);

    /// <summary>A double-quoted literal with C-style escapes, which C#, JSON and Python read alike; control characters
    /// (and, when <paramref name="asciiOnly"/>, everything outside printable ASCII) as \uXXXX.</summary>
    internal static string Quoted(string value, bool asciiOnly)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>A C# verbatim string literal, for multi-line constants such as JSON documents.</summary>
    public static string Verbatim(string value) => "@\"" + value.Replace("\"", "\"\"") + "\"";
}
