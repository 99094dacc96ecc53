using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Decoders;

/// <summary>The building blocks of a LLaMA-family decoder that a model's forward calls: RMS norm, rotary position
/// embeddings (with LLaMA-3's frequency scaling), grouped-query causal attention over a key-value cache. The PyTorch
/// target translates each call to its twin in <c>ahwa.decoder</c> (Runtime/Python), name for name.</summary>
public static class Decoder
{
    /// <summary>An RMS norm over the last dimension (<see cref="Decoding.RmsNorm"/>), to register under the block's name.</summary>
    public static RmsNorm RmsNorm(long size, double epsilon) => new(size, epsilon);

    /// <summary>Inverse frequencies theta^(-2i/d), i = 0 .. d/2-1, in double. A <paramref name="factor"/> of 1 leaves
    /// them as they are; above 1, LLaMA-3's scaling: wavelengths shorter than original/high stay, longer than
    /// original/low are divided by the factor, and in between the two blend linearly in original/wavelength.</summary>
    public static double[] InverseFrequencies(int headSize, double theta, double factor, double lowFrequencyFactor, double highFrequencyFactor,
        double originalPositions)
    {
        if (headSize < 2 || headSize % 2 != 0) throw new ArgumentOutOfRangeException(nameof(headSize), headSize, "Rotary embeddings need an even head size.");
        if (!(theta > 1)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "rope_theta must be above 1.");
        if (!(factor >= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The rope_scaling factor must be at least 1 (1: no scaling).");
        if (factor > 1 && !(lowFrequencyFactor > 0 && highFrequencyFactor > lowFrequencyFactor && originalPositions > 0))
            throw new ArgumentException($"LLaMA-3 rope scaling needs 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0, got low {lowFrequencyFactor}, high {highFrequencyFactor}, original {originalPositions}.");
        var frequencies = new double[headSize / 2];
        for (int i = 0; i < frequencies.Length; i++)
        {
            double f = 1.0 / Math.Pow(theta, 2.0 * i / headSize);
            if (factor > 1)
            {
                double wavelength = 2 * Math.PI / f;
                if (wavelength > originalPositions / lowFrequencyFactor) f /= factor;
                else if (wavelength >= originalPositions / highFrequencyFactor)
                {
                    double smooth = (originalPositions / wavelength - lowFrequencyFactor) / (highFrequencyFactor - lowFrequencyFactor);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
            }
            frequencies[i] = f;
        }
        return frequencies;
    }

    /// <summary>Rotation angles [tokens, head size] of positions start .. start + tokens - 1 (the tokens of
    /// <paramref name="inputIds"/>, [batch, tokens]), each frequency twice (first half, second half), in float32.</summary>
    public static Tensor RotaryAngles(Tensor inputIds, long start, int headSize, double theta, double factor, double lowFrequencyFactor,
        double highFrequencyFactor, double originalPositions)
    {
        var frequencies = InverseFrequencies(headSize, theta, factor, lowFrequencyFactor, highFrequencyFactor, originalPositions);
        long tokens = inputIds.shape[1];
        int half = frequencies.Length;
        var angles = new float[tokens * headSize];
        for (long t = 0; t < tokens; t++)
            for (int i = 0; i < half; i++)
                angles[t * headSize + i] = angles[t * headSize + half + i] = (float)((start + t) * frequencies[i]);
        return tensor(angles, new[] { tokens, headSize }).to(inputIds.device);
    }

    /// <summary>Rotates x [batch, heads, tokens, head size] by the angles: x cos + rotate_half(x) sin, where
    /// rotate_half(x) = (-x2, x1) for the halves x1, x2 of the head.</summary>
    public static Tensor Rotate(Tensor x, Tensor angles)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[3] / 2;
        var rotated = cat(new[] { x.narrow(3, half, half).neg(), x.narrow(3, 0, half) }, 3);
        return x.mul(angles.cos()).add(rotated.mul(angles.sin())).MoveToOuterDisposeScope();
    }

    /// <summary>Causal scaled dot-product attention [batch, heads, tokens, head size] of the queries over the keys and
    /// values of the cached tokens and of these ones (appended to <paramref name="cache"/> for <paramref name="layer"/>;
    /// without a cache, these only). Key-value heads are shared by heads / key-value heads query heads each (query
    /// head h reads key-value head h / group). Query i, at position cached + i, sees keys 0 .. cached + i.</summary>
    public static Tensor Attention(Tensor queries, Tensor keys, Tensor values, KeyValueCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long heads = queries.shape[1], tokens = queries.shape[2], headSize = queries.shape[3], keyValueHeads = keys.shape[1];
        if (keyValueHeads < 1 || heads % keyValueHeads != 0)
            throw new ArgumentException($"Layer {layer}: {heads} query heads cannot share {keyValueHeads} key-value heads evenly.");
        long cached = cache?.Length ?? 0;
        if (cache is not null) (keys, values) = cache.Append(layer, keys, values);
        if (heads != keyValueHeads)
        {
            keys = keys.repeat_interleave(heads / keyValueHeads, 1);
            values = values.repeat_interleave(heads / keyValueHeads, 1);
        }
        long total = keys.shape[2];
        var future = ones(tokens, total, dtype: ScalarType.Bool, device: queries.device).triu(cached + 1);
        var scores = queries.matmul(keys.transpose(2, 3)).div(Math.Sqrt(headSize)).masked_fill(future, float.NegativeInfinity);
        var weights = nn.functional.softmax(scores.to_type(ScalarType.Float32), -1).to_type(queries.dtype);
        return weights.matmul(values).MoveToOuterDisposeScope();
    }
}
