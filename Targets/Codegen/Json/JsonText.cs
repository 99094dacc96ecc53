using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Codegen;

/// <summary>A JSON value to write: a literal, or an object or array written across lines or on one line.</summary>
public abstract class JsonValue
{
    private protected JsonValue() { }
}

/// <summary>The one JSON writer of the deployment files (tile_map.json, manifest.json). Codegen ships inside the
/// analyzer on netstandard2.0, where System.Text.Json is not ours to load, so the documents are built as small value
/// trees and written here: stable member order, invariant numbers, '\n' newlines, two-space indents, and short
/// records on one line (<c>{ "id": 0, "rows": 128 }</c>) so a diff shows one tile per line.</summary>
public static class JsonText
{
    sealed class Literal(string text) : JsonValue
    {
        public string Text { get; } = text;
    }

    sealed class ObjectValue(IReadOnlyList<KeyValuePair<string, JsonValue>> members, bool inline) : JsonValue
    {
        public IReadOnlyList<KeyValuePair<string, JsonValue>> Members { get; } = members;
        public bool Inline { get; } = inline;
    }

    sealed class ArrayValue(IReadOnlyList<JsonValue> items, bool inline) : JsonValue
    {
        public IReadOnlyList<JsonValue> Items { get; } = items;
        public bool Inline { get; } = inline;
    }

    public static JsonValue String(string value) => new Literal(Literals.String(value));

    public static JsonValue Int(int value) => new Literal(Literals.Int(value));

    public static JsonValue Long(long value) => new Literal(Literals.Long(value));

    /// <summary>A number with every digit ("R").</summary>
    public static JsonValue Number(double value) => new Literal(Literals.JsonNumber(value));

    /// <summary>An object with a member a line.</summary>
    public static JsonValue Object(params (string Name, JsonValue Value)[] members) => new ObjectValue(Pairs(members), inline: false);

    /// <summary>An object on one line.</summary>
    public static JsonValue Record(params (string Name, JsonValue Value)[] members) => new ObjectValue(Pairs(members), inline: true);

    /// <summary>An array with an item a line.</summary>
    public static JsonValue Array(IEnumerable<JsonValue> items) => new ArrayValue(items.ToList(), inline: false);

    /// <summary>An array on one line.</summary>
    public static JsonValue Row(IEnumerable<JsonValue> items) => new ArrayValue(items.ToList(), inline: true);

    /// <summary>The document's text, ending in a newline.</summary>
    public static string Write(JsonValue document)
    {
        var w = new IndentedWriter("  ");
        Write(w, "", document, "");
        return w.ToString();
    }

    static KeyValuePair<string, JsonValue>[] Pairs((string Name, JsonValue Value)[] members) =>
        members.Select(m => new KeyValuePair<string, JsonValue>(m.Name, m.Value)).ToArray();

    static void Write(IndentedWriter w, string prefix, JsonValue value, string suffix)
    {
        switch (value)
        {
            case ObjectValue { Inline: false } o:
                w.Line(prefix + "{");
                using (w.Indent())
                    for (int i = 0; i < o.Members.Count; i++)
                        Write(w, Literals.String(o.Members[i].Key) + ": ", o.Members[i].Value, i == o.Members.Count - 1 ? "" : ",");
                w.Line("}" + suffix);
                break;
            case ArrayValue { Inline: false } a:
                w.Line(prefix + "[");
                using (w.Indent())
                    for (int i = 0; i < a.Items.Count; i++)
                        Write(w, "", a.Items[i], i == a.Items.Count - 1 ? "" : ",");
                w.Line("]" + suffix);
                break;
            default:
                w.Line(prefix + OneLine(value) + suffix);
                break;
        }
    }

    static string OneLine(JsonValue value) => value switch
    {
        Literal l => l.Text,
        ObjectValue o => "{ " + string.Join(", ", o.Members.Select(m => Literals.String(m.Key) + ": " + OneLine(m.Value))) + " }",
        ArrayValue a => "[" + string.Join(", ", a.Items.Select(OneLine)) + "]",
        _ => throw new System.ArgumentException("Unknown JSON value.", nameof(value)),
    };
}
