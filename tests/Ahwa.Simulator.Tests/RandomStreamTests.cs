using System;
using System.Linq;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Simulation;

public class RandomStreamTests
{
    [Fact]
    public void ZigguratGaussiansAreStandardNormal()
    {
        const int n = 200_001;
        var values = new float[n];
        var random = new RandomStream(3, 4);
        random.FillGaussian(values);
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        Assert.True(Math.Abs(mean) < 3 / Math.Sqrt(n), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 3 * Math.Sqrt(2.0 / n), $"variance {variance}");
        // Fourth moment of a normal is 3.
        double kurtosis = values.Average(v => Math.Pow(v - mean, 4)) / (variance * variance);
        Assert.True(Math.Abs(kurtosis - 3) < 0.1, $"kurtosis {kurtosis}");
        // The ziggurat's tail (|z| > R = 3.4426) and its wedges: P(|z| > 3.4426) = 5.762e-4, P(|z| > 1) = 0.31731.
        AssertFraction(values, 3.442619855899, 5.762e-4, n);
        AssertFraction(values, 1.0, 0.317311, n);
        AssertFraction(values, 2.0, 0.0455003, n);
    }

    static void AssertFraction(float[] values, double threshold, double expected, int n)
    {
        double observed = values.Count(v => Math.Abs(v) > threshold) / (double)n;
        double error = Math.Sqrt(expected * (1 - expected) / n);
        Assert.True(Math.Abs(observed - expected) < 4 * error, $"P(|z| > {threshold}) = {observed}, expected {expected}");
    }

    [Fact]
    public void StreamsAreReproducibleAndDistinct()
    {
        var a = new RandomStream(1, 2);
        var b = new RandomStream(1, 2);
        var c = new RandomStream(1, 3);
        var first = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 8).Select(_ => b.NextUInt64()).ToArray());
        Assert.NotEqual(first, Enumerable.Range(0, 8).Select(_ => c.NextUInt64()).ToArray());
    }

    [Fact]
    public void TheSeedSchemeSeparatesPurposesAndIndicesAndShufflesDeterministically()
    {
        Assert.Equal(RandomStream.Derive(42, StreamPurpose.Programming, 3), RandomStream.Derive(42, StreamPurpose.Programming, 3));
        var seeds = new[]
        {
            RandomStream.Derive(42, StreamPurpose.Programming, 3), RandomStream.Derive(42, StreamPurpose.Programming, 4),
            RandomStream.Derive(42, StreamPurpose.Drift, 3), RandomStream.Derive(43, StreamPurpose.Programming, 3),
        };
        Assert.Equal(seeds.Length, seeds.Distinct().Count());
        // The calibration purpose is 0, so its stream is the plain stream id (the Python target reproduces it).
        Assert.Equal(new RandomStream(7, 384).NextUInt64(), RandomStream.For(7, StreamPurpose.Calibration, 384).NextUInt64());

        int[] Shuffled(ulong seed)
        {
            var items = Enumerable.Range(0, 50).ToArray();
            var random = RandomStream.For(seed, StreamPurpose.Shuffle, 0);
            random.Shuffle(items.AsSpan());
            return items;
        }
        var once = Shuffled(1);
        Assert.Equal(once, Shuffled(1));
        Assert.NotEqual(once, Shuffled(2));
        Assert.Equal(Enumerable.Range(0, 50), once.OrderBy(i => i));
        Assert.NotEqual(Enumerable.Range(0, 50), once);
    }
}
