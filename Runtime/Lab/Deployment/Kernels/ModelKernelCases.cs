using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Runtime;
using Ahwa.Simulator;
using static TorchSharp.torch;

namespace Ahwa.Lab.Kernels;

/// <summary>Kernel cross-check cases for every analog layer with an adapter of a model as it now is: the layer's own
/// LoRA matrices, bias and column scales (max |w| of the clipped row x learned output scale), with seeded activations
/// and ADC codes, each on the kernel generated for that layer.</summary>
public static class ModelKernelCases
{
    /// <summary>Cases on the kernels of the model's generated plan (<see cref="AhwaModel.DeploymentPlan"/>).</summary>
    public static IReadOnlyList<KernelCase> Create(AhwaModel model, int tokens, ulong seed)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (tokens < 1) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "At least one token is needed.");
        var plan = model.DeploymentPlan;
        var cases = new List<KernelCase>();
        using var noGrad = no_grad();
        foreach (var (layer, index) in model.AnalogLayers.Select((l, i) => (l, i)))
        {
            if (layer.LoraA is null || layer.LoraB is null) continue;
            var kernel = plan.KernelOf(layer.Spec.Name);
            var random = KernelInputs.Random(kernel, tokens, model.ModelSpec.Chip.AdcBits, RandomStream.Derive(seed, StreamPurpose.KernelInputs, index));
            var inputs = random with
            {
                LoraA = Halves(layer.LoraA.weight!.t()),   // [in][rank]
                LoraB = Halves(layer.LoraB.weight!.t()),   // [rank][out]
                Bias = layer.bias is null ? new ushort[kernel.OutFeatures] : Halves(layer.bias),
                ColumnScale = ColumnScale(layer),
            };
            inputs.Validate(kernel);
            cases.Add(new KernelCase(kernel, inputs, model.ModelSpec.Cluster.Cores));
        }
        return cases;
    }

    /// <summary>One case per shared kernel of a plan, every operand seeded at random (LoRA A and B included): the
    /// kernels of a model too large to build here (LLaMA-3.1-8B), checked from <c>MyModel.Spec</c> and <c>MyModel.Plan</c>
    /// alone. The layer whose kernel a case checks is the kernel's first layer.</summary>
    public static IReadOnlyList<KernelCase> FromPlan(ModelSpec spec, DeploymentPlan plan, int tokens, ulong seed)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        if (plan is null) throw new ArgumentNullException(nameof(plan));
        if (tokens < 1) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "At least one token is needed.");
        return plan.Kernels.Where(k => k.Rank > 0).Select((kernel, index) =>
        {
            var inputs = KernelInputs.Random(kernel, tokens, spec.Chip.AdcBits, RandomStream.Derive(seed, StreamPurpose.KernelInputs, index));
            inputs.Validate(kernel);
            return new KernelCase(kernel, inputs, spec.Cluster.Cores);
        }).ToList();
    }

    static ushort[] Halves(Tensor values) =>
        values.detach().contiguous().to_type(ScalarType.Float32).data<float>().ToArray().Select(Fp16.FromSingle).ToArray();

    static float[] ColumnScale(AnalogLinear layer)
    {
        using var clipped = HardwareAwareForward.Clip(layer.weight.detach(), layer.Chip);
        using var scale = HardwareAwareForward.ColumnScale(clipped).squeeze(1).mul(layer.output_scale.detach());
        return scale.contiguous().data<float>().ToArray();
    }
}
