using System;
using System.Text.Json;

namespace Ahwa.Lab.Formats;

/// <summary>The one way Ahwa writes JSON: records serialised by System.Text.Json, indented, ending in a newline.
/// Properties come in declaration order and numbers are invariant (the serializer never uses the culture), so a
/// document's layout is its record's.</summary>
public static class JsonFiles
{
    /// <summary>Ahwa's own reports: camelCase property names.</summary>
    public static readonly JsonSerializerOptions Reports = Frozen(JsonNamingPolicy.CamelCase);

    /// <summary>Formats defined elsewhere in snake_case (PEFT's adapter_config.json).</summary>
    public static readonly JsonSerializerOptions SnakeCase = Frozen(JsonNamingPolicy.SnakeCaseLower);

    public static string Write<T>(T value, JsonSerializerOptions? options = null) =>
        JsonSerializer.Serialize(value, options ?? Reports) + "\n";

    static JsonSerializerOptions Frozen(JsonNamingPolicy naming)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = naming, WriteIndented = true };
        options.MakeReadOnly(populateMissingResolver: true); // shared: nobody may change them after the first document
        return options;
    }
}
