using System;
using System.Linq;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Simulation;

/// <summary>Statistics of the PCM-like model against the formulas of HARDWARE-MODEL.md, written out again here
/// so a wrong coefficient in the model fails. Tolerances are 3 standard errors.</summary>
public class DeviceModelTests
{
    const int Devices = 100_000;
    const double GMax = 25.0, T0 = 20.0, TRead = 250e-9;
    static readonly PcmLikeDevice Pcm = new();

    static (float[] Programmed, float[] Nu) Program(double relative, ulong seed = 1)
    {
        var target = Enumerable.Repeat((float)(relative * GMax), Devices).ToArray();
        var programmed = new float[Devices];
        var nu = new float[Devices];
        var random = new RandomStream(seed, 0);
        Pcm.Program(target, programmed, nu, ref random);
        return (programmed, nu);
    }

    static (double Mean, double Std) Moments(double[] values)
    {
        double mean = values.Average();
        return (mean, Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)));
    }

    static void Within3StandardErrors(double expectedMean, double expectedStd, double[] values, string what)
    {
        var (mean, std) = Moments(values);
        double meanError = expectedStd / Math.Sqrt(values.Length);
        double stdError = expectedStd / Math.Sqrt(2.0 * values.Length);
        Assert.True(Math.Abs(mean - expectedMean) <= 3 * meanError, $"{what}: mean {mean} vs {expectedMean} (3 SE = {3 * meanError})");
        Assert.True(Math.Abs(std - expectedStd) <= 3 * stdError + 1e-12, $"{what}: std {std} vs {expectedStd} (3 SE = {3 * stdError})");
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(1.0)]
    public void ProgrammingNoiseFollowsThePolynomial(double relative)
    {
        var (programmed, _) = Program(relative);
        double expectedStd = 0.26348 + 1.9650 * relative - 1.1731 * relative * relative;
        Within3StandardErrors(relative * GMax, expectedStd, programmed.Select(g => (double)g).ToArray(), $"g/gmax = {relative}");
    }

    /// <summary>nu = |N(mu, sigma)|: the folded normal's moments.</summary>
    static (double Mean, double Std) FoldedNormal(double mu, double sigma)
    {
        double phi(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));
        double mean = sigma * Math.Sqrt(2 / Math.PI) * Math.Exp(-mu * mu / (2 * sigma * sigma)) + mu * (1 - 2 * phi(-mu / sigma));
        return (mean, Math.Sqrt(mu * mu + sigma * sigma - mean * mean));
    }

    static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is too coarse for 3 SE at 1e5 samples; use the series / continued fraction.
        double t = Math.Abs(x), sum = t, term = t;
        for (int n = 1; n < 200; n++)
        {
            term *= -t * t / n;
            sum += term / (2 * n + 1);
        }
        return Math.Sign(x) * 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void DriftExponentFollowsTheFormula(double relative)
    {
        var (_, nu) = Program(relative, seed: 2);
        double mu = Math.Clamp(-0.0155 * Math.Log(relative) + 0.0244, 0.049, 0.1);
        double sigma = Math.Clamp(-0.0125 * Math.Log(relative) - 0.0059, 0.008, 0.045);
        var (mean, std) = FoldedNormal(mu, sigma);
        Within3StandardErrors(mean, std, nu.Select(v => (double)v).ToArray(), $"nu at g/gmax = {relative}");
    }

    [Theory]
    [InlineData(3600.0)]
    [InlineData(86400.0)]
    [InlineData(31_536_000.0)]
    [InlineData(315_360_000.0)]
    public void DriftScalesByThePowerLawOnAverage(double seconds)
    {
        var (programmed, nu) = Program(0.6, seed: 3);
        var read = new float[Devices];
        var random = new RandomStream(4, 0);
        Pcm.Read(programmed, nu, seconds, read, ref random);
        double ratio = (seconds + T0) / T0;
        var observed = read.Select((g, i) => g / (double)programmed[i]).ToArray();
        var expected = nu.Select(v => Math.Pow(ratio, -v)).ToArray();
        // Read noise is zero-mean around the drifted value; its std bounds the error of the mean.
        double q = 0.0088 / Math.Pow(0.6, 0.65);
        double noise = q * Math.Sqrt(Math.Log((seconds + T0 + TRead) / (2 * TRead))) * expected.Average();
        double standardError = Math.Sqrt(noise * noise + Moments(expected).Std * Moments(expected).Std) / Math.Sqrt(Devices);
        Assert.True(Math.Abs(observed.Average() - expected.Average()) <= 3 * standardError,
            $"t = {seconds}: mean g(t)/g_prog {observed.Average()} vs {expected.Average()}");
        // And the drift is real: a year loses several percent.
        if (seconds >= 31_536_000.0) Assert.True(observed.Average() < 0.6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(86400.0)]
    [InlineData(315_360_000.0)]
    public void ReadNoiseHasTheOneOverFStd(double seconds)
    {
        const double relative = 0.5;
        var programmed = Enumerable.Repeat((float)(relative * GMax), Devices).ToArray();
        var nu = Enumerable.Repeat(0.05f, Devices).ToArray();
        var read = new float[Devices];
        var random = new RandomStream(5, 0);
        Pcm.Read(programmed, nu, seconds, read, ref random);
        double drifted = relative * GMax * Math.Pow((seconds + T0) / T0, -0.05);
        double expectedStd = drifted * Math.Min(0.0088 / Math.Pow(relative, 0.65), 0.2) * Math.Sqrt(Math.Log((seconds + T0 + TRead) / (2 * TRead)));
        Within3StandardErrors(drifted, expectedStd, read.Select(g => (double)g).ToArray(), $"read noise at t = {seconds}");
        Assert.Equal(expectedStd / drifted, Pcm.ReadNoiseStd(relative * GMax, seconds), 9);
    }

    [Fact]
    public void ConductancesNeverGoNegative()
    {
        var (programmed, nu) = Program(0.0, seed: 6);
        Assert.True(programmed.Min() >= 0);
        Assert.True(programmed.Max() > 0); // a zero target still gets programming noise (clipped at 0)
        var read = new float[Devices];
        var random = new RandomStream(7, 0);
        Pcm.Read(programmed, nu, 1e6, read, ref random);
        Assert.True(read.Min() >= 0);
    }

    [Fact]
    public void GaussianDeviceIsStateIndependentAndDoesNotDrift()
    {
        var device = new GaussianDevice(relativeStd: 0.02);
        foreach (var relative in new[] { 0.2, 0.9 })
        {
            var target = Enumerable.Repeat((float)(relative * GMax), Devices).ToArray();
            var programmed = new float[Devices];
            var nu = new float[Devices];
            var random = new RandomStream(8, 0);
            device.Program(target, programmed, nu, ref random);
            Within3StandardErrors(relative * GMax, 0.02 * GMax, programmed.Select(g => (double)g).ToArray(), $"gaussian at {relative}");
            var read = new float[Devices];
            device.Read(programmed, nu, 1e9, read, ref random);
            Assert.Equal(programmed, read);
        }
    }

    [Fact]
    public void NegativeOrNonFiniteTimesAreRejectedWithTheValue()
    {
        var buffer = new float[4];
        var random = new RandomStream(1, 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Pcm.Read(buffer, buffer, -1.5, new float[4], ref random));
        Assert.Contains("-1.5", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pcm.Read(buffer, buffer, double.NaN, new float[4], ref random));
    }

    [Fact]
    public void MismatchedBuffersAreRejected()
    {
        var random = new RandomStream(1, 1);
        var error = Assert.Throws<ArgumentException>(() => Pcm.Program(new float[4], new float[3], new float[4], ref random));
        Assert.Contains("3 elements; expected 4", error.Message);
    }
}
