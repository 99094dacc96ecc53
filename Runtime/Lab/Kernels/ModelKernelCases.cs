using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Ahwa.Hardware;
using Ahwa.Runtime;
using static TorchSharp.torch;

namespace Ahwa.Lab.Kernels;

/// <summary>Kernel cross-check cases for every analog layer with an adapter of a model as it now is: the layer's own
/// LoRA matrices, bias and column scales (max |w| of the clipped row x learned output scale), with seeded activations
/// and ADC codes, each on the kernel generated for that layer.</summary>
public static class ModelKernelCases
{
    /// <summary>Cases on the kernels of <paramref name="artifacts"/>, the model's generated <c>Artifacts</c>.</summary>
    public static IReadOnlyList<KernelCase> Create(AhwaModel model, IReadOnlyList<Artifact> artifacts, int tokens, ulong seed)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (tokens < 1) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "At least one token is needed.");
        var kernels = KernelsByLayer(model.ModelSpec, artifacts);
        var cases = new List<KernelCase>();
        using var noGrad = no_grad();
        foreach (var (layer, index) in model.AnalogLayers.Select((l, i) => (l, i)))
        {
            if (layer.LoraA is null || layer.LoraB is null || !kernels.TryGetValue(layer.Spec.Name, out var kernel)) continue;
            var random = KernelInputs.Random(kernel, tokens, model.ModelSpec.Chip.AdcBits, unchecked(seed + (ulong)index));
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

    /// <summary>Each analog layer's kernel as the generator named it (the manifest's layer -> symbol map; layers
    /// sharing a symbol share the first one's plan). Interim: the generated deployment plan will replace this.</summary>
    static Dictionary<string, KernelLayer> KernelsByLayer(ModelSpec spec, IReadOnlyList<Artifact> artifacts)
    {
        var manifest = artifacts.FirstOrDefault(a => a.Path == "manifest.json")
            ?? throw new ArgumentException("The artifacts have no manifest.json; pass the model's generated Artifacts.", nameof(artifacts));
        using var json = JsonDocument.Parse(manifest.Text);
        var symbols = json.RootElement.GetProperty("layers").EnumerateArray()
            .ToDictionary(l => l.GetProperty("layer").GetString()!, l => l.GetProperty("kernel").GetString()!);
        var bySymbol = new Dictionary<string, KernelLayer>();
        var result = new Dictionary<string, KernelLayer>();
        foreach (var layer in spec.Layers.Where(l => l.IsAnalog))
        {
            if (!symbols.TryGetValue(layer.Name, out var symbol)) continue;
            if (!bySymbol.TryGetValue(symbol, out var kernel))
            {
                var planned = MemoryPlanner.Plan(layer, spec.Chip, spec.Cluster).Kernel
                    ?? throw new InvalidOperationException($"Layer '{layer.Name}' does not fit the cluster's L1.");
                bySymbol.Add(symbol, kernel = planned with { Symbol = symbol });
            }
            result.Add(layer.Name, kernel);
        }
        return result;
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
