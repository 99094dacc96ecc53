using System;
using Ahwa.Runtime.Decoders;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>The key-value cache's bookkeeping: what it returns, when it advances, and the misuse it refuses.</summary>
public class KeyValueCacheTests
{
    static Tensor Kv(long tokens, float value) => full(new long[] { 2, 3, tokens, 4 }, value);

    [Fact]
    public void AppendReturnsEveryTokenSoFarAndAdvanceMovesThePosition()
    {
        using var cache = new KeyValueCache(2);
        Assert.Equal(0, cache.Length);
        for (int layer = 0; layer < 2; layer++) cache.Append(layer, Kv(3, layer), Kv(3, 10 + layer));
        cache.Advance(3);
        Assert.Equal(3, cache.Length);
        cache.Append(0, Kv(1, 7), Kv(1, 17));
        var (keys, values) = cache.Append(1, Kv(1, 8), Kv(1, 18));
        cache.Advance(1);
        Assert.Equal(4, cache.Length);
        Assert.Equal(new long[] { 2, 3, 4, 4 }, keys.shape);
        Assert.Equal(new[] { 1f, 1f, 1f, 8f }, keys[0, 0, TensorIndex.Colon, 0].data<float>().ToArray());
        Assert.Equal(new[] { 11f, 11f, 11f, 18f }, values[1, 2, TensorIndex.Colon, 3].data<float>().ToArray());
    }

    [Fact]
    public void HoldsCopiesSoTheCallersTensorsMayChangeOrGo()
    {
        using var cache = new KeyValueCache(1);
        var k = Kv(2, 1);
        var v = Kv(2, 2);
        cache.Append(0, k, v);
        k.fill_(5);
        v.Dispose();
        cache.Advance(2);
        var (keys, values) = cache.Append(0, Kv(1, 3), Kv(1, 4));
        Assert.Equal(new[] { 1f, 1f, 3f }, keys[0, 0, TensorIndex.Colon, 0].data<float>().ToArray());
        Assert.Equal(new[] { 2f, 2f, 4f }, values[0, 0, TensorIndex.Colon, 0].data<float>().ToArray());
    }

    [Fact]
    public void RefusesMisuseNamingTheLayer()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyValueCache(0));
        using var cache = new KeyValueCache(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.Append(2, Kv(1, 0), Kv(1, 0)));
        var shape = Assert.Throws<ArgumentException>(() => cache.Append(0, zeros(2, 3, 4), Kv(1, 0)));
        Assert.Contains("Layer 0", shape.Message);
        cache.Append(0, Kv(2, 0), Kv(2, 0));
        // Layer 1 has not appended: advancing now would leave it behind.
        var early = Assert.Throws<InvalidOperationException>(() => cache.Advance(2));
        Assert.Contains("Layer 1 holds 0 tokens, not 2", early.Message);
        // Appending twice to one layer before Advance is the forgotten Advance.
        var twice = Assert.Throws<InvalidOperationException>(() => cache.Append(0, Kv(1, 0), Kv(1, 0)));
        Assert.Contains("Layer 0 already holds 2 tokens but the cache is at 0", twice.Message);
        cache.Append(1, Kv(2, 0), Kv(2, 0));
        cache.Advance(2);
        Assert.Equal(2, cache.Length);
        cache.Dispose();
        Assert.Equal(0, cache.Length);
    }
}
