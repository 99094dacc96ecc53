using System;
using Ahwa.Hardware;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>What analog and digital linear layers share: the weight (out x in), the optional bias and the optional
/// LoRA branch, registered under Hugging Face and PEFT names (<c>weight</c>, <c>bias</c>, <c>lora_A.weight</c>,
/// <c>lora_B.weight</c>), all initialised from one seeded generator.</summary>
public abstract class AhwaLinear : nn.Module<Tensor, Tensor>
{
    readonly Linear? loraA;
    readonly Linear? loraB;
    readonly LoraDropout? loraDropout;

    protected AhwaLinear(string name, LayerSpec spec, Generator generator, bool weightTrainable) : base(name)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        weight = nn.Parameter(empty(spec.OutFeatures, spec.InFeatures), requires_grad: weightTrainable);
        using (no_grad()) Init.KaimingUniform(weight, spec.InFeatures, generator);
        register_parameter("weight", weight);
        if (spec.Bias)
        {
            bias = nn.Parameter(zeros(spec.OutFeatures));
            register_parameter("bias", bias);
        }
        if (spec.Lora is not null)
        {
            (loraA, loraB, loraDropout) = LoraBranch.Create(spec, spec.Lora, generator);
            register_module("lora_A", loraA);
            register_module("lora_B", loraB);
            if (loraDropout is not null) register_module("lora_dropout", loraDropout);
        }
    }

    public LayerSpec Spec { get; }

#pragma warning disable IDE1006 // PyTorch naming, so state_dict keys match Hugging Face and PEFT.
    public Parameter weight { get; }
    public Parameter? bias { get; }
#pragma warning restore IDE1006

    public Linear? LoraA => loraA;

    /// <summary>Restarts the LoRA dropout masks from <paramref name="seed"/> (no effect without dropout).</summary>
    public void SeedDropout(ulong seed) => loraDropout?.Seed(seed);
    public Linear? LoraB => loraB;

    /// <summary>Everything is registered explicitly under PEFT's names; TorchSharp's field reflection would add duplicates.</summary>
    protected override void RegisterComponents()
    {
    }

    protected void CheckInput(Tensor input)
    {
        if (input.shape[^1] != Spec.InFeatures)
            throw new ArgumentException($"Layer '{Spec.Name}' expects {Spec.InFeatures} input features, got shape [{string.Join(", ", input.shape)}].", nameof(input));
    }

    /// <summary>y + bias + s B(A(dropout(x))).</summary>
    protected Tensor AddBiasAndLora(Tensor y, Tensor input)
    {
        if (bias is not null) y = y.add(bias, One);
        if (loraA is not null) y = y.add(LoraBranch.Forward(input, loraA, loraB!, loraDropout, Spec.Lora!.Scale), One);
        return y;
    }

    // add(Tensor) makes a temporary alpha Scalar that the GC may finalise while the native call still reads it (seen
    // once as a garbage alpha failing LibTorch's toFloat check); a Scalar held for the process's life cannot be.
    static readonly Scalar One = 1.0f;
}
