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
    /// <summary>The chip an unset <see cref="AnalogChipAttribute"/> describes; the attribute holds the numbers.</summary>
    public static ChipSpec Default { get; } = From(new AnalogChipAttribute());

    public static ChipSpec From(AnalogChipAttribute a) => new(
        a.TileRows, a.TileCols, a.Tiles, a.DacBits, a.AdcBits, a.OutputBound, a.OutputNoise, a.WeightNoise, a.WeightClipSigma,
        a.BoundManagement, a.BoundManagementLimit, a.NoiseManagement, a.Device, a.GMaxMicroSiemens);

    public int TileCapacity => TileRows * TileCols;
}

/// <summary>A LoRA adapter: A (in x r), B (r x out), scale alpha / r, dropout on its input.</summary>
public sealed record LoraSpec(int Rank, double Alpha, double Dropout)
{
    /// <summary>The adapter an unset <see cref="LoraDefaultsAttribute"/> describes.</summary>
    public static LoraSpec Default { get; } = From(new LoraDefaultsAttribute());

    public static LoraSpec From(LoraDefaultsAttribute a) => new(a.Rank, a.Alpha, a.Dropout);

    public double Scale => Alpha / Rank;

    public long ParameterCount(int inFeatures, int outFeatures) => (long)Rank * (inFeatures + outFeatures);
}

/// <summary>The RISC-V cluster that runs the digital LoRA branch, with or without a RedMulE-class matrix engine. The
/// engine geometry's parameter defaults are the attribute's constants, so a three-argument cluster is engine-less.</summary>
public sealed record ClusterSpec(int Cores, int L1KiB, ClusterDataType DataType, bool MatrixEngine = false,
    int EngineWidth = RiscVClusterAttribute.DefaultEngineWidth, int EngineHeight = RiscVClusterAttribute.DefaultEngineHeight,
    int EnginePipeRegs = RiscVClusterAttribute.DefaultEnginePipeRegs)
{
    /// <summary>The cluster an unset <see cref="RiscVClusterAttribute"/> describes.</summary>
    public static ClusterSpec Default { get; } = From(new RiscVClusterAttribute());

    public static ClusterSpec From(RiscVClusterAttribute a) =>
        new(a.Cores, a.L1KiB, a.DataType, a.MatrixEngine, a.EngineWidth, a.EngineHeight, a.EnginePipeRegs);

    /// <summary>FP16 fused multiply-adds the engine issues per cycle (width x height; 32 for the default instance).</summary>
    public int EngineFmas => EngineWidth * EngineHeight;
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
