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
/// little-endian data), FP32 written, FP32, FP16 and BF16 read (to FP32).</summary>
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

    /// <summary>One validated header entry; the data is read only once every entry is valid.</summary>
    internal readonly record struct Entry(string Name, string Dtype, long[] Shape, long Count, int Width, long Begin, long End);

    /// <summary>Validates the whole header first (a JSON object; unique names; F32 or F16; shapes of non-negative
    /// integers; offsets in order, contiguous, non-overlapping and covering the data exactly; no overflow), then reads.
    /// Every failure is an <see cref="InvalidDataException"/> naming the file and, where there is one, the tensor.</summary>
    public static IReadOnlyList<NamedTensor> Deserialize(byte[] bytes, string fileName)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"'{fileName}' is not a safetensors file: {bytes.Length} bytes.");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new InvalidDataException($"'{fileName}': header length {headerLength} exceeds the file ({bytes.Length} bytes).");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{fileName}': the header is not valid JSON ({error.Message}).", error);
        }
        List<Entry> entries;
        using (document)
            entries = ReadHeader(document.RootElement, fileName, dataLength);

        var result = new List<NamedTensor>(entries.Count);
        foreach (var entry in entries)
        {
            var data = Decode(entry, bytes.AsSpan(checked((int)(dataStart + entry.Begin)), checked((int)(entry.End - entry.Begin))), fileName);
            result.Add(new NamedTensor(entry.Name, entry.Shape, data));
        }
        return result;
    }

    /// <summary>One tensor's little-endian bytes as FP32 (BF16 is the upper half of an FP32; FP16 widens exactly); a
    /// value that is not finite is an error naming the file and the tensor.</summary>
    internal static float[] Decode(Entry entry, ReadOnlySpan<byte> raw, string fileName)
    {
        var data = new float[entry.Count];
        DecodeInto(entry.Dtype, raw, data, entry.Name, fileName);
        return data;
    }

    /// <summary>Decodes <paramref name="destination"/>.Length values of <paramref name="dtype"/> from <paramref name="raw"/>.</summary>
    internal static void DecodeInto(string dtype, ReadOnlySpan<byte> raw, Span<float> destination, string tensor, string fileName)
    {
        if (dtype == "F32") raw.Slice(0, 4 * destination.Length).CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination));
        else if (dtype == "BF16") for (int i = 0; i < destination.Length; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i)) << 16);
        else for (int i = 0; i < destination.Length; i++) destination[i] = Fp16.ToSingle(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i)));
        foreach (var value in destination)
            if (!float.IsFinite(value)) throw new InvalidDataException($"'{fileName}': tensor '{tensor}' contains {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
    }

    internal static List<Entry> ReadHeader(JsonElement root, string fileName, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{fileName}': the header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object of tensors.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name)) throw new InvalidDataException($"'{fileName}': tensor '{property.Name}' appears twice in the header.");
            if (property.Name == "__metadata__")
            {
                if (property.Value.ValueKind != JsonValueKind.Object || property.Value.EnumerateObject().Any(m => m.Value.ValueKind != JsonValueKind.String))
                    throw new InvalidDataException($"'{fileName}': __metadata__ must be an object of strings.");
                continue;
            }
            entries.Add(ReadEntry(property, fileName));
        }
        // The data section is exactly the tensors, in offset order, with no gap and no overlap (as the format requires).
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
                throw new InvalidDataException(entry.Begin < expected
                    ? $"'{fileName}': tensor '{entry.Name}' starts at byte {entry.Begin}, inside the data of another tensor (which ends at {expected})."
                    : $"'{fileName}': tensor '{entry.Name}' starts at byte {entry.Begin}, leaving a gap after byte {expected}.");
            if (entry.End > dataLength)
                throw new InvalidDataException($"'{fileName}': tensor '{entry.Name}' ends at byte {entry.End}, beyond the {dataLength} bytes of data in the file.");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"'{fileName}': the tensors cover {expected} bytes of data but the file holds {dataLength}.");
        return entries;
    }

    static Entry ReadEntry(JsonProperty property, string fileName)
    {
        string name = property.Name;
        InvalidDataException Bad(string what) => new($"'{fileName}': tensor '{name}' {what}.");
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object) throw Bad($"is a JSON {value.ValueKind.ToString().ToLowerInvariant()}, not an object with dtype, shape and data_offsets");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || !value.TryGetProperty("shape", out var shapeElement) || !value.TryGetProperty("data_offsets", out var offsetsElement))
            throw Bad("lacks dtype, shape or data_offsets");
        string dtype = dtypeElement.ValueKind == JsonValueKind.String ? dtypeElement.GetString()! : dtypeElement.ToString();
        int width = dtype switch { "F32" => 4, "F16" or "BF16" => 2, _ => throw Bad($"has dtype {dtype}; only F32, F16 and BF16 are supported") };
        long[] shape = Integers(shapeElement, () => Bad($"has shape {shapeElement}; it must be an array of non-negative integers"));
        long[] offsets = Integers(offsetsElement, () => Bad($"has data_offsets {offsetsElement}; they must be two non-negative integers"));
        if (offsets.Length != 2 || offsets[1] < offsets[0]) throw Bad($"has data_offsets {offsetsElement}; they must be [begin, end] with begin <= end");
        long count;
        try
        {
            count = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (checked(count * width) != offsets[1] - offsets[0])
                throw Bad($"has data_offsets [{offsets[0]}, {offsets[1]}] ({offsets[1] - offsets[0]} bytes) that do not match its shape [{string.Join(", ", shape)}] ({dtype}, {count * width} bytes)");
        }
        catch (OverflowException)
        {
            throw Bad($"has shape [{string.Join(", ", shape)}], too large to address");
        }
        if (count > int.MaxValue / 4) throw Bad($"has {count} elements, more than one array can hold");
        return new Entry(name, dtype, shape, count, width, offsets[0], offsets[1]);
    }

    static long[] Integers(JsonElement element, Func<InvalidDataException> bad)
    {
        if (element.ValueKind != JsonValueKind.Array) throw bad();
        var values = new List<long>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0) throw bad();
            values.Add(v);
        }
        return values.ToArray();
    }

    public static IReadOnlyList<NamedTensor> Read(string path) => Deserialize(File.ReadAllBytes(path), path);
}
