using System;

namespace Ahwa.Dsl;

/// <summary>
/// Marks a <c>partial class</c> as an Ahwa model. The generator adds its layers as TorchSharp modules,
/// its layer spec, weight-name map, parameter groups and tile map. Defaults follow
/// shared/design/HARDWARE-MODEL.md.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AnalogModelAttribute : Attribute
{
}

/// <summary>The analog in-memory computing chip that holds the model's stationary weights.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AnalogChipAttribute : Attribute
{
    /// <summary>Crossbar rows (inputs, word lines) per tile. aihwkit default and the paper: 512.</summary>
    public int TileRows { get; set; } = 512;
    /// <summary>Crossbar columns (outputs, bit lines) per tile. aihwkit default and the paper: 512.</summary>
    public int TileCols { get; set; } = 512;
    /// <summary>Tiles on the chip. 1024 holds a BERT-base encoder at 512 x 512 (480 tiles) with room to spare.</summary>
    public int Tiles { get; set; } = 1024;
    /// <summary>DAC resolution in bits (8: 1/254 steps over [-1, 1]); 0 is an ideal DAC (no quantisation), as in the
    /// paper's LLaMA runs.</summary>
    public int DacBits { get; set; } = 8;
    /// <summary>ADC resolution in bits (8: 1/254 of the output range); 0 is an ideal ADC (no quantisation; outputs still
    /// clip at <see cref="OutputBound"/>). A chip with an ideal ADC trains and evaluates but gets no LoRA kernels
    /// (they take ADC codes; AHWA0029).</summary>
    public int AdcBits { get; set; } = 8;
    /// <summary>ADC output bound in normalised units (+-12).</summary>
    public double OutputBound { get; set; } = 12.0;
    /// <summary>Output noise std in normalised output units (0.04).</summary>
    public double OutputNoise { get; set; } = 0.04;
    /// <summary>Training weight-noise std as a fraction of max|W| of the tile (0.067).</summary>
    public double WeightNoise { get; set; } = 0.067;
    /// <summary>Weights are clipped at this many standard deviations of the layer's weights (3); 0 clips nothing (the
    /// paper's LLaMA runs).</summary>
    public double WeightClipSigma { get; set; } = 3.0;
    public BoundManagement BoundManagement { get; set; } = BoundManagement.Iterative;
    /// <summary>Largest input down-scaling bound management may reach (aihwkit: 1000).</summary>
    public double BoundManagementLimit { get; set; } = 1000.0;
    public NoiseManagement NoiseManagement { get; set; } = NoiseManagement.AbsMax;
    public DeviceModel Device { get; set; } = DeviceModel.PcmLike;
    /// <summary>Largest device conductance in microsiemens (25 uS).</summary>
    public double GMaxMicroSiemens { get; set; } = 25.0;
}

/// <summary>LoRA adapter defaults for every linear layer of the model (AHWA-LoRA recipe).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LoraDefaultsAttribute : Attribute
{
    public int Rank { get; set; } = 8;
    public double Alpha { get; set; } = 32.0;
    public double Dropout { get; set; } = 0.1;
}

/// <summary>The digital RISC-V cluster that computes the LoRA branch (Snitch-style).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RiscVClusterAttribute : Attribute
{
    // The defaults as constants, so ClusterSpec's and the timing model's parameter defaults read these, not copies.
    public const int DefaultCores = 8, DefaultL1KiB = 128, DefaultEngineWidth = 8, DefaultEngineHeight = 4, DefaultEnginePipeRegs = 3;

    /// <summary>Worker cores (8 in a Snitch cluster).</summary>
    public int Cores { get; set; } = DefaultCores;
    /// <summary>Tightly coupled L1 memory in KiB (128).</summary>
    public int L1KiB { get; set; } = DefaultL1KiB;
    public ClusterDataType DataType { get; set; } = ClusterDataType.Fp16;
    /// <summary>A RedMulE-class matrix engine computes the LoRA products (Z = X W + Z, FP16 datapath, accumulating onto the
    /// de-scaled tile output; docs/arithmetic-contract.md, engine section). Off: FP32 scalar kernels on the cores.</summary>
    public bool MatrixEngine { get; set; }
    /// <summary>Engine rows of computing elements, rows of X in flight (RedMulE ARRAY_WIDTH; 8 in redmule_engine.sv's
    /// defaults, the 32-FMA instance).</summary>
    public int EngineWidth { get; set; } = DefaultEngineWidth;
    /// <summary>Computing elements (FP16 FMAs) per engine row (RedMulE ARRAY_HEIGHT; 4, pulp-platform/redmule README).</summary>
    public int EngineHeight { get; set; } = DefaultEngineHeight;
    /// <summary>Pipeline registers per computing element (RedMulE PIPE_REGS; 3, pulp-platform/redmule README).</summary>
    public int EnginePipeRegs { get; set; } = DefaultEnginePipeRegs;
}
