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
    const double MinRelative = 1e-7;

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
        return 0.26348 + 1.9650 * x - 1.1731 * x * x;
    }

    /// <summary>Mean of the drift exponent before folding: clip(-0.0155 ln g_r + 0.0244, 0.049, 0.1).</summary>
    public double DriftMean(double g) => Clip(-0.0155 * Math.Log(Relative(g)) + 0.0244, 0.049, 0.1);

    /// <summary>Std of the drift exponent before folding: clip(-0.0125 ln g_r - 0.0059, 0.008, 0.045).</summary>
    public double DriftStd(double g) => Clip(-0.0125 * Math.Log(Relative(g)) - 0.0059, 0.008, 0.045);

    /// <summary>Relative read-noise std at time t for programmed conductance g_prog:
    /// min(0.0088 / max((|g_prog|/g_max)^0.65, 1e-3), 0.2) * sqrt(ln((t + t0 + t_read) / (2 t_read))).</summary>
    public double ReadNoiseStd(double gProgrammed, double seconds) => ReadNoiseLevel(gProgrammed) * ReadNoiseGrowth(seconds);

    /// <summary>The conductance-dependent factor of <see cref="ReadNoiseStd"/>: min(0.0088 / max((|g|/g_max)^0.65, 1e-3), 0.2).</summary>
    double ReadNoiseLevel(double gProgrammed) => Math.Min(0.0088 / Math.Max(Math.Pow(Math.Abs(gProgrammed) / GMax, 0.65), 1e-3), 0.2);

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
            double mean = Clip(-0.0155 * logRelative + 0.0244, 0.049, 0.1), std = Clip(-0.0125 * logRelative - 0.0059, 0.008, 0.045);
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
