using System;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>A state-independent device: programming adds Gaussian noise of a fixed std (a fraction of
/// g_max); no drift and no read noise, so the programmed state holds forever.</summary>
public sealed class GaussianDevice : IDeviceModel
{
    /// <summary>Default programming noise: 2 % of g_max.</summary>
    public const double DefaultRelativeStd = 0.02;

    public GaussianDevice(double gMax = PcmLikeDevice.DefaultGMax, double relativeStd = DefaultRelativeStd)
    {
        HardwareRules.Require(nameof(gMax), gMax, HardwareRules.GreaterThanZero(gMax));
        HardwareRules.Require(nameof(relativeStd), relativeStd, HardwareRules.AtLeastZero(relativeStd));
        GMax = gMax;
        RelativeStd = relativeStd;
    }

    public double GMax { get; }

    public double RelativeStd { get; }

    public void Program(ReadOnlySpan<float> target, Span<float> programmed, Span<float> driftExponent, ref RandomStream random)
    {
        DeviceChecks.SameLength(target.Length, programmed.Length, nameof(programmed));
        DeviceChecks.SameLength(target.Length, driftExponent.Length, nameof(driftExponent));
        double std = RelativeStd * GMax;
        for (int i = 0; i < target.Length; i++)
        {
            programmed[i] = (float)Math.Max(target[i] + std * random.NextGaussian(), 0.0);
            driftExponent[i] = 0f;
        }
    }

    public void Read(ReadOnlySpan<float> programmed, ReadOnlySpan<float> driftExponent, double seconds, Span<float> conductance, ref RandomStream random)
    {
        DeviceChecks.Time(seconds);
        DeviceChecks.SameLength(programmed.Length, conductance.Length, nameof(conductance));
        programmed.CopyTo(conductance);
    }
}
