using System;
using Ahwa.Hardware;
using Ahwa.Simulator;

namespace Ahwa.Lab.Kernels;

/// <summary>Operands of one layer's digital part, in the kernel's layouts (see the kernel header).</summary>
public sealed record KernelInputs(
    int Tokens,
    short[] Codes,
    float[] InputScale,
    float[] ColumnScale,
    ushort[] Bias,
    ushort[] X,
    ushort[] LoraA,
    ushort[] LoraB)
{
    public void Validate(KernelLayer k)
    {
        Check(Codes.Length, (long)k.InputBlocks * Tokens * k.OutFeatures, nameof(Codes));
        Check(InputScale.Length, (long)k.InputBlocks * Tokens, nameof(InputScale));
        Check(ColumnScale.Length, k.OutFeatures, nameof(ColumnScale));
        Check(Bias.Length, k.OutFeatures, nameof(Bias));
        Check(X.Length, (long)Tokens * k.InFeatures, nameof(X));
        Check(LoraA.Length, (long)k.InFeatures * k.Rank, nameof(LoraA));
        Check(LoraB.Length, (long)k.Rank * k.OutFeatures, nameof(LoraB));

        void Check(int actual, long expected, string name)
        {
            if (actual != expected) throw new ArgumentException($"Kernel '{k.Symbol}': {name} has {actual} elements; expected {expected}.", name);
        }
    }

    /// <summary>Seeded random operands that stress the contract: FP16 negative zeros, subnormals and values
    /// near the FP16 maximum among ordinary values, ADC codes over the whole range.</summary>
    public static KernelInputs Random(KernelLayer k, int tokens, int adcBits, ulong seed)
    {
        var random = RandomStream.For(seed, StreamPurpose.KernelInputs, 0);
        int maxCode = Converters.Steps(adcBits) / 2;
        var codes = new short[k.InputBlocks * tokens * k.OutFeatures];
        for (int i = 0; i < codes.Length; i++) codes[i] = (short)((long)(random.NextUInt64() % (ulong)(2 * maxCode + 1)) - maxCode);
        var inputScale = new float[k.InputBlocks * tokens];
        for (int i = 0; i < inputScale.Length; i++) inputScale[i] = (float)Math.Exp(random.NextGaussian() * 2);
        var columnScale = new float[k.OutFeatures];
        for (int i = 0; i < columnScale.Length; i++) columnScale[i] = (float)(random.NextGaussian() * 0.1);
        return new KernelInputs(tokens, codes, inputScale, columnScale,
            Halves(k.OutFeatures, ref random), Halves(tokens * k.InFeatures, ref random),
            Halves(k.InFeatures * k.Rank, ref random), Halves(k.Rank * k.OutFeatures, ref random));
    }

    static ushort[] Halves(int count, ref RandomStream random)
    {
        var values = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            ulong pick = random.NextUInt64();
            ushort sign = (ushort)((pick >> 8) & 0x8000);
            values[i] = (pick & 0xFF) switch
            {
                < 4 => sign,                                            // +-0
                < 10 => (ushort)(sign | (1 + (pick >> 16) % 0x3FF)),    // subnormal
                < 13 => (ushort)(sign | (0x7B00 + (pick >> 16) % 0x100)), // near the maximum 65504
                _ => Fp16.FromSingle((float)(random.NextGaussian() * 0.5)),
            };
        }
        return values;
    }
}
