using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Ahwa.Simulator;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Ahwa.Runtime;

/// <summary>
/// The per-row passes of one hardware-aware call: abs-max noise management and the DAC on each token's input
/// block; output noise, the bound-management test and the ADC on each token's tile outputs, accumulated with the
/// token's scale. Rows run in parallel; every draw is indexed by its (round, block, token, column), so the numbers
/// do not depend on the thread count.
/// </summary>
sealed unsafe class TileOutputs
{
    readonly HardwareAwareCall call;
    readonly Tensor x;
    readonly Tensor? accumulator;
    readonly int tokens, outs, ins;
    readonly Quantizer dac, adc;
    readonly bool absMax, iterative;
    readonly float bound, outputNoise, limit;

    public TileOutputs(HardwareAwareCall call, Tensor x, Tensor? accumulator, int tokens, int outs)
    {
        this.call = call;
        this.x = x;
        this.accumulator = accumulator;
        this.tokens = tokens;
        this.outs = outs;
        ins = (int)x.shape[1];
        var chip = call.Chip;
        dac = new Quantizer(chip.DacBits, 1.0);
        adc = new Quantizer(chip.AdcBits, chip.OutputBound);
        absMax = chip.NoiseManagement == NoiseManagement.AbsMax;
        iterative = chip.BoundManagement == BoundManagement.Iterative;
        bound = (float)chip.OutputBound;
        outputNoise = (float)chip.OutputNoise;
        limit = (float)chip.BoundManagementLimit;
    }

    /// <summary>quantized[t] = DAC(x[t, rows] / s_t) with s_t = max |x[t, rows]| (abs-max noise management; 1 without
    /// it, or for an all-zero block). Returns s.</summary>
    public float[] QuantizeInputs(Block rows, Tensor quantized)
    {
        var scales = new float[tokens];
        IntPtr source = (IntPtr)TensorMemory.Floats(x);
        TensorMemory.ForRanges(tokens, 32, (first, end) =>
        {
            for (int t = first; t < end; t++)
            {
                var input = new ReadOnlySpan<float>((float*)source + (long)t * ins + rows.Start, rows.Size);
                float scale = absMax ? Math.Abs(TensorPrimitives.MaxMagnitude(input)) : 1f;
                scales[t] = !(scale > 0) || !float.IsFinite(scale) ? 1f : scale;
            }
        });
        QuantizeRows(rows, null, scales, null, quantized);
        return scales;
    }

    /// <summary>Adds input block <paramref name="block"/>'s contribution (its products with every output column) to the
    /// accumulator, redoing with halved inputs the tokens whose tile outputs clip (iterative bound management).
    /// Returns the ADC's gradient mask for the block ([tokens, out], 1 inside the bound) when an output stayed
    /// clipped, else null (all inside).</summary>
    public Tensor? Accumulate(int block, Tensor products, Tensor noisy, float[] scales, float[]?[,] reductions)
    {
        var rows = call.InputBlocks[block];
        Tensor? mask = null;
        var all = new int[tokens];
        for (int t = 0; t < tokens; t++) all[t] = t;
        for (int c = 0; c < call.OutputBlocks.Length; c++)
        {
            var cols = call.OutputBlocks[c];
            float[]? reduction = null;
            int[] pending = all;
            Tensor values = products;
            int stride = outs, offset = cols.Start;
            var redone = new List<Tensor>();
            for (int round = 0; ; round++)
            {
                var redo = new bool[pending.Length];
                var clipped = new bool[pending.Length];
                Rows(round, block, cols, values, stride, offset, pending, scales, reduction, redo, clipped);
                if (Array.IndexOf(clipped, true) >= 0) mask = Mask(mask, cols, values, stride, offset, pending, clipped);
                var next = new List<int>();
                for (int k = 0; k < pending.Length; k++) if (redo[k]) next.Add(pending[k]);
                if (next.Count == 0) break;
                if (reduction is null)
                {
                    reduction = new float[tokens];
                    Array.Fill(reduction, 1f);
                }
                foreach (int t in next) reduction[t] *= 2;
                pending = next.ToArray();
                var quantized = empty(pending.Length, rows.Size);
                QuantizeRows(rows, pending, scales, reduction, quantized);
                values = quantized.matmul(noisy.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size).t());
                redone.Add(quantized);
                redone.Add(values);
                stride = cols.Size;
                offset = 0;
            }
            foreach (var t in redone) t.Dispose();
            reductions[block, c] = reduction;
        }
        return mask;
    }

    /// <summary>x_eff[t] = DAC(x[t, rows] / (s_t r_t)) s_t r_t for the tokens a tile redid (r_t > 1), the rest taken
    /// from <paramref name="effective"/>: the inputs the tile's weights actually saw, for their gradient.</summary>
    public Tensor EffectiveInputs(Block rows, float[] scales, float[] reduction, Tensor effective)
    {
        var result = effective.clone();
        float* source = TensorMemory.Floats(x), target = TensorMemory.Floats(result);
        for (int t = 0; t < tokens; t++)
        {
            if (reduction[t] == 1f) continue;
            var row = new Span<float>(target + (long)t * rows.Size, rows.Size);
            float scale = scales[t] * reduction[t];
            dac.Quantize(new ReadOnlySpan<float>(source + (long)t * ins + rows.Start, rows.Size), 1f / scale, row);
            TensorPrimitives.Multiply(row, scale, row);
        }
        return result;
    }

    /// <summary>Row k of <paramref name="quantized"/> = DAC(x[t] / (s_t r_t)) for token t = subset[k] (every token, in
    /// order, without a subset; r = 1 without reductions).</summary>
    void QuantizeRows(Block rows, int[]? subset, float[] scales, float[]? reduction, Tensor quantized)
    {
        IntPtr source = (IntPtr)TensorMemory.Floats(x), target = (IntPtr)TensorMemory.Floats(quantized);
        TensorMemory.ForRanges(subset?.Length ?? tokens, 32, (first, end) =>
        {
            for (int k = first; k < end; k++)
            {
                int t = subset?[k] ?? k;
                var input = new ReadOnlySpan<float>((float*)source + (long)t * ins + rows.Start, rows.Size);
                float scale = reduction is null ? scales[t] : scales[t] * reduction[t];
                dac.Quantize(input, 1f / scale, new Span<float>((float*)target + (long)k * rows.Size, rows.Size));
            }
        });
    }

    /// <summary>Output noise, the clip test and, for each token that is done, the ADC and the accumulation.</summary>
    void Rows(int round, int block, Block cols, Tensor values, int stride, int offset, int[] pending, float[] scales, float[]? reduction, bool[] redo, bool[] clipped)
    {
        IntPtr data = (IntPtr)TensorMemory.Floats(values), sums = (IntPtr)TensorMemory.Floats(accumulator!);
        TensorMemory.ForRanges(pending.Length, 16, (first, end) =>
        {
            var draws = new float[cols.Size];
            var converted = new float[cols.Size];
            for (int k = first; k < end; k++)
            {
                int t = pending[k];
                var row = new Span<float>((float*)data + (long)k * stride + offset, cols.Size);
                if (outputNoise > 0)
                {
                    CounterRandom.FillNormal(call.OutputNoiseKey, call.OutputNoiseIndex(round, block, tokens, outs, t, cols.Start), draws);
                    TensorPrimitives.MultiplyAdd(draws, outputNoise, row, row);
                }
                float max = Math.Abs(TensorPrimitives.MaxMagnitude(row));
                float r = reduction?[t] ?? 1f;
                if (iterative && max > bound && r < limit)
                {
                    redo[k] = true;
                    continue;
                }
                clipped[k] = max > bound;
                adc.Quantize(row, 1f, converted);
                var sum = new Span<float>((float*)sums + (long)t * outs + cols.Start, cols.Size);
                TensorPrimitives.MultiplyAdd(converted, scales[t] * r, sum, sum);
            }
        });
    }

    Tensor Mask(Tensor? mask, Block cols, Tensor values, int stride, int offset, int[] pending, bool[] clipped)
    {
        mask ??= ones(tokens, outs);
        float* data = TensorMemory.Floats(values), target = TensorMemory.Floats(mask);
        for (int k = 0; k < pending.Length; k++)
        {
            if (!clipped[k]) continue;
            float* row = data + (long)k * stride + offset, gate = target + (long)pending[k] * outs + cols.Start;
            for (int j = 0; j < cols.Size; j++) gate[j] = Math.Abs(row[j]) <= bound ? 1f : 0f;
        }
        return mask;
    }
}
