using System;
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

    internal void Validate()
    {
        if (DacBits < 1 || DacBits > 16) throw new ArgumentOutOfRangeException(nameof(DacBits), DacBits, "DAC resolution must be between 1 and 16 bits.");
        if (AdcBits < 1 || AdcBits > 16) throw new ArgumentOutOfRangeException(nameof(AdcBits), AdcBits, "ADC resolution must be between 1 and 16 bits.");
        if (!(OutputBound > 0) || double.IsInfinity(OutputBound)) throw new ArgumentOutOfRangeException(nameof(OutputBound), OutputBound, "Output bound must be positive and finite.");
        if (!(OutputNoise >= 0) || double.IsInfinity(OutputNoise)) throw new ArgumentOutOfRangeException(nameof(OutputNoise), OutputNoise, "Output noise must be >= 0 and finite.");
        if (!(BoundManagementLimit >= 1) || double.IsInfinity(BoundManagementLimit)) throw new ArgumentOutOfRangeException(nameof(BoundManagementLimit), BoundManagementLimit, "Bound management limit must be >= 1 and finite.");
    }
}
