using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Ahwa.Simulator;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Ahwa.Runtime;

/// <summary>What one hardware-aware forward of a layer needs besides its tensors: the chip, the tile blocks and the
/// key of this call's noise (weight noise and output noise are drawn from keys derived from it).</summary>
sealed record HardwareAwareCall(ChipSpec Chip, Block[] InputBlocks, Block[] OutputBlocks, ulong Key)
{
    public ulong WeightNoiseKey { get; } = RandomStream.Derive(Key, StreamPurpose.WeightNoise, 0);

    public ulong OutputNoiseKey { get; } = RandomStream.Derive(Key, StreamPurpose.OutputNoise, 0);

    /// <summary>The counter of output-noise draw (round of bound management, input block, token, output column): each
    /// draw has its own index, so a redone token gets fresh noise and no draw depends on the thread that makes it.</summary>
    public long OutputNoiseIndex(int round, int inputBlock, int tokens, int outs, int token, int column) =>
        (((long)round * InputBlocks.Length + inputBlock) * tokens + token) * outs + column;

    /// <summary>The counter of the weight-noise draw of weight (row, column).</summary>
    public static long WeightNoiseIndex(int ins, int row, int column) => (long)row * ins + column;
}

/// <summary>
/// The tile-level computation of <see cref="HardwareAwareForward"/> as one autograd node: the forward runs the
/// converters, noise and bound management in managed passes over each row (with the simulator's
/// <see cref="Quantizer"/>, so training and programmed evaluation share the converter arithmetic) around one matrix
/// product per input block; the backward is the straight-through one the formula defines: converters pass gradients
/// inside their range, noise is a constant, scales are detached. Inputs: x [tokens, in], weight [out, in],
/// output scale [out], the <see cref="HardwareAwareCall"/>.
/// </summary>
sealed class HardwareAwareMvm : autograd.SingleTensorFunction<HardwareAwareMvm>
{
    public override string Name => "AhwaHardwareAwareMvm";

    /// <summary>Bookkeeping the backward needs beyond the saved tensors.</summary>
    sealed class State
    {
        public required HardwareAwareCall Call;
        public required bool GradX, GradW, GradScale;
        public required float ClipLimit;
        public required float[][] InputScales;          // per input block, per token
        public required float[]?[,] Reductions;         // per tile (input block, output block): per token, null if all 1
        public required bool[] Masked;                  // per input block: an ADC output clipped, a mask was saved
        public required Dictionary<string, int> Saved;  // name -> index in the saved tensors
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (Tensor)vars[1];
        var outputScale = (Tensor)vars[2];
        var call = (HardwareAwareCall)vars[3];
        var chip = call.Chip;
        int tokens = (int)x.shape[0], ins = (int)weight.shape[1], outs = (int)weight.shape[0];

        float limit = HardwareAwareForward.ClipLimit(weight, chip);
        var clipped = weight.clamp(-limit, limit);
        var columnScale = HardwareAwareForward.ColumnScale(clipped).squeeze(1).contiguous();
        var noisy = clipped.div(columnScale.unsqueeze(1)).contiguous();
        if (chip.WeightNoise > 0) AddWeightNoise(noisy, call);

        var accumulator = zeros(tokens, outs);
        var tiles = new TileOutputs(call, x, accumulator, tokens, outs);
        var saved = new List<Tensor> { noisy, columnScale, outputScale };
        var index = new Dictionary<string, int> { ["noisy"] = 0, ["columnScale"] = 1, ["outputScale"] = 2 };
        var blocks = call.InputBlocks;
        var inputScales = new float[blocks.Length][];
        var reductions = new float[]?[blocks.Length, call.OutputBlocks.Length];
        var masked = new bool[blocks.Length];
        for (int b = 0; b < blocks.Length; b++)
        {
            // The weight gradient needs these DAC outputs too; the backward makes them again from the saved input (the
            // same deterministic pass) rather than keeping a copy of the input per block from forward to backward.
            using var quantized = empty(tokens, blocks[b].Size);
            inputScales[b] = tiles.QuantizeInputs(blocks[b], quantized);
            using var products = quantized.matmul(noisy.narrow(1, blocks[b].Start, blocks[b].Size).t());
            var mask = tiles.Accumulate(b, products, noisy, inputScales[b], reductions);
            if (mask is not null)
            {
                masked[b] = true;
                index[$"mask{b}"] = saved.Count;
                // Kept until the backward as bytes, not floats (a quarter of the memory): the mask is 0 or 1, and
                // a product with a bool tensor is the product with its 0.0 and 1.0.
                saved.Add(mask.to_type(ScalarType.Bool));
                mask.Dispose();
            }
        }
        bool needsInput = weight.requires_grad || chip.NoiseManagement != NoiseManagement.AbsMax;
        if (needsInput) { index["x"] = saved.Count; saved.Add(x); }
        if (weight.requires_grad) { index["weight"] = saved.Count; saved.Add(weight); }
        if (outputScale.requires_grad) { index["accumulator"] = saved.Count; saved.Add(accumulator); }
        ctx.save_for_backward(saved);
        ctx.save_data("state", new State
        {
            Call = call,
            GradX = x.requires_grad,
            GradW = weight.requires_grad,
            GradScale = outputScale.requires_grad,
            ClipLimit = limit,
            InputScales = inputScales,
            Reductions = reductions,
            Masked = masked,
            Saved = index,
        });
        return accumulator.mul(columnScale.mul(outputScale));
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var state = (State)ctx.get_data("state");
        var saved = ctx.get_saved_variables();
        Tensor Saved(string name) => saved[state.Saved[name]];
        var call = state.Call;
        using var scope = NewDisposeScope();
        var grad = gradOutput.contiguous();
        var noisy = Saved("noisy");
        var columnScale = Saved("columnScale");
        var scaled = grad.mul(columnScale.mul(Saved("outputScale")));
        Tensor? gradX = null, gradW = null, gradScale = null;
        bool absMax = call.Chip.NoiseManagement == NoiseManagement.AbsMax;
        if (state.GradX)
        {
            if (absMax && Array.TrueForAll(state.Masked, m => !m))
            {
                gradX = scaled.matmul(noisy);
            }
            else
            {
                gradX = zeros(grad.shape[0], noisy.shape[1]);
                for (int b = 0; b < call.InputBlocks.Length; b++)
                {
                    var rows = call.InputBlocks[b];
                    var masked = state.Masked[b] ? scaled.mul(Saved($"mask{b}")) : scaled;
                    var target = gradX.narrow(1, rows.Start, rows.Size);
                    if (absMax)
                    {
                        target.add_(masked.matmul(noisy.narrow(1, rows.Start, rows.Size)));
                        continue;
                    }
                    // Without noise management the DAC clips at 1: the gradient passes where |x / r| <= 1.
                    var inputs = Saved("x").narrow(1, rows.Start, rows.Size).abs();
                    for (int c = 0; c < call.OutputBlocks.Length; c++)
                    {
                        var cols = call.OutputBlocks[c];
                        var part = masked.narrow(1, cols.Start, cols.Size).matmul(noisy.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size));
                        var reduction = state.Reductions[b, c] is { } r ? tensor(r).unsqueeze(1) : ones(1, 1);
                        target.add_(part.mul(inputs.le(reduction)));
                    }
                }
            }
        }
        if (state.GradW)
        {
            var gradNoisy = zeros(noisy.shape[0], noisy.shape[1]);
            var tiles = new TileOutputs(call, Saved("x"), null, (int)grad.shape[0], (int)noisy.shape[0]);
            for (int b = 0; b < call.InputBlocks.Length; b++)
            {
                var rows = call.InputBlocks[b];
                var masked = state.Masked[b] ? scaled.mul(Saved($"mask{b}")) : scaled;
                using var quantized = empty(grad.shape[0], rows.Size);
                tiles.QuantizeInputs(rows, quantized);
                var effective = quantized.mul(tensor(state.InputScales[b]).unsqueeze(1));
                for (int c = 0; c < call.OutputBlocks.Length; c++)
                {
                    var cols = call.OutputBlocks[c];
                    var inputs = state.Reductions[b, c] is { } r ? tiles.EffectiveInputs(rows, state.InputScales[b], r, effective) : effective;
                    gradNoisy.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size)
                        .copy_(masked.narrow(1, cols.Start, cols.Size).t().matmul(inputs));
                }
            }
            // noisy = clip(w) / column scale + noise: the clip passes gradients inside its limit, the scale is detached.
            gradW = gradNoisy.div(columnScale.unsqueeze(1)).mul(Saved("weight").abs().le(state.ClipLimit));
        }
        if (state.GradScale) gradScale = grad.mul(Saved("accumulator")).mul(columnScale).sum(new long[] { 0 }); // sum(0) would bind to sum(ScalarType)
        var result = new List<Tensor> { gradX!, gradW!, gradScale!, null! };
        foreach (var g in result) g?.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>Weight noise per tile: std = weight-noise fraction x max |w| of the tile, one draw per weight.</summary>
    static unsafe void AddWeightNoise(Tensor noisy, HardwareAwareCall call)
    {
        int outs = (int)noisy.shape[0], ins = (int)noisy.shape[1];
        float* w = TensorMemory.Floats(noisy);
        var rowBlocks = call.OutputBlocks;
        var colBlocks = call.InputBlocks;
        var std = new float[rowBlocks.Length, colBlocks.Length];
        for (int c = 0; c < rowBlocks.Length; c++)
            for (int b = 0; b < colBlocks.Length; b++)
            {
                float max = 0;
                for (int j = rowBlocks[c].Start; j < rowBlocks[c].Start + rowBlocks[c].Size; j++)
                    max = Math.Max(max, Math.Abs(TensorPrimitives.MaxMagnitude(new ReadOnlySpan<float>(w + (long)j * ins + colBlocks[b].Start, colBlocks[b].Size))));
                std[c, b] = max * (float)call.Chip.WeightNoise;
            }
        var rowOf = new int[outs];
        for (int c = 0; c < rowBlocks.Length; c++)
            for (int j = rowBlocks[c].Start; j < rowBlocks[c].Start + rowBlocks[c].Size; j++) rowOf[j] = c;
        IntPtr data = (IntPtr)w;
        TensorMemory.ForRanges(outs, 16, (first, end) =>
        {
            var draws = new float[ins];
            for (int j = first; j < end; j++)
            {
                CounterRandom.FillNormal(call.WeightNoiseKey, HardwareAwareCall.WeightNoiseIndex(ins, j, 0), draws);
                var row = new Span<float>((float*)data + (long)j * ins, ins);
                for (int b = 0; b < colBlocks.Length; b++)
                {
                    var block = colBlocks[b];
                    TensorPrimitives.MultiplyAdd(draws.AsSpan(block.Start, block.Size), std[rowOf[j], b], row.Slice(block.Start, block.Size), row.Slice(block.Start, block.Size));
                }
            }
        });
    }
}
