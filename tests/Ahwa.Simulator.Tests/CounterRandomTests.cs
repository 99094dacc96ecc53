using System;
using System.Linq;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Simulation;

public class CounterRandomTests
{
    [Fact]
    public void NormalsAreStandardNormalWithTheirTails()
    {
        const int n = 400_000;
        var values = new float[n];
        CounterRandom.FillNormal(11, 0, values);
        double mean = values.Average(v => (double)v);
        double variance = values.Average(v => (v - mean) * (v - mean));
        Assert.True(Math.Abs(mean) < 4 / Math.Sqrt(n), $"mean {mean}");
        Assert.True(Math.Abs(variance - 1) < 4 * Math.Sqrt(2.0 / n), $"variance {variance}");
        double kurtosis = values.Average(v => Math.Pow(v - mean, 4)) / (variance * variance);
        Assert.True(Math.Abs(kurtosis - 3) < 0.06, $"kurtosis {kurtosis}");
        foreach (var (threshold, expected) in new[] { (0.5, 0.617075), (1.0, 0.317311), (2.0, 0.0455003), (3.0, 0.0026998), (4.0, 6.334e-5) })
        {
            double observed = values.Count(v => Math.Abs(v) > threshold) / (double)n;
            double error = Math.Sqrt(expected * (1 - expected) / n);
            Assert.True(Math.Abs(observed - expected) < 4.5 * error, $"P(|z| > {threshold}) = {observed}, expected {expected}");
        }
        // The two members of a Box-Muller pair are uncorrelated.
        double pairs = Enumerable.Range(0, n / 2).Average(p => (double)values[2 * p] * values[2 * p + 1]);
        Assert.True(Math.Abs(pairs) < 4 / Math.Sqrt(n / 2), $"pair correlation {pairs}");
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1, 999)]
    [InlineData(17, 3)]
    [InlineData(123, 1)]
    [InlineData(500, 0)]
    public void AValueDependsOnlyOnItsIndexNotOnTheFillAroundIt(int start, int length)
    {
        var whole = new float[1200];
        CounterRandom.FillNormal(5, 0, whole);
        var piece = new float[length];
        CounterRandom.FillNormal(5, start, piece);
        Assert.Equal(whole.AsSpan(start, length).ToArray(), piece);
        var uniform = new float[1200];
        CounterRandom.FillUniform(5, 0, uniform);
        var uniformPiece = new float[length];
        CounterRandom.FillUniform(5, start, uniformPiece);
        Assert.Equal(uniform.AsSpan(start, length).ToArray(), uniformPiece);
    }

    [Fact]
    public void KeysGiveIndependentDrawsAndUniformsCoverTheUnitInterval()
    {
        var a = new float[10_000];
        var b = new float[10_000];
        CounterRandom.FillNormal(1, 0, a);
        CounterRandom.FillNormal(2, 0, b);
        double correlation = a.Zip(b, (x, y) => (double)x * y).Average();
        Assert.True(Math.Abs(correlation) < 0.04, $"correlation {correlation}");
        var u = new float[100_000];
        CounterRandom.FillUniform(3, 0, u);
        Assert.True(u.Min() >= 0 && u.Max() < 1);
        for (int decile = 0; decile < 10; decile++)
        {
            int count = u.Count(v => v >= decile / 10f && v < (decile + 1) / 10f);
            Assert.InRange(count, 9_600, 10_400);
        }
    }
}
