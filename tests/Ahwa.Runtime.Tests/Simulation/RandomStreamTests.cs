using System;
using System.Linq;
using Ahwa.Runtime.Simulation;

namespace Ahwa.Runtime.Tests.Simulation;

public class RandomStreamTests
{
    [Fact]
    public void VectorisedGaussiansAreStandardNormal()
    {
        const int n = 200_001;
        var values = new float[n];
        var random = new RandomStream(3, 4);
        random.FillGaussian(values, new float[n]);
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        Assert.True(Math.Abs(mean) < 3 / Math.Sqrt(n), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 3 * Math.Sqrt(2.0 / n), $"variance {variance}");
        // Fourth moment of a normal is 3.
        double kurtosis = values.Average(v => Math.Pow(v - mean, 4)) / (variance * variance);
        Assert.True(Math.Abs(kurtosis - 3) < 0.1, $"kurtosis {kurtosis}");
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
}
