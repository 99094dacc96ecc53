using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Ahwa.Lab.Formats;

/// <summary>One tensor of a safetensors file as its header states it.</summary>
public sealed record SafeTensorsEntry(string Name, string Dtype, long[] Shape);

/// <summary>A safetensors file read one tensor at a time: the header is validated in full on open (as
/// <see cref="SafeTensors.Deserialize"/> does), then each <see cref="Read"/> seeks to one tensor and decodes only it, so a
/// checkpoint shard of gigabytes never sits in memory whole.</summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Largest header accepted: safetensors' own reader refuses more than 100 MB.</summary>
    const long MaxHeaderBytes = 100_000_000;
    readonly FileStream stream;
    readonly long dataStart;
    readonly Dictionary<string, SafeTensors.Entry> entries;

    SafeTensorsFile(string path, FileStream stream, long dataStart, List<SafeTensors.Entry> entries)
    {
        Path = path;
        this.stream = stream;
        this.dataStart = dataStart;
        this.entries = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Tensors = entries.OrderBy(e => e.Begin).Select(e => new SafeTensorsEntry(e.Name, e.Dtype, e.Shape)).ToList();
    }

    public string Path { get; }

    /// <summary>The tensors in file order.</summary>
    public IReadOnlyList<SafeTensorsEntry> Tensors { get; }

    public static SafeTensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            Span<byte> prefix = stackalloc byte[8];
            if (stream.Length < 8 || stream.Read(prefix) != 8) throw new InvalidDataException($"'{path}' is not a safetensors file: {stream.Length} bytes.");
            ulong headerLength = BitConverter.ToUInt64(prefix);
            if (headerLength > (ulong)(stream.Length - 8) || headerLength > MaxHeaderBytes)
                throw new InvalidDataException($"'{path}': header length {headerLength} exceeds the file ({stream.Length} bytes) or 100 MB.");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header);
            }
            catch (JsonException error)
            {
                throw new InvalidDataException($"'{path}': the header is not valid JSON ({error.Message}).", error);
            }
            using (document)
                return new SafeTensorsFile(path, stream, 8 + (long)headerLength, SafeTensors.ReadHeader(document.RootElement, path, stream.Length - 8 - (long)headerLength));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>One tensor as FP32, decoded from its dtype.</summary>
    public float[] Read(string name)
    {
        if (!entries.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"'{Path}' has no tensor '{name}'.");
        var raw = new byte[entry.End - entry.Begin];
        stream.Seek(dataStart + entry.Begin, SeekOrigin.Begin);
        stream.ReadExactly(raw);
        return SafeTensors.Decode(entry, raw, Path);
    }

    /// <summary>One tensor decoded in chunks of at most <paramref name="chunk"/> values, each handed to
    /// <paramref name="sink"/> with the index of its first value: a gigabyte tensor goes into its destination
    /// without a second whole copy (the chunk buffers are reused).</summary>
    public void ReadChunks(string name, int chunk, Action<long, ReadOnlySpan<float>> sink)
    {
        if (!entries.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"'{Path}' has no tensor '{name}'.");
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "At least one value per chunk.");
        var values = new float[Math.Min(chunk, Math.Max(1, entry.Count))];
        var raw = new byte[values.Length * entry.Width];
        stream.Seek(dataStart + entry.Begin, SeekOrigin.Begin);
        for (long done = 0; done < entry.Count; done += values.Length)
        {
            int count = (int)Math.Min(values.Length, entry.Count - done);
            stream.ReadExactly(raw, 0, count * entry.Width);
            SafeTensors.DecodeInto(entry.Dtype, raw.AsSpan(0, count * entry.Width), values.AsSpan(0, count), name, Path);
            sink(done, values.AsSpan(0, count));
        }
    }

    public void Dispose() => stream.Dispose();
}
