using System;
using Ahwa.Hardware;

namespace Ahwa.Lab.Kernels;

/// <summary>
/// The managed reference of the arithmetic contract (docs/arithmetic-contract.md): the same operations in the
/// same order as the C kernel, with MathF.FusedMultiplyAdd where the kernel uses fmaf, so every output bit agrees.
/// </summary>
public static class DigitalReference
{
    public static ushort[] Forward(KernelLayer k, KernelInputs inputs)
    {
        if (k is null) throw new ArgumentNullException(nameof(k));
        if (inputs is null) throw new ArgumentNullException(nameof(inputs));
        inputs.Validate(k);
        if (k.MatrixEngine) return Engine(k, inputs);
        int tokens = inputs.Tokens, ins = k.InFeatures, outs = k.OutFeatures, rank = k.Rank, blocks = k.InputBlocks;

        var a = new float[ins * rank];
        for (int i = 0; i < a.Length; i++) a[i] = Fp16.ToSingle(inputs.LoraA[i]);
        var bScaled = new float[rank * outs];
        for (int i = 0; i < bScaled.Length; i++) bScaled[i] = Fp16.ToSingle(inputs.LoraB[i]) * k.LoraScale;
        var bias = new float[outs];
        for (int j = 0; j < outs; j++) bias[j] = Fp16.ToSingle(inputs.Bias[j]);

        var y = new ushort[tokens * outs];
        var h = new float[rank];
        var step = new float[blocks];
        for (int t = 0; t < tokens; t++)
        {
            // LoRA down: h[k] = fma chain over i in order, from 0.
            for (int r = 0; r < rank; r++)
            {
                float acc = 0f;
                for (int i = 0; i < ins; i++) acc = MathF.FusedMultiplyAdd(Fp16.ToSingle(inputs.X[t * ins + i]), a[i * rank + r], acc);
                h[r] = acc;
            }
            for (int b = 0; b < blocks; b++) step[b] = k.AdcStep * inputs.InputScale[b * tokens + t];
            // LoRA up with add-back.
            for (int j = 0; j < outs; j++)
            {
                float analog = 0f;
                for (int b = 0; b < blocks; b++) analog = MathF.FusedMultiplyAdd(inputs.Codes[(b * tokens + t) * outs + j], step[b], analog);
                float output = MathF.FusedMultiplyAdd(analog, inputs.ColumnScale[j], bias[j]);
                for (int r = 0; r < rank; r++) output = MathF.FusedMultiplyAdd(h[r], bScaled[r * outs + j], output);
                y[t * outs + j] = Fp16.FromSingle(output);
            }
        }
        return y;
    }

    /// <summary>The engine kernel (docs/arithmetic-contract.md, engine section): h = x A + 0 and y = h (s B) + y0 as
    /// engine jobs (<see cref="EngineArithmetic"/>), y0 the de-scaled tile output rounded to FP16.</summary>
    static ushort[] Engine(KernelLayer k, KernelInputs inputs)
    {
        int tokens = inputs.Tokens, ins = k.InFeatures, outs = k.OutFeatures, rank = k.Rank, blocks = k.InputBlocks;
        var bScaled = new ushort[rank * outs];
        for (int i = 0; i < bScaled.Length; i++) bScaled[i] = Fp16.FromSingle(Fp16.ToSingle(inputs.LoraB[i]) * k.LoraScale);
        var h = new ushort[tokens * rank];
        EngineArithmetic.Gemm(inputs.X, inputs.LoraA, h, tokens, ins, rank);
        var y = new ushort[tokens * outs];
        var step = new float[blocks];
        for (int t = 0; t < tokens; t++)
        {
            for (int b = 0; b < blocks; b++) step[b] = k.AdcStep * inputs.InputScale[b * tokens + t];
            for (int j = 0; j < outs; j++)
            {
                float analog = 0f;
                for (int b = 0; b < blocks; b++) analog = MathF.FusedMultiplyAdd(inputs.Codes[(b * tokens + t) * outs + j], step[b], analog);
                y[t * outs + j] = Fp16.FromSingle(MathF.FusedMultiplyAdd(analog, inputs.ColumnScale[j], Fp16.ToSingle(inputs.Bias[j])));
            }
        }
        EngineArithmetic.Gemm(h, bScaled, y, tokens, rank, outs);
        return y;
    }
}
