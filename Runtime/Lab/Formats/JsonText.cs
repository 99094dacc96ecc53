using System;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Ahwa.Lab.Formats;

/// <summary>Indented JSON documents written by hand (stable field order, invariant numbers), ending in a newline.</summary>
public static class JsonText
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            body(json);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
