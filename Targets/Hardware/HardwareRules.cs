using System;
using System.Collections.Generic;
using System.Globalization;
using Ahwa.Dsl;

namespace Ahwa.Hardware;

/// <summary>Which family a rule belongs to, so the generator can give each its stable diagnostic id.</summary>
public enum RuleKind
{
    Dimension = 0,
    ConverterBits = 1,
    Value = 2,
    LoraRank = 3,
    LoraAlpha = 4,
    LoraDropout = 5,
}

/// <summary>One broken rule: the property, its value as written, and what it must be.</summary>
public sealed record RuleViolation(string Name, string Value, string Requirement, RuleKind Kind)
{
    public string Message => Name + " is " + Value + "; it must be " + Requirement + ".";

    public ArgumentOutOfRangeException ToException() => new(Name, Message);
}

/// <summary>
/// The one rule set for valid hardware values. Each rule returns null when the value is valid, else the
/// requirement text; the generator's diagnostics and the run-time guards both show that text.
/// </summary>
public static class HardwareRules
{
    public const int MaxConverterBits = 16;

    /// <summary>Largest cluster L1 in KiB (1 GiB): its size in bytes must fit a 32-bit offset.</summary>
    public const int MaxL1KiB = 1 << 20;

    /// <summary>Most repetitions of one block: the generated code grows with each.</summary>
    public const int MaxBlockCount = 1024;

    /// <summary>Most entries (layers plus the row and column blocks of their tiles) one model may generate; it bounds
    /// the generated source at a few MB and the generator's work before any of it is allocated.</summary>
    public const long MaxGeneratedEntries = 65536;

    /// <summary>Most bytes the string literals generated for one class may add to the assembly's user-string heap. The
    /// heap holds 16 MiB (0xFFFFFF bytes) for the whole assembly, so a quarter is left to each class's output and the
    /// rest to the user's code.</summary>
    public const long MaxGeneratedStringBytes = 4L << 20;

    public static string? Positive(int value) => value > 0 ? null : "positive";

    public static string? L1KiB(int kib) => kib >= 1 && kib <= MaxL1KiB ? null : "between 1 and " + Format(MaxL1KiB) + " KiB";

    public static string? BlockCount(int count) => count >= 1 && count <= MaxBlockCount ? null : "between 1 and " + Format(MaxBlockCount);

    /// <summary>0 is an ideal converter (no quantisation, the range still clips; the paper's LLaMA runs), else 1 to 16 bits.</summary>
    public static string? ConverterBits(int bits) => bits >= 0 && bits <= MaxConverterBits ? null : "0 (ideal) or between 1 and 16 bits";

    public static string? GreaterThanZero(double value) => value > 0 && IsFinite(value) ? null : "greater than 0 and finite";

    public static string? AtLeastZero(double value) => value >= 0 && IsFinite(value) ? null : "at least 0 and finite";

    public static string? AtLeastOne(double value) => value >= 1 && IsFinite(value) ? null : "at least 1 and finite";

    public static string? Defined<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Enum.IsDefined(typeof(TEnum), value) ? null : "a defined " + typeof(TEnum).Name + " value";

    /// <summary>Rank between 1 and min(in, out); <paramref name="maxRank"/> is null while the layer is not known yet.</summary>
    public static string? LoraRank(int rank, int? maxRank) =>
        rank >= 1 && (maxRank is null || rank <= maxRank) ? null
        : maxRank is int max ? "between 1 and min(in, out) = " + max.ToString(CultureInfo.InvariantCulture)
        : "between 1 and min(in, out) of each layer";

    /// <summary>RedMulE's ARRAY_WIDTH is at most ARRAY_HEIGHT x PIPE_REGS (pulp-platform/redmule README).</summary>
    public static string? EngineWidth(int width, int height, int pipeRegs) =>
        width > 0 && (height < 1 || pipeRegs < 1 || width <= (long)height * pipeRegs) ? null : "positive and at most EngineHeight x EnginePipeRegs";

    public static string? LoraAlpha(double alpha) => GreaterThanZero(alpha);

    public static string? LoraDropout(double dropout) => dropout >= 0 && dropout < 1 ? null : "in [0, 1)";

    public static IEnumerable<RuleViolation> Check(ChipSpec chip)
    {
        var found = new List<RuleViolation>();
        Add(found, nameof(AnalogChipAttribute.TileRows), chip.TileRows, Positive(chip.TileRows), RuleKind.Dimension);
        Add(found, nameof(AnalogChipAttribute.TileCols), chip.TileCols, Positive(chip.TileCols), RuleKind.Dimension);
        Add(found, nameof(AnalogChipAttribute.Tiles), chip.Tiles, Positive(chip.Tiles), RuleKind.Dimension);
        Add(found, nameof(AnalogChipAttribute.DacBits), chip.DacBits, ConverterBits(chip.DacBits), RuleKind.ConverterBits);
        Add(found, nameof(AnalogChipAttribute.AdcBits), chip.AdcBits, ConverterBits(chip.AdcBits), RuleKind.ConverterBits);
        Add(found, nameof(AnalogChipAttribute.OutputBound), chip.OutputBound, GreaterThanZero(chip.OutputBound), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.OutputNoise), chip.OutputNoise, AtLeastZero(chip.OutputNoise), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.WeightNoise), chip.WeightNoise, AtLeastZero(chip.WeightNoise), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.WeightClipSigma), chip.WeightClipSigma, AtLeastZero(chip.WeightClipSigma), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.BoundManagementLimit), chip.BoundManagementLimit, AtLeastOne(chip.BoundManagementLimit), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.GMaxMicroSiemens), chip.GMaxMicroSiemens, GreaterThanZero(chip.GMaxMicroSiemens), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.BoundManagement), (int)chip.BoundManagement, Defined(chip.BoundManagement), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.NoiseManagement), (int)chip.NoiseManagement, Defined(chip.NoiseManagement), RuleKind.Value);
        Add(found, nameof(AnalogChipAttribute.Device), (int)chip.Device, Defined(chip.Device), RuleKind.Value);
        return found;
    }

    public static IEnumerable<RuleViolation> Check(ClusterSpec cluster)
    {
        var found = new List<RuleViolation>();
        Add(found, nameof(RiscVClusterAttribute.Cores), cluster.Cores, Positive(cluster.Cores), RuleKind.Dimension);
        Add(found, nameof(RiscVClusterAttribute.L1KiB), cluster.L1KiB, L1KiB(cluster.L1KiB), RuleKind.Dimension);
        Add(found, nameof(RiscVClusterAttribute.DataType), (int)cluster.DataType, Defined(cluster.DataType), RuleKind.Value);
        Add(found, nameof(RiscVClusterAttribute.EngineHeight), cluster.EngineHeight, Positive(cluster.EngineHeight), RuleKind.Dimension);
        Add(found, nameof(RiscVClusterAttribute.EnginePipeRegs), cluster.EnginePipeRegs, Positive(cluster.EnginePipeRegs), RuleKind.Dimension);
        Add(found, nameof(RiscVClusterAttribute.EngineWidth), cluster.EngineWidth, EngineWidth(cluster.EngineWidth, cluster.EngineHeight, cluster.EnginePipeRegs), RuleKind.Dimension);
        return found;
    }

    /// <summary>An adapter's rules; <paramref name="maxRank"/> is min(in, out) of its layer, null for model defaults.</summary>
    public static IEnumerable<RuleViolation> Check(LoraSpec lora, int? maxRank = null)
    {
        var found = new List<RuleViolation>();
        Add(found, nameof(LoraDefaultsAttribute.Rank), lora.Rank, LoraRank(lora.Rank, maxRank), RuleKind.LoraRank);
        Add(found, nameof(LoraDefaultsAttribute.Alpha), lora.Alpha, LoraAlpha(lora.Alpha), RuleKind.LoraAlpha);
        Add(found, nameof(LoraDefaultsAttribute.Dropout), lora.Dropout, LoraDropout(lora.Dropout), RuleKind.LoraDropout);
        return found;
    }

    public static IEnumerable<RuleViolation> Check(LayerSpec layer)
    {
        var found = new List<RuleViolation>();
        Add(found, nameof(LayerSpec.InFeatures), layer.InFeatures, Positive(layer.InFeatures), RuleKind.Dimension);
        Add(found, nameof(LayerSpec.OutFeatures), layer.OutFeatures, Positive(layer.OutFeatures), RuleKind.Dimension);
        if (layer.Lora is not null) found.AddRange(Check(layer.Lora, Math.Min(layer.InFeatures, layer.OutFeatures)));
        return found;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for the first broken rule.</summary>
    public static void Require(IEnumerable<RuleViolation> violations)
    {
        foreach (var violation in violations) throw violation.ToException();
    }

    /// <summary>Throws when <paramref name="requirement"/> (the result of one rule) is not null.</summary>
    public static void Require(string name, int value, string? requirement)
    {
        if (requirement is not null) throw new RuleViolation(name, Format(value), requirement, RuleKind.Value).ToException();
    }

    /// <inheritdoc cref="Require(string, int, string?)"/>
    public static void Require(string name, double value, string? requirement)
    {
        if (requirement is not null) throw new RuleViolation(name, Format(value), requirement, RuleKind.Value).ToException();
    }

    /// <summary>Round-trip text in the invariant culture, as diagnostics and exceptions show values.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    static void Add(List<RuleViolation> found, string name, int value, string? requirement, RuleKind kind)
    {
        if (requirement is not null) found.Add(new RuleViolation(name, Format(value), requirement, kind));
    }

    static void Add(List<RuleViolation> found, string name, double value, string? requirement, RuleKind kind)
    {
        if (requirement is not null) found.Add(new RuleViolation(name, Format(value), requirement, kind));
    }

    static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);
}
