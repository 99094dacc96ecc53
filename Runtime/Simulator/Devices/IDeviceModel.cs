using System;

namespace Ahwa.Simulator;

/// <summary>
/// How a device's conductance comes out of programming and evolves afterwards. Conductances are in
/// microsiemens. A device model is a class; add one by implementing this interface.
/// </summary>
public interface IDeviceModel
{
    /// <summary>Largest programmable conductance, uS.</summary>
    double GMax { get; }

    /// <summary>Programs devices to <paramref name="target"/>: writes the programmed conductance and the
    /// per-device drift exponent (zero for a model without drift).</summary>
    void Program(ReadOnlySpan<float> target, Span<float> programmed, Span<float> driftExponent, ref RandomStream random);

    /// <summary>The conductance read <paramref name="seconds"/> after programming: drift and read noise
    /// drawn from the stored programmed values.</summary>
    void Read(ReadOnlySpan<float> programmed, ReadOnlySpan<float> driftExponent, double seconds, Span<float> conductance, ref RandomStream random);
}

static class DeviceChecks
{
    public static void SameLength(int expected, int actual, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
    }

    public static void Time(double seconds)
    {
        if (!(seconds >= 0) || double.IsInfinity(seconds))
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Time since programming must be a finite number of seconds >= 0.");
    }
}
