using System;
using System.Linq;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Simulation;

public class QuantizerTests
{
    [Theory]
    [InlineData(4, 15)]
    [InlineData(6, 63)]
    [InlineData(8, 255)]
    public void LevelCountAndStepOverUnitRange(int bits, int levels)
    {
        var q = new Quantizer(bits, 1.0);
        Assert.Equal(levels, q.Levels);
        Assert.Equal((float)(2.0 / (levels - 1)), q.Step);
        // Sweeping the whole range (and beyond) hits exactly that many distinct values.
        var seen = Enumerable.Range(-30_000, 60_001).Select(i => q.Quantize(i / 20_000f)).Distinct().Count();
        Assert.Equal(levels, seen);
    }

    [Fact]
    public void IdealConverterOnlyClipsAndHasNoCodes()
    {
        var q = new Quantizer(0, 12.0);
        Assert.True(q.Ideal);
        Assert.Equal((0, 0f), (q.Steps, q.Step));
        Assert.Equal(0.123456789f, q.Quantize(0.123456789f));
        Assert.Equal(-12f, q.Quantize(-30f));
        var source = Enumerable.Range(0, 37).Select(i => (i - 18) * 0.77f).ToArray();
        var quantized = new float[source.Length];
        q.Quantize(source, 1.5f, quantized);
        Assert.Equal(source.Select(v => Math.Clamp(v * 1.5f, -12f, 12f)), quantized);
        Assert.Throws<InvalidOperationException>(() => q.Code(1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Quantizer(-1, 1.0));
    }

    [Fact]
    public void AdcStepIsTwentyFourOver254At8Bits()
    {
        var q = new Quantizer(8, 12.0);
        Assert.Equal(24f / 254f, q.Step);
        Assert.Equal(12f, q.Quantize(12f));
        Assert.Equal(12f, q.Quantize(12.0001f));
        Assert.Equal(-12f, q.Quantize(-1e6f));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    public void ValuesAtAndBeyondTheBoundsClip(int bits)
    {
        var q = new Quantizer(bits, 1.0);
        Assert.Equal(1f, q.Quantize(1f));
        Assert.Equal(-1f, q.Quantize(-1f));
        Assert.Equal(1f, q.Quantize(3.5f));
        Assert.Equal(-1f, q.Quantize(-3.5f));
        Assert.Equal(0f, q.Quantize(0f));
        // Just under half a step rounds to zero, just over to one step.
        Assert.Equal(0f, q.Quantize(q.Step * 0.49f));
        Assert.Equal(q.Step, q.Quantize(q.Step * 0.51f));
    }

    [Theory]
    [InlineData(8, 1.0, 1f)]
    [InlineData(8, 12.0, 0.37f)]
    [InlineData(5, 2.0, 3f)]
    public void VectorisedQuantisingGivesTheScalarBits(int bits, double bound, float multiplier)
    {
        var q = new Quantizer(bits, bound);
        var random = new RandomStream(1, (ulong)bits);
        var values = Enumerable.Range(0, 1003).Select(_ => (float)(random.NextGaussian() * bound)).ToArray();
        var vector = new float[values.Length];
        q.Quantize(values, multiplier, vector);
        Assert.Equal(values.Select(v => q.Quantize(v * multiplier)).ToArray(), vector);
    }

    [Fact]
    public void HalfwayValuesRoundToEven()
    {
        // 3 bits over [-3, 3]: 6 steps of exactly 1.
        var q = new Quantizer(3, 3.0);
        var halves = new[] { -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f, 0.49f, 0.51f, 1f, 2f, 3f, 4f, 5.5f, 6.5f, 7.5f, 8.5f };
        var expected = new[] { -2f, -2f, 0f, 0f, 2f, 2f, 3f, 0f, 1f, 1f, 2f, 3f, 3f, 3f, 3f, 3f, 3f };
        Assert.Equal(expected, halves.Select(q.Quantize).ToArray());
        var vector = new float[halves.Length];
        q.Quantize(halves, 1f, vector);
        Assert.Equal(expected, vector);
    }

    [Fact]
    public void OneBitIsASign()
    {
        var q = new Quantizer(1, 2.0);
        Assert.Equal(2, q.Levels);
        Assert.Equal(2f, q.Quantize(0.3f));
        Assert.Equal(-2f, q.Quantize(-0.3f));
    }

    [Theory]
    [InlineData(17)]
    [InlineData(-3)]
    public void BitsOutside0To16AreRejected(int bits)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Quantizer(bits, 1.0));
        Assert.Contains(bits.ToString(), error.Message);
    }
}
