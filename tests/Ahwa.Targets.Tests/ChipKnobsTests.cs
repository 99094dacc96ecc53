using System;
using Ahwa.Hardware;

namespace Ahwa.Hardware.Tests;

public class ChipKnobsTests
{
    [Fact]
    public void KnobsChangeOnlyWhatTheyName()
    {
        var chip = ChipKnobs.Apply(ChipSpec.Default, "WeightClipSigma=0, WeightNoise=0.03,DacBits=6");
        Assert.Equal(ChipSpec.Default with { WeightClipSigma = 0, WeightNoise = 0.03, DacBits = 6 }, chip);
    }

    [Fact]
    public void NumbersAreReadInTheInvariantCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(0.04, ChipKnobs.Apply(ChipSpec.Default, "OutputNoise=0.04").OutputNoise);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory]
    [InlineData("Weightnoise=0.1", "Chip knob 'Weightnoise' is not one of")]
    [InlineData("WeightNoise", "Chip knob 'WeightNoise' is not Name=Value.")]
    [InlineData("WeightNoise=lots", "Chip knob WeightNoise: 'lots' is not a number.")]
    [InlineData("DacBits=6.5", "Chip knob DacBits: '6.5' is not a whole number.")]
    [InlineData("AdcBits=17", "Chip knob AdcBits is 17; it must be 0 (ideal) or between 1 and 16 bits.")]
    [InlineData("WeightNoise=-1", "Chip knob WeightNoise is -1; it must be at least 0 and finite.")]
    [InlineData(" ", "No chip knob given")]
    public void BadKnobsAreRefusedNamingKnobAndValue(string assignments, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => ChipKnobs.Apply(ChipSpec.Default, assignments));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(expected, ChipKnobs.Problem(ChipSpec.Default, assignments), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryListedKnobCanBeSet()
    {
        foreach (var name in ChipKnobs.Names)
            Assert.Null(ChipKnobs.Problem(ChipSpec.Default, name + "=2"));
    }
}
