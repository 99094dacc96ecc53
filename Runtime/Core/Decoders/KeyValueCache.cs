using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Decoders;

/// <summary>Keys and values of the tokens generated so far, per layer, [batch, key-value heads, tokens, head size].
/// The cache owns its tensors (they live outside every dispose scope) and frees them on <see cref="Dispose"/>.</summary>
public sealed class KeyValueCache : IDisposable
{
    readonly Tensor?[] keys, values;

    public KeyValueCache(int layers)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "A key-value cache needs at least one layer.");
        keys = new Tensor?[layers];
        values = new Tensor?[layers];
    }

    public int Layers => keys.Length;

    /// <summary>Tokens already cached: the position of the next token.</summary>
    public long Length { get; private set; }

    /// <summary>Appends one layer's keys and values of the new tokens and returns that layer's keys and values of every
    /// token so far. The returned tensors belong to the cache: do not dispose them.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor newKeys, Tensor newValues)
    {
        if (layer < 0 || layer >= Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The cache holds layers 0 to {Layers - 1}.");
        if (newKeys.shape.Length != 4 || newValues.shape.Length != 4)
            throw new ArgumentException($"Layer {layer}: keys and values must be [batch, heads, tokens, head size], got [{string.Join(", ", newKeys.shape)}] and [{string.Join(", ", newValues.shape)}].");
        long held = keys[layer] is { } k ? k.shape[2] : 0;
        if (held != Length)
            throw new InvalidOperationException($"Layer {layer} already holds {held} tokens but the cache is at {Length}: call Advance once per forward, after the last layer.");
        keys[layer] = Grow(keys[layer], newKeys);
        values[layer] = Grow(values[layer], newValues);
        return (keys[layer]!, values[layer]!);
    }

    /// <summary>Moves the cache past <paramref name="tokens"/> new tokens, once every layer has appended them.</summary>
    public void Advance(long tokens)
    {
        for (int layer = 0; layer < Layers; layer++)
        {
            long held = keys[layer] is { } k ? k.shape[2] : 0;
            if (held != Length + tokens)
                throw new InvalidOperationException($"Layer {layer} holds {held} tokens, not {Length + tokens}: every layer must append the new tokens before Advance.");
        }
        Length += tokens;
    }

    static Tensor Grow(Tensor? held, Tensor added)
    {
        var grown = held is null ? added.detach().clone() : cat([held, added.detach()], 2);
        held?.Dispose();
        return grown.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        for (int layer = 0; layer < Layers; layer++)
        {
            keys[layer]?.Dispose();
            values[layer]?.Dispose();
            keys[layer] = values[layer] = null;
        }
        Length = 0;
    }
}
