using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Hardware;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>
/// The training-time analog forward of one layer (AHWA training, aihwkit's inference RPU config): weights clipped
/// at k standard deviations and scaled per output column to [-1, 1]; per tile a fresh Gaussian weight-noise draw
/// (std = weight-noise fraction x max |w| of the tile) shared by the batch; per token and input block abs-max
/// noise management, DAC, MVM, output noise, iterative bound management, ADC; de-scaling and the sum over input
/// blocks digitally. Quantisers pass gradients straight through; the noise does not depend on the weights, so
/// the backward pass is that of the noise-free layer.
/// </summary>
static class HardwareAwareForward
{
    public static Tensor Forward(Tensor input, Tensor weight, Tensor outputScale, ChipSpec chip, Block[] inputBlocks, Block[] outputBlocks, Generator generator)
    {
        using var scope = NewDisposeScope();
        long ins = weight.shape[1], outs = weight.shape[0];
        var x = input.reshape(-1, ins);
        long tokens = x.shape[0];

        // Weight mapping: clip at k sigma of the layer, then column-wise scaling (scales kept digitally).
        var clipped = Clip(weight, chip);
        var columnScale = ColumnScale(clipped);
        var normalised = clipped.div(columnScale);

        float dacStep = Converters.Step(chip.DacBits, 1.0), adcStep = Converters.Step(chip.AdcBits, chip.OutputBound);
        bool dacSign = Converters.Steps(chip.DacBits) == 1, adcSign = Converters.Steps(chip.AdcBits) == 1;
        float bound = (float)chip.OutputBound;
        var columns = new List<Tensor>();
        foreach (var cols in outputBlocks)
        {
            Tensor? sum = null;
            foreach (var rows in inputBlocks)
            {
                var xb = x.narrow(1, rows.Start, rows.Size);
                var scale = chip.NoiseManagement == NoiseManagement.AbsMax
                    ? xb.detach().abs().amax(new long[] { 1 }, keepdim: true)
                    : ones(tokens, 1);
                scale = where(scale.gt(0), scale, ones_like(scale));
                var tile = normalised.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size);
                if (chip.WeightNoise > 0)
                {
                    var std = tile.detach().abs().max().item<float>() * (float)chip.WeightNoise;
                    tile = tile.add(randn(tile.shape, generator: generator).mul(std));
                }
                var reduction = ones(tokens, 1);
                Tensor Mvm(Tensor inputs, Tensor inputScale)
                {
                    var q = Quantize(inputs.div(inputScale), dacStep, 1f, dacSign);
                    var product = q.matmul(tile.t());
                    // In place: the noise does not depend on anything that needs a gradient.
                    return chip.OutputNoise > 0 ? product.add_(randn(product.shape, generator: generator), (float)chip.OutputNoise) : product;
                }
                var y = Mvm(xb, scale);
                // Iterative bound management: only the tokens whose outputs clipped are halved and redone.
                while (chip.BoundManagement == BoundManagement.Iterative)
                {
                    var clip = y.detach().abs().amax(new long[] { 1 }).gt(bound).logical_and(reduction.squeeze(1).lt((float)chip.BoundManagementLimit));
                    var redo = clip.nonzero().squeeze(1);
                    if (redo.shape[0] == 0) break;
                    reduction = reduction.index_put_(reduction.index_select(0, redo).mul(2f), redo);
                    y = y.index_copy(0, redo, Mvm(xb.index_select(0, redo), scale.index_select(0, redo).mul(reduction.index_select(0, redo))));
                }
                var part = Quantize(y, adcStep, bound, adcSign).mul(scale.mul(reduction));
                sum = sum is null ? part : sum.add(part);
            }
            columns.Add(sum!);
        }
        var output = cat(columns, 1).mul(columnScale.t().mul(outputScale));
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

    /// <summary>Clamps to [-bound, bound] and rounds half to even onto the converter grid, with a straight-through
    /// gradient (identity inside the bound).</summary>
    public static Tensor Quantize(Tensor value, float step, float bound, bool sign)
    {
        var clamped = value.clamp(-bound, bound);
        Tensor delta;
        using (no_grad())
        {
            // In place and outside autograd: the rounding error the forward adds and the backward ignores.
            delta = sign ? clamped.sign().mul_(bound) : clamped.div(step).round_().mul_(step);
            delta.sub_(clamped);
        }
        return clamped.add(delta);
    }
}
