using Ahwa.Dsl;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>How drift is compensated: not at all, one factor per layer, or one factor per output column.</summary>
public enum DriftCompensation
{
    None = 0,
    Global = 1,
    PerColumn = 2,
}

/// <summary>The periphery of the analog tiles: converters, output noise, bound and noise management.</summary>
public sealed record AnalogTileSettings(
    int DacBits,
    int AdcBits,
    double OutputBound,
    double OutputNoise,
    BoundManagement BoundManagement,
    double BoundManagementLimit,
    NoiseManagement NoiseManagement)
{
    public static AnalogTileSettings From(ChipSpec chip) => new(
        chip.DacBits, chip.AdcBits, chip.OutputBound, chip.OutputNoise, chip.BoundManagement, chip.BoundManagementLimit, chip.NoiseManagement);

    /// <summary>The same rules the generator reports as diagnostics.</summary>
    internal void Validate()
    {
        HardwareRules.Require(nameof(DacBits), DacBits, HardwareRules.ConverterBits(DacBits));
        HardwareRules.Require(nameof(AdcBits), AdcBits, HardwareRules.ConverterBits(AdcBits));
        HardwareRules.Require(nameof(OutputBound), OutputBound, HardwareRules.GreaterThanZero(OutputBound));
        HardwareRules.Require(nameof(OutputNoise), OutputNoise, HardwareRules.AtLeastZero(OutputNoise));
        HardwareRules.Require(nameof(BoundManagementLimit), BoundManagementLimit, HardwareRules.AtLeastOne(BoundManagementLimit));
        HardwareRules.Require(nameof(BoundManagement), (int)BoundManagement, HardwareRules.Defined(BoundManagement));
        HardwareRules.Require(nameof(NoiseManagement), (int)NoiseManagement, HardwareRules.Defined(NoiseManagement));
    }
}
