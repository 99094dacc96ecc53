using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>BF16 and F16 tensors read to FP32 (whole file and one tensor at a time), as Hugging Face checkpoints hold them.</summary>
public sealed class SafeTensorsHalfTests : IDisposable
{
    readonly string path = Path.Combine(Path.GetTempPath(), "ahwa-half-" + Guid.NewGuid().ToString("N") + ".safetensors");

    public void Dispose() => File.Delete(path);

    // Exactly representable in BF16 and in F16 (both keep these bits), so decoding must give them back bit for bit.
    static readonly float[] Values = [1f, -2.5f, 0.15625f, 3072f, -0f, 0.0009765625f];

    [Fact]
    public void DecodesBf16AndF16ExactlyWholeAndTensorByTensor()
    {
        var tensors = new List<RawTensor>
        {
            new("b", "BF16", [2, 3], LlamaFolders.Encode(Values, "BF16")),
            new("h", "F16", [6], LlamaFolders.Encode(Values, "F16")),
            new("f", "F32", [1], BitConverter.GetBytes(7.25f)),
        };
        File.WriteAllBytes(path, SafeTensors.Serialize(tensors));
        var whole = SafeTensors.Read(path).ToDictionary(t => t.Name);
        Assert.Equal(Values, whole["b"].Data);
        Assert.Equal(Values, whole["h"].Data);
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(whole["b"].Data[4]));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(new[] { "b", "f", "h" }, file.Tensors.Select(t => t.Name).ToArray());
        Assert.Equal(new long[] { 2, 3 }, file.Tensors[0].Shape);
        Assert.Equal("BF16", file.Tensors[0].Dtype);
        Assert.Equal(Values, file.Read("h"));
        Assert.Equal(new[] { 7.25f }, file.Read("f"));
        Assert.Equal(Values, file.Read("b"));
        Assert.Contains("has no tensor 'x'", Assert.Throws<KeyNotFoundException>(() => file.Read("x")).Message);
        // In chunks of 4: 4 values, then 2, at their offsets, into one destination.
        var chunked = new float[6];
        var offsets = new List<long>();
        file.ReadChunks("b", 4, (offset, values) =>
        {
            offsets.Add(offset);
            values.CopyTo(chunked.AsSpan((int)offset));
        });
        Assert.Equal(new long[] { 0, 4 }, offsets);
        Assert.Equal(Values, chunked);
    }

    [Fact]
    public void ABf16InfinityOrATruncatedFileIsNamed()
    {
        File.WriteAllBytes(path, SafeTensors.Serialize(new[] { new RawTensor("w", "BF16", [1], BitConverter.GetBytes((ushort)0x7F80)) }));
        using (var file = SafeTensorsFile.Open(path))
            Assert.Contains("tensor 'w' contains Infinity", Assert.Throws<InvalidDataException>(() => file.Read("w")).Message);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
        Assert.Contains("tensor 'w' ends at byte 2, beyond the 1 bytes", Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path).Dispose()).Message);
    }
}
