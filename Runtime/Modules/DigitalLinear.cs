using System;
using Ahwa.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime
{
    /// <summary>A linear layer that stays digital (task heads). Trained in full under AHWA-LoRA unless it carries an adapter.</summary>
    public sealed class DigitalLinear : nn.Module<Tensor, Tensor>
    {
        readonly Linear? loraA;
        readonly Linear? loraB;
        readonly Dropout? loraDropout;

        public DigitalLinear(LayerSpec spec, Generator generator) : base(nameof(DigitalLinear))
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            if (spec.IsAnalog) throw new ArgumentException($"Layer '{spec.Name}' is analog, not digital.", nameof(spec));
            Spec = spec;
            weight = nn.Parameter(empty(spec.OutFeatures, spec.InFeatures));
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

        /// <summary>Everything is registered explicitly under PEFT's names; TorchSharp's field reflection would add duplicates.</summary>
        protected override void RegisterComponents()
        {
        }

#pragma warning disable IDE1006 // PyTorch naming, so state_dict keys match Hugging Face.
        public Parameter weight { get; }
        public Parameter? bias { get; }
#pragma warning restore IDE1006

        public override Tensor forward(Tensor input)
        {
            if (input.shape[^1] != Spec.InFeatures)
                throw new ArgumentException($"Layer '{Spec.Name}' expects {Spec.InFeatures} input features, got shape [{string.Join(", ", input.shape)}].", nameof(input));
            using var scope = NewDisposeScope();
            var y = nn.functional.linear(input, weight, bias);
            if (loraA is not null) y = y.add(LoraBranch.Forward(input, loraA, loraB!, loraDropout, Spec.Lora!.Scale));
            return y.MoveToOuterDisposeScope();
        }
    }
}
