using System;
using Ahwa.Hardware;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>Parameters of a LoRA adapter with PEFT's names (<c>lora_A.weight</c>: r x in, <c>lora_B.weight</c>: out x r).
/// A is Kaiming-uniform (a = sqrt 5, as nn.Linear and PEFT), B is zero, so training starts from the base model.</summary>
static class LoraBranch
{
    public static (Linear A, Linear B, Dropout? Dropout) Create(LayerSpec layer, LoraSpec lora, Generator generator)
    {
        var a = nn.Linear(layer.InFeatures, lora.Rank, hasBias: false);
        var b = nn.Linear(lora.Rank, layer.OutFeatures, hasBias: false);
        using (no_grad())
        {
            Init.KaimingUniform(a.weight!, layer.InFeatures, generator);
            b.weight!.zero_();
        }
        var dropout = lora.Dropout > 0 ? nn.Dropout(lora.Dropout) : null;
        return (a, b, dropout);
    }

    /// <summary>s * B(A(dropout(x))).</summary>
    public static Tensor Forward(Tensor x, Linear a, Linear b, Dropout? dropout, double scale)
    {
        using var dropped = dropout is null ? x.alias() : dropout.call(x);
        using var down = a.call(dropped);
        using var up = b.call(down);
        return up.mul(scale);
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
