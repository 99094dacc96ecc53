using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Formats;

namespace Ahwa.Runtime.Tests.Formats;

/// <summary>Issue 18, findings 11 and 13: the reader validates the whole header before reading data, and every
/// failure is an InvalidDataException naming the file and the tensor.</summary>
public class SafeTensorsTests
{
    const string File = "bad.safetensors";

    /// <summary>A file with the given header JSON and <paramref name="dataBytes"/> zero bytes of data.</summary>
    static byte[] WithHeader(string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BitConverter.GetBytes((ulong)json.Length).CopyTo(bytes, 0);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    static string Rejected(string header, int dataBytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Deserialize(WithHeader(header, dataBytes), File));
        Assert.Contains("'" + File + "'", error.Message);
        return error.Message;
    }

    [Fact]
    public void ValidFileRoundTrips()
    {
        var tensors = new[] { new NamedTensor("a", [2], [1f, 2f]), new NamedTensor("b", [1, 3], [3f, 4f, 5f]) };
        var read = SafeTensors.Deserialize(SafeTensors.Serialize(tensors), File);
        Assert.Equal(new[] { "a", "b" }, read.Select(t => t.Name));
        Assert.Equal(new[] { 3f, 4f, 5f }, read[1].Data);
    }

    [Fact]
    public void OverlappingOffsetsAreRejected() => Assert.Contains("tensor 'b' starts at byte 4, inside the data of another tensor", Rejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));

    [Fact]
    public void GapsAreRejected() => Assert.Contains("tensor 'b' starts at byte 12, leaving a gap after byte 8", Rejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16));

    [Fact]
    public void TrailingDataIsRejected() => Assert.Contains("cover 8 bytes of data but the file holds 12", Rejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12));

    [Fact]
    public void DuplicateNamesAreRejected() => Assert.Contains("tensor 'a' appears twice", Rejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));

    [Theory]
    [InlineData("[1, 2]", "the header is a JSON array")]
    [InlineData("null", "the header is a JSON null")]
    [InlineData("{\"a\": 5}", "tensor 'a' is a JSON number")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "tensor 'a' has shape [1.5]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,4]}}", "tensor 'a' has shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "tensor 'a' has shape")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[9223372036854775807,4]}}", "tensor 'a' has data_offsets")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}", "tensor 'a' has shape [4611686018427387904, 4], too large")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "tensor 'a' has data_offsets")]
    [InlineData("{\"a\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'a' has dtype 7")]
    [InlineData("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'a' has dtype I64")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'a' lacks dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", "tensor 'a' has data_offsets [0, 4] (4 bytes) that do not match")]
    [InlineData("{\"__metadata__\": 3}", "__metadata__ must be an object of strings")]
    public void MalformedHeadersAreInvalidData(string header, string expected) => Assert.Contains(expected, Rejected(header, 4));

    [Fact]
    public void TruncatedDataNamesTheTensor() => Assert.Contains("tensor 'a' ends at byte 8, beyond the 4 bytes", Rejected(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4));
}
