using System;
using System.Collections.Generic;
using System.Text;

namespace Ahwa.Codegen;

/// <summary>Fills <c>{{name}}</c> placeholders of a C template. Every placeholder must have a value, so a
/// renamed one fails generation instead of leaving braces in the C.</summary>
public static class CTemplate
{
    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(template.Length * 2);
        int at = 0;
        while (true)
        {
            int open = template.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0) break;
            int close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0) throw new FormatException($"Unclosed placeholder at offset {open}.");
            string name = template.Substring(open + 2, close - open - 2);
            if (!values.TryGetValue(name, out var value)) throw new KeyNotFoundException($"The template has a placeholder '{{{{{name}}}}}' with no value.");
            result.Append(template, at, open - at).Append(value);
            at = close + 2;
        }
        return result.Append(template, at, template.Length - at).ToString();
    }
}
