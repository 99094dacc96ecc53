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

    /// <summary>A quoted C# (and JSON-compatible) string literal, for text inside JSON or C documents; generated C#
    /// takes its strings from <see cref="CSharpString"/>.</summary>
    public static string String(string value) => Quoted(value, asciiOnly: false);

    /// <summary>Longest string written as an ordinary C# literal. Ordinary literals of an assembly share the metadata's
    /// user-string heap (16 MiB, two bytes a character; full, it fails the build with CS8103), so longer strings go into
    /// the image as UTF-8 data, which has no such bound, and are decoded once where they are used.</summary>
    public const int MaxInlineStringLength = 1024;

    /// <summary>A C# expression of type string with the value: every string of generated C# goes through here (or
    /// <see cref="CSharpText"/>), so none can grow the user-string heap by more than <see cref="MaxInlineStringLength"/>
    /// characters.</summary>
    public static string CSharpString(string value) => CSharpExpression(value, Quoted(value, asciiOnly: false));

    /// <summary>As <see cref="CSharpString"/>, written verbatim so a multi-line document (JSON, C, Python) stays readable.</summary>
    public static string CSharpText(string value) => CSharpExpression(value, Verbatim(value));

    static string CSharpExpression(string value, string literal) =>
        value.Length <= MaxInlineStringLength || !IsWellFormedUtf16(value)
            ? literal
            : "global::System.Text.Encoding.UTF8.GetString(" + literal + "u8)";

    /// <summary>A UTF-8 literal must encode exactly: a lone surrogate would not compile (CS9026).</summary>
    static bool IsWellFormedUtf16(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }
        return true;
    }

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

    /// <summary>A C# verbatim string literal.</summary>
    static string Verbatim(string value) => "@\"" + value.Replace("\"", "\"\"") + "\"";
}
