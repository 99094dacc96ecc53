using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>The parameters of a model split by what trains them in AHWA-LoRA.</summary>
/// <param name="MetaWeights">Analog-stationary weights and their per-column output scales: frozen in AHWA-LoRA.</param>
/// <param name="Lora">LoRA A and B matrices: the only analog-side parameters AHWA-LoRA trains.</param>
/// <param name="Digital">Everything else (biases, digital layers, embeddings, layer norms, task heads).</param>
public sealed record ParameterGroups(
    IReadOnlyList<(string Name, Parameter Parameter)> MetaWeights,
    IReadOnlyList<(string Name, Parameter Parameter)> Lora,
    IReadOnlyList<(string Name, Parameter Parameter)> Digital)
{
    public long Count(IReadOnlyList<(string Name, Parameter Parameter)> group) => group.Sum(p => p.Parameter.numel());

    public long Total => Count(MetaWeights) + Count(Lora) + Count(Digital);
}

/// <summary>Which parameters train.</summary>
public enum TrainingRegime
{
    /// <summary>AHWA-LoRA: LoRA adapters and task heads only; the analog meta-weights stay as programmed.</summary>
    AhwaLora = 0,
    /// <summary>Full AHWA: every weight, under the same hardware noise.</summary>
    FullAhwa = 1,
    /// <summary>Pretraining the base model (the meta-weights an adapter later starts from): every parameter except the
    /// LoRA matrices, which keep their initial state (B zero, so the adapter starts as a no-op).</summary>
    Pretraining = 2,
}

/// <summary>Base of a generated [AnalogModel] class.</summary>
public abstract class AhwaModel : AhwaModuleBase
{
    IReadOnlyList<AnalogLinear>? analogLayers;
    IReadOnlyList<DigitalLinear>? digitalLayers;

    protected AhwaModel(string name, ModelSpec spec, DeploymentPlan plan) : base(name)
    {
        ModelSpec = spec ?? throw new ArgumentNullException(nameof(spec));
        DeploymentPlan = plan ?? throw new ArgumentNullException(nameof(plan));
    }

    /// <summary>The hardware and layer description the generator produced for this model.</summary>
    public ModelSpec ModelSpec { get; }

    /// <summary>The tile map and cluster kernels the generator planned for this model (its static <c>Plan</c>).</summary>
    public DeploymentPlan DeploymentPlan { get; }

    /// <summary>Analog layers in registration (declaration) order.</summary>
    public IReadOnlyList<AnalogLinear> AnalogLayers => analogLayers ??= modules().OfType<AnalogLinear>().ToList();

    /// <summary>Digital linear layers in registration (declaration) order.</summary>
    public IReadOnlyList<DigitalLinear> DigitalLayers => digitalLayers ??= modules().OfType<DigitalLinear>().ToList();

    /// <summary>The analog or digital linear layer with the given full name.</summary>
    public nn.Module Layer(string name)
    {
        foreach (var layer in AnalogLayers) if (layer.Spec.Name == name) return layer;
        foreach (var layer in DigitalLayers) if (layer.Spec.Name == name) return layer;
        throw new KeyNotFoundException($"Model '{ModelSpec.Name}' has no linear layer named '{name}'.");
    }

    /// <summary>How every analog layer computes: digital, with training-time noise, or as programmed hardware.</summary>
    public void SetExecution(AnalogExecution execution)
    {
        foreach (var layer in AnalogLayers) layer.Execution = execution;
    }

    /// <summary>Chooses what trains. AHWA-LoRA: the LoRA matrices and the digital layers (task heads); meta-weights,
    /// output scales, biases and everything else frozen. Full AHWA: every parameter. Pretraining: every parameter but
    /// the LoRA matrices.</summary>
    public IReadOnlyList<Parameter> ConfigureTraining(TrainingRegime regime)
    {
        var adapter = new HashSet<Parameter>(AdapterParameters().Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        var lora = new HashSet<Parameter>(ParameterGroups().Lora.Select(p => p.Parameter), ReferenceEqualityComparer.Instance);
        var trainable = new List<Parameter>();
        foreach (var (_, parameter) in named_parameters())
        {
            bool train = regime switch
            {
                TrainingRegime.FullAhwa => true,
                TrainingRegime.Pretraining => !lora.Contains(parameter),
                _ => adapter.Contains(parameter),
            };
            parameter.requires_grad = train;
            if (train) trainable.Add(parameter);
        }
        return trainable;
    }

    /// <summary>A task's own parameters, in registration order: every LoRA matrix and the digital layers (task heads).
    /// AHWA-LoRA trains exactly these; adapter files hold exactly these.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> AdapterParameters()
    {
        var adapter = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (_, parameter) in ParameterGroups().Lora) adapter.Add(parameter);
        foreach (var layer in DigitalLayers) foreach (var parameter in layer.parameters()) adapter.Add(parameter);
        return named_parameters().Where(p => adapter.Contains(p.parameter)).Select(p => (p.name, p.parameter)).ToList();
    }

    /// <summary>Seeds the training-time noise of every analog layer and the LoRA dropout masks of every layer from one seed
    /// (each layer its own stream).</summary>
    public void SeedNoise(ulong seed)
    {
        for (int i = 0; i < AnalogLayers.Count; i++)
        {
            AnalogLayers[i].SeedNoise(RandomStream.Derive(seed, StreamPurpose.WeightNoise, i));
            AnalogLayers[i].SeedDropout(RandomStream.Derive(seed, StreamPurpose.Dropout, i + 1));
        }
        for (int i = 0; i < DigitalLayers.Count; i++) DigitalLayers[i].SeedDropout(RandomStream.Derive(seed, StreamPurpose.Dropout, AnalogLayers.Count + i + 1));
    }

    /// <summary>The device the model's <c>[AnalogChip(Device = ..., GMaxMicroSiemens = ...)]</c> declares, from the one
    /// registry (<see cref="Ahwa.Simulator.DeviceModels"/>): what evaluation programs unless told otherwise.</summary>
    public Ahwa.Simulator.IDeviceModel DeclaredDevice() => Ahwa.Simulator.DeviceModels.For(ModelSpec.Chip);

    /// <summary>Programs every analog layer's meta-weights onto tiles (one device-programming draw per seed).</summary>
    public void Program(Ahwa.Simulator.IDeviceModel device, ulong seed)
    {
        for (int i = 0; i < AnalogLayers.Count; i++) AnalogLayers[i].Program(device, RandomStream.Derive(seed, StreamPurpose.Programming, i));
    }

    /// <summary>Drops every layer's programmed tiles (conductances, drift state: six numbers per meta-weight, 250 MB for
    /// MiniLM), so a program that is done with a programming does not carry it through its next training.</summary>
    public void ReleaseProgramming()
    {
        foreach (var layer in AnalogLayers) layer.ReleaseProgramming();
    }

    /// <summary>Changes DAC and ADC resolution on every analog layer without reprogramming (hardware re-adaptation).</summary>
    public void ChangeConverters(int dacBits, int adcBits)
    {
        foreach (var layer in AnalogLayers) layer.ChangeConverters(dacBits, adcBits);
    }

    /// <summary>Drift and read noise of every programmed layer at <paramref name="seconds"/> after programming.</summary>
    public void DriftTo(double seconds, ulong seed)
    {
        for (int i = 0; i < AnalogLayers.Count; i++) AnalogLayers[i].DriftTo(seconds, RandomStream.Derive(seed, StreamPurpose.Drift, i));
    }

    /// <summary>Splits every parameter into meta-weights, LoRA and digital by its role.</summary>
    public ParameterGroups ParameterGroups()
    {
        var groups = new Dictionary<string, ParameterGroup>(StringComparer.Ordinal);
        foreach (var layer in ModelSpec.Layers)
            foreach (var weight in LayerNaming.WeightNames(layer))
                groups[weight.Name] = GroupOf(layer, weight.Role);

        var meta = new List<(string, Parameter)>();
        var lora = new List<(string, Parameter)>();
        var digital = new List<(string, Parameter)>();
        foreach (var (name, parameter) in named_parameters())
        {
            var group = groups.TryGetValue(name, out var g) ? g : ParameterGroup.Digital;
            (group switch { ParameterGroup.Meta => meta, ParameterGroup.Lora => lora, _ => digital }).Add((name, parameter));
        }
        return new ParameterGroups(meta, lora, digital);
    }

    enum ParameterGroup { Meta, Lora, Digital }

    static ParameterGroup GroupOf(LayerSpec layer, WeightRole role) => role switch
    {
        WeightRole.LoraA or WeightRole.LoraB => ParameterGroup.Lora,
        WeightRole.MetaWeight or WeightRole.OutputScale when layer.IsAnalog => ParameterGroup.Meta,
        _ => ParameterGroup.Digital,
    };
}
