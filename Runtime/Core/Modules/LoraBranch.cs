using System;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>Parameters of a LoRA adapter with PEFT's names (<c>lora_A.weight</c>: r x in, <c>lora_B.weight</c>: out x r).
/// A is Kaiming-uniform (a = sqrt 5, as nn.Linear and PEFT), B is zero, so training starts from the base model.</summary>
static class LoraBranch
{
    public static (Linear A, Linear B, LoraDropout? Dropout) Create(LayerSpec layer, LoraSpec lora, Generator generator)
    {
        Linear a, b;
        lock (LayerFactory.GlobalGenerator)
        {
            a = nn.Linear(layer.InFeatures, lora.Rank, hasBias: false);
            b = nn.Linear(lora.Rank, layer.OutFeatures, hasBias: false);
        }
        using (no_grad())
        {
            Init.KaimingUniform(a.weight!, layer.InFeatures, generator);
            b.weight!.zero_();
        }
        var dropout = lora.Dropout > 0 ? new LoraDropout(lora.Dropout) : null;
        return (a, b, dropout);
    }

    /// <summary>s * B(A(dropout(x))).</summary>
    public static Tensor Forward(Tensor x, Linear a, Linear b, LoraDropout? dropout, double scale)
    {
        using var dropped = dropout is null ? x.alias() : dropout.call(x);
        using var down = a.call(dropped);
        using var up = b.call(down);
        return up.mul(scale);
    }
}

/// <summary>LoRA's dropout on the branch input, with counter-based masks: call n after <see cref="Seed"/> draws under the key
/// (seed, Dropout, n), one uniform per element, so masks are reproducible whatever the thread count (LibTorch's
/// dropout draws from one sequential generator and costs about as much as a 512 x 512 matrix product here).</summary>
public sealed class LoraDropout : nn.Module<Tensor, Tensor>
{
    readonly float probability;
    ulong seed = RandomStream.Derive(LayerFactory.DefaultSeed, StreamPurpose.Dropout, 0);
    long calls;

    public LoraDropout(double probability) : base(nameof(LoraDropout))
    {
        HardwareRules.Require(nameof(probability), probability, HardwareRules.LoraDropout(probability));
        this.probability = (float)probability;
    }

    /// <summary>Restarts the masks from <paramref name="value"/>.</summary>
    public void Seed(ulong value)
    {
        seed = value;
        calls = 0;
    }

    public override unsafe Tensor forward(Tensor input)
    {
        if (!training || probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        var mask = empty(input.shape, ScalarType.Float32);
        ulong key = RandomStream.Derive(seed, StreamPurpose.Dropout, ++calls);
        IntPtr data = (IntPtr)TensorMemory.Floats(mask);
        int count = checked((int)mask.numel());
        TensorMemory.ForRanges(count, 1 << 14, (first, end) =>
            CounterRandom.FillDropoutMask(key, first, probability, new Span<float>((float*)data + first, end - first)));
        return input.mul(input.dtype == ScalarType.Float32 ? mask : mask.to_type(input.dtype)).MoveToOuterDisposeScope();
    }
}

/// <summary>Seeded weight initialisers (TorchSharp's nn.init has no generator argument for Kaiming).</summary>
static class Init
{
    /// <summary>Kaiming-uniform with a = sqrt(5): bound = sqrt(6 / ((1 + a^2) fan_in)) = 1 / sqrt(fan_in).</summary>
    public static void KaimingUniform(Tensor weight, int fanIn, Generator generator)
    {
        double bound = 1.0 / Math.Sqrt(fanIn);
        // Tensor.uniform_ honours the generator; nn.init.uniform_ in TorchSharp 0.107 ignores it.
        weight.uniform_(-bound, bound, generator: generator);
    }
}
