using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Decoders;

/// <summary>Root-mean-square norm as LLaMA uses it: x / sqrt(mean(x^2) + eps), computed in float32 whatever the input
/// type, cast back, then scaled by <c>weight</c> (one parameter, no bias, Hugging Face's name).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // PyTorch naming, so the state_dict key is Hugging Face's ("model.norm.weight").
    public readonly Parameter weight;
#pragma warning restore IDE1006

    public RmsNorm(long size, double epsilon) : base(nameof(RmsNorm))
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "An RMS norm needs at least one feature.");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The RMS norm's epsilon (rms_norm_eps) must be positive.");
        Epsilon = epsilon;
        weight = new Parameter(ones(size));
        RegisterComponents();
    }

    public double Epsilon { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var h = input.to_type(ScalarType.Float32);
        var meanSquare = h.pow(2).mean(new long[] { -1 }, keepdim: true);
        h = h.mul(meanSquare.add(Epsilon).rsqrt());
        return weight.mul(h.to_type(input.dtype)).MoveToOuterDisposeScope();
    }
}
