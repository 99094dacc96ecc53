using System;
using Ahwa.Hardware;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>
/// The training-time analog forward of one layer (AHWA training, aihwkit's inference RPU config): weights clipped
/// at k standard deviations and scaled per output column to [-1, 1]; per tile a fresh Gaussian weight-noise draw
/// (std = weight-noise fraction x max |w| of the tile) shared by the batch; per token and input block abs-max
/// noise management, DAC, MVM, output noise, iterative bound management, ADC; de-scaling and the sum over input
/// blocks digitally. Quantisers pass gradients straight through; the noise does not depend on the weights, so
/// the backward pass is that of the noise-free layer. The tile-level work is <see cref="HardwareAwareMvm"/>; its
/// noise is counter-based (<see cref="Ahwa.Simulator.CounterRandom"/>) under a key per call.
/// </summary>
static class HardwareAwareForward
{
    /// <summary>The layer's output before bias and LoRA; <paramref name="key"/> selects this call's noise draws.</summary>
    public static Tensor Forward(Tensor input, Tensor weight, Tensor outputScale, ChipSpec chip, Block[] inputBlocks, Block[] outputBlocks, ulong key)
    {
        using var scope = NewDisposeScope();
        long ins = weight.shape[1], outs = weight.shape[0];
        var x = input.reshape(-1, ins).to_type(ScalarType.Float32).contiguous();
        var output = HardwareAwareMvm.apply(x, weight, outputScale, new HardwareAwareCall(chip, inputBlocks, outputBlocks, key));
        var shape = (long[])input.shape.Clone();
        shape[^1] = outs;
        return output.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>The weights as mapped to tiles: clipped at <see cref="ClipLimit"/>.</summary>
    public static Tensor Clip(Tensor weight, ChipSpec chip)
    {
        var limit = ClipLimit(weight, chip);
        return weight.clamp(-limit, limit);
    }

    /// <summary>Column-wise scaling: max |w| of each output row of the clipped weights ([out, 1]), kept digitally.</summary>
    public static Tensor ColumnScale(Tensor clipped) => clipped.detach().abs().amax(new long[] { 1 }, keepdim: true).clamp_min(1e-12f);

    /// <summary>k standard deviations of the layer's weights; no clipping for a constant layer (sigma 0).</summary>
    public static float ClipLimit(Tensor weight, ChipSpec chip)
    {
        float limit = weight.detach().std().item<float>() * (float)chip.WeightClipSigma;
        return limit > 0 && float.IsFinite(limit) ? limit : float.MaxValue;
    }
}
