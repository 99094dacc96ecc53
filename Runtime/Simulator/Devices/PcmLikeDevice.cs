using System;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>
/// aihwkit's PCM-like statistical model (Nandakumar et al.; numbers in shared/design/HARDWARE-MODEL.md):
/// state-dependent programming noise, a per-device drift exponent, power-law drift from t0 = 20 s and
/// accumulated 1/f read noise.
/// </summary>
public sealed class PcmLikeDevice : IDeviceModel
{
    public const double DefaultGMax = 25.0;
    /// <summary>Drift reference time t0, s.</summary>
    public const double T0 = 20.0;
    /// <summary>Read duration t_read, s.</summary>
    public const double TRead = 250e-9;
    /// <summary>Smallest g / g_max the drift statistics take a logarithm of.</summary>
    public const double MinRelative = 1e-7;

    // The model's coefficients, named so the PyTorch package's copy is generated from them (PythonFacts); each
    // formula below keeps its sign in the expression, so the arithmetic is the literal one.
    public const double ProgrammingNoiseC0 = 0.26348, ProgrammingNoiseC1 = 1.9650, ProgrammingNoiseC2 = 1.1731;
    public const double DriftMeanSlope = -0.0155, DriftMeanOffset = 0.0244, DriftMeanMin = 0.049, DriftMeanMax = 0.1;
    public const double DriftStdSlope = -0.0125, DriftStdOffset = 0.0059, DriftStdMin = 0.008, DriftStdMax = 0.045;
    public const double ReadNoiseScale = 0.0088, ReadNoiseExponent = 0.65, ReadNoiseFloor = 1e-3, ReadNoiseCap = 0.2;

    public PcmLikeDevice(double gMax = DefaultGMax)
    {
        HardwareRules.Require(nameof(gMax), gMax, HardwareRules.GreaterThanZero(gMax));
        GMax = gMax;
    }

    public double GMax { get; }

    /// <summary>Programming noise std (uS) at target conductance g: 0.26348 + 1.9650 x - 1.1731 x^2, x = g / g_max.</summary>
    public double ProgrammingNoiseStd(double g)
    {
        double x = Math.Abs(g) / GMax;
        return ProgrammingNoiseC0 + ProgrammingNoiseC1 * x - ProgrammingNoiseC2 * x * x;
    }

    /// <summary>Mean of the drift exponent before folding: clip(-0.0155 ln g_r + 0.0244, 0.049, 0.1).</summary>
    public double DriftMean(double g) => Clip(DriftMeanSlope * Math.Log(Relative(g)) + DriftMeanOffset, DriftMeanMin, DriftMeanMax);

    /// <summary>Std of the drift exponent before folding: clip(-0.0125 ln g_r - 0.0059, 0.008, 0.045).</summary>
    public double DriftStd(double g) => Clip(DriftStdSlope * Math.Log(Relative(g)) - DriftStdOffset, DriftStdMin, DriftStdMax);

    /// <summary>Relative read-noise std at time t for programmed conductance g_prog:
    /// min(0.0088 / max((|g_prog|/g_max)^0.65, 1e-3), 0.2) * sqrt(ln((t + t0 + t_read) / (2 t_read))).</summary>
    public double ReadNoiseStd(double gProgrammed, double seconds) => ReadNoiseLevel(gProgrammed) * ReadNoiseGrowth(seconds);

    /// <summary>The conductance-dependent factor of <see cref="ReadNoiseStd"/>: min(0.0088 / max((|g|/g_max)^0.65, 1e-3), 0.2).</summary>
    double ReadNoiseLevel(double gProgrammed) => Math.Min(ReadNoiseScale / Math.Max(Math.Pow(Math.Abs(gProgrammed) / GMax, ReadNoiseExponent), ReadNoiseFloor), ReadNoiseCap);

    /// <summary>The time-dependent factor of <see cref="ReadNoiseStd"/>: sqrt(ln((t + t0 + t_read) / (2 t_read))), one
    /// value per read of a whole array (computed once, not per device).</summary>
    static double ReadNoiseGrowth(double seconds) => Math.Sqrt(Math.Log((seconds + T0 + TRead) / (2 * TRead)));

    public void Program(ReadOnlySpan<float> target, Span<float> programmed, Span<float> driftExponent, ref RandomStream random)
    {
        DeviceChecks.SameLength(target.Length, programmed.Length, nameof(programmed));
        DeviceChecks.SameLength(target.Length, driftExponent.Length, nameof(driftExponent));
        for (int i = 0; i < target.Length; i++)
        {
            double g = target[i];
            programmed[i] = (float)Math.Max(g + ProgrammingNoiseStd(g) * random.NextGaussian(), 0.0);
            // DriftMean and DriftStd of g with their shared logarithm taken once.
            double logRelative = Math.Log(Relative(g));
            double mean = Clip(DriftMeanSlope * logRelative + DriftMeanOffset, DriftMeanMin, DriftMeanMax);
            double std = Clip(DriftStdSlope * logRelative - DriftStdOffset, DriftStdMin, DriftStdMax);
            driftExponent[i] = (float)Math.Abs(mean + std * random.NextGaussian());
        }
    }

    public void Read(ReadOnlySpan<float> programmed, ReadOnlySpan<float> driftExponent, double seconds, Span<float> conductance, ref RandomStream random)
    {
        DeviceChecks.Time(seconds);
        DeviceChecks.SameLength(programmed.Length, driftExponent.Length, nameof(driftExponent));
        DeviceChecks.SameLength(programmed.Length, conductance.Length, nameof(conductance));
        double ratio = (seconds + T0) / T0;
        double logRatio = Math.Log(ratio);
        double growth = ReadNoiseGrowth(seconds);
        for (int i = 0; i < programmed.Length; i++)
        {
            double gProg = programmed[i];
            double drifted = seconds > 0 ? gProg * Math.Exp(-driftExponent[i] * logRatio) : gProg;
            double noisy = drifted + Math.Abs(drifted) * (ReadNoiseLevel(gProg) * growth) * random.NextGaussian();
            conductance[i] = (float)Math.Max(noisy, 0.0);
        }
    }

    double Relative(double g) => Math.Max(Math.Abs(g) / GMax, MinRelative);

    static double Clip(double value, double low, double high) => value < low ? low : value > high ? high : value;
}
