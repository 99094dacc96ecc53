using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Ahwa.Hardware;
using Ahwa.Runtime;

namespace Ahwa.Lab.Formats;

/// <summary>A named FP32 tensor as plain data.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Data)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>A tensor as its safetensors dtype name, shape and raw little-endian bytes.</summary>
public sealed record RawTensor(string Name, string Dtype, long[] Shape, byte[] Bytes);

/// <summary>Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw
/// little-endian data), FP32 written, FP32 and FP16 read.</summary>
public static class SafeTensors
{
    public static byte[] Serialize(IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Serialize(tensors.Select(t =>
        {
            if (t.Count != t.Data.Length)
                throw new ArgumentException($"Tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Data.Length} values.");
            return new RawTensor(t.Name, "F32", t.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan()).ToArray());
        }), metadata);

    /// <summary>Any dtype, given as its safetensors name and little-endian bytes (e.g. I64 token ids).</summary>
    public static byte[] Serialize(IEnumerable<RawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var pair in (metadata ?? new Dictionary<string, string> { ["format"] = "pt" }).OrderBy(p => p.Key, StringComparer.Ordinal))
                json.WriteString(pair.Key, pair.Value);
            json.WriteEndObject();
            long offset = 0;
            foreach (var tensor in ordered)
            {
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.Dtype);
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Bytes.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Bytes.Length;
            }
            json.WriteEndObject();
        }
        // The header is padded with spaces to a multiple of 8 bytes, as the reference implementation does.
        int headerLength = (int)((header.Length + 7) / 8 * 8);
        using var output = new MemoryStream();
        output.Write(BitConverter.GetBytes((ulong)headerLength));
        output.Write(header.ToArray());
        for (long i = header.Length; i < headerLength; i++) output.WriteByte((byte)' ');
        foreach (var tensor in ordered) output.Write(tensor.Bytes);
        return output.ToArray();
    }

    public static IReadOnlyList<NamedTensor> Deserialize(byte[] bytes, string fileName)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"'{fileName}' is not a safetensors file: {bytes.Length} bytes.");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"'{fileName}': header length {headerLength} exceeds the file ({bytes.Length} bytes).");
        long dataStart = 8 + (long)headerLength;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{fileName}': the header is not valid JSON ({error.Message}).", error);
        }
        using (document)
        {
            var result = new List<NamedTensor>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                try
                {
                    string dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
                    long[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    long[] offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                    long count = shape.Aggregate(1L, (a, b) => a * b);
                    int width = dtype switch { "F32" => 4, "F16" => 2, _ => throw new InvalidDataException($"'{fileName}': tensor '{entry.Name}' has dtype {dtype}; only F32 and F16 are supported.") };
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length || offsets[1] - offsets[0] != count * width)
                        throw new InvalidDataException($"'{fileName}': tensor '{entry.Name}' has data offsets [{string.Join(", ", offsets)}] that do not match its shape [{string.Join(", ", shape)}] ({dtype}) and the file size {bytes.Length}.");
                    var data = new float[count];
                    int start = (int)(dataStart + offsets[0]);
                    if (width == 4) Buffer.BlockCopy(bytes, start, data, 0, (int)(count * 4));
                    else for (int i = 0; i < count; i++) data[i] = Fp16.ToSingle(BitConverter.ToUInt16(bytes, start + 2 * i));
                    foreach (var value in data)
                        if (!float.IsFinite(value)) throw new InvalidDataException($"'{fileName}': tensor '{entry.Name}' contains {value}.");
                    result.Add(new NamedTensor(entry.Name, shape, data));
                }
                catch (KeyNotFoundException)
                {
                    throw new InvalidDataException($"'{fileName}': tensor '{entry.Name}' lacks dtype, shape or data_offsets.");
                }
            }
            return result;
        }
    }

    public static IReadOnlyList<NamedTensor> Read(string path) => Deserialize(File.ReadAllBytes(path), path);
}
