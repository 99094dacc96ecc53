using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Targets;
using Ahwa.Targets.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime
{
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
            var limit = weight.detach().std().mul(chip.WeightClipSigma).item<float>();
            var clipped = weight.clamp(-limit, limit);
            var columnScale = clipped.detach().abs().amax(new long[] { 1 }, keepdim: true).clamp_min(1e-12f);
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
                    Tensor y;
                    while (true)
                    {
                        var q = Quantize(xb.div(scale.mul(reduction)), dacStep, 1f, dacSign);
                        y = q.matmul(tile.t());
                        if (chip.OutputNoise > 0) y = y.add(randn(y.shape, generator: generator).mul((float)chip.OutputNoise));
                        if (chip.BoundManagement != BoundManagement.Iterative) break;
                        var clip = y.detach().abs().amax(new long[] { 1 }, keepdim: true).gt(bound).logical_and(reduction.lt((float)chip.BoundManagementLimit));
                        if (!clip.any().item<bool>()) break;
                        reduction = where(clip, reduction.mul(2f), reduction);
                    }
                    var part = Quantize(y, adcStep, bound, adcSign).mul(scale.mul(reduction));
                    sum = sum is null ? part : sum.add(part);
                }
                columns.Add(sum!);
            }
            var output = cat(columns, 1).mul(columnScale.t()).mul(outputScale);
            var shape = (long[])input.shape.Clone();
            shape[^1] = outs;
            return output.reshape(shape).MoveToOuterDisposeScope();
        }

        /// <summary>Clamps to [-bound, bound] and rounds half to even onto the converter grid, with a straight-through
        /// gradient (identity inside the bound).</summary>
        public static Tensor Quantize(Tensor value, float step, float bound, bool sign)
        {
            var clamped = value.clamp(-bound, bound);
            var grid = sign ? clamped.sign().mul(bound) : clamped.div(step).round().mul(step);
            return clamped.add(grid.sub(clamped).detach());
        }
    }
}
