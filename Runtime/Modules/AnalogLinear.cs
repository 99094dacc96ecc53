using System;
using Ahwa.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime
{
    /// <summary>
    /// An analog-stationary linear layer with an optional digital LoRA branch. Parameters, named as PEFT and
    /// Hugging Face do: <c>weight</c> (out x in, the meta-weight, frozen unless full AHWA training),
    /// <c>bias</c> (digital), <c>output_scale</c> (per-column, learned in full AHWA, starts at 1),
    /// <c>lora_A.weight</c>, <c>lora_B.weight</c>.
    /// This forward is the digital (floating-point) computation of the deployed layer.
    /// </summary>
    public sealed class AnalogLinear : nn.Module<Tensor, Tensor>
    {
        readonly Linear? loraA;
        readonly Linear? loraB;
        readonly Dropout? loraDropout;

        public AnalogLinear(LayerSpec spec, Generator generator) : base(nameof(AnalogLinear))
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (!spec.IsAnalog) throw new ArgumentException($"Layer '{spec.Name}' is {spec.Kind}, not analog.", nameof(spec));
            Spec = spec;

            weight = nn.Parameter(empty(spec.OutFeatures, spec.InFeatures), requires_grad: false);
            using (no_grad()) Init.KaimingUniform(weight, spec.InFeatures, generator);
            register_parameter("weight", weight);
            if (spec.Bias)
            {
                bias = nn.Parameter(zeros(spec.OutFeatures));
                register_parameter("bias", bias);
            }
            output_scale = nn.Parameter(ones(spec.OutFeatures), requires_grad: false);
            register_parameter("output_scale", output_scale);

            if (spec.Lora is not null)
            {
                (loraA, loraB, loraDropout) = LoraBranch.Create(spec, spec.Lora, generator);
                register_module("lora_A", loraA);
                register_module("lora_B", loraB);
                if (loraDropout is not null) register_module("lora_dropout", loraDropout);
            }
        }

        public LayerSpec Spec { get; }

        /// <summary>Everything is registered explicitly under PEFT's names; TorchSharp's field reflection would add duplicates.</summary>
        protected override void RegisterComponents()
        {
        }

#pragma warning disable IDE1006 // PyTorch naming, so state_dict keys match Hugging Face and PEFT.
        public Parameter weight { get; }
        public Parameter? bias { get; }
        public Parameter output_scale { get; }
#pragma warning restore IDE1006

        public Linear? LoraA => loraA;
        public Linear? LoraB => loraB;

        public override Tensor forward(Tensor input)
        {
            if (input.shape[^1] != Spec.InFeatures)
                throw new ArgumentException($"Layer '{Spec.Name}' expects {Spec.InFeatures} input features, got shape [{string.Join(", ", input.shape)}].", nameof(input));
            using var scope = NewDisposeScope();
            var y = nn.functional.linear(input, weight).mul(output_scale);
            if (bias is not null) y = y.add(bias);
            if (loraA is not null) y = y.add(LoraBranch.Forward(input, loraA, loraB!, loraDropout, Spec.Lora!.Scale));
            return y.MoveToOuterDisposeScope();
        }
    }
}
