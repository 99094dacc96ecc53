using Ahwa.Dsl;

namespace Ahwa.Hardware;

/// <summary>The analog chip: tile geometry, converters, noise and device settings (HARDWARE-MODEL.md defaults).</summary>
public sealed record ChipSpec(
    int TileRows,
    int TileCols,
    int Tiles,
    int DacBits,
    int AdcBits,
    double OutputBound,
    double OutputNoise,
    double WeightNoise,
    double WeightClipSigma,
    BoundManagement BoundManagement,
    double BoundManagementLimit,
    NoiseManagement NoiseManagement,
    DeviceModel Device,
    double GMaxMicroSiemens)
{
    public static ChipSpec Default { get; } = new ChipSpec(
        TileRows: 512, TileCols: 512, Tiles: 1024, DacBits: 8, AdcBits: 8, OutputBound: 12.0,
        OutputNoise: 0.04, WeightNoise: 0.067, WeightClipSigma: 3.0,
        BoundManagement: BoundManagement.Iterative, BoundManagementLimit: 1000.0,
        NoiseManagement: NoiseManagement.AbsMax, Device: DeviceModel.PcmLike, GMaxMicroSiemens: 25.0);

    public int TileCapacity => TileRows * TileCols;
}

/// <summary>A LoRA adapter: A (in x r), B (r x out), scale alpha / r, dropout on its input.</summary>
public sealed record LoraSpec(int Rank, double Alpha, double Dropout)
{
    public static LoraSpec Default { get; } = new LoraSpec(8, 32.0, 0.1);

    public double Scale => Alpha / Rank;

    public long ParameterCount(int inFeatures, int outFeatures) => (long)Rank * (inFeatures + outFeatures);
}

/// <summary>The RISC-V cluster that runs the digital LoRA branch.</summary>
public sealed record ClusterSpec(int Cores, int L1KiB, ClusterDataType DataType)
{
    public static ClusterSpec Default { get; } = new ClusterSpec(8, 128, ClusterDataType.Fp16);
}

public enum LayerKind
{
    Analog = 0,
    Digital = 1,
}

/// <summary>One linear layer of a model, named as in Hugging Face (<c>encoder.layer.3.attention.self.query</c>).
/// <see cref="Lora"/> is null when the layer has no adapter.</summary>
public sealed record LayerSpec(string Name, LayerKind Kind, int InFeatures, int OutFeatures, bool Bias, LoraSpec? Lora)
{
    public bool IsAnalog => Kind == LayerKind.Analog;

    public long WeightCount => (long)InFeatures * OutFeatures;

    public long BaseParameterCount => WeightCount + (Bias ? OutFeatures : 0);

    public long LoraParameterCount => Lora?.ParameterCount(InFeatures, OutFeatures) ?? 0;
}

/// <summary>A whole model: its hardware and every linear layer in declaration order, blocks expanded.</summary>
public sealed record ModelSpec(
    string Name,
    ChipSpec Chip,
    LoraSpec LoraDefaults,
    ClusterSpec Cluster,
    EquatableArray<LayerSpec> Layers)
{
    public LayerSpec Layer(string name)
    {
        foreach (var layer in Layers)
            if (layer.Name == name) return layer;
        throw new System.Collections.Generic.KeyNotFoundException($"Model '{Name}' has no layer named '{name}'.");
    }
}
