using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>
/// A symmetric uniform quantiser over [-bound, bound] (aihwkit's DAC/ADC): b bits give 2^b - 2 steps
/// (2^b - 1 levels, zero among them; 1 bit gives the two levels +-bound), values round half to even
/// onto the grid and clip at the bound. 8 bits over [-1, 1]: 255 levels, step 2/254. 0 bits is an ideal converter:
/// values only clip at the bound (the paper's LLaMA runs leave the converters out).
/// </summary>
public sealed class Quantizer
{
    public Quantizer(int bits, double bound)
    {
        HardwareRules.Require(nameof(bound), bound, HardwareRules.GreaterThanZero(bound));
        HardwareRules.Require(nameof(bits), bits, HardwareRules.ConverterBits(bits));
        Bits = bits;
        Bound = (float)bound;
        if (Ideal) return;
        Steps = Converters.Steps(bits);
        Step = Converters.Step(bits, bound);
        inverseStep = (float)(Steps / (2.0 * bound));
    }

    /// <summary>No quantisation, only the clip at the bound; <see cref="Steps"/> and <see cref="Step"/> are 0.</summary>
    public bool Ideal => Bits == Converters.IdealBits;

    readonly float inverseStep;

    public int Bits { get; }
    public float Bound { get; }

    /// <summary>Number of intervals between -bound and +bound.</summary>
    public int Steps { get; }

    /// <summary>Number of representable values.</summary>
    public int Levels => Steps + 1;

    public float Step { get; }

    /// <summary>The level index (code) of <paramref name="value"/>: an integer in [-Steps/2, Steps/2]
    /// (for 1 bit: -0.5 or +0.5 in units of the 2-bound step).</summary>
    public float Code(float value)
    {
        if (Ideal) throw new InvalidOperationException("An ideal converter (0 bits) has no codes.");
        if (Steps == 1) return value >= 0 ? 0.5f : -0.5f;
        float code = MathF.Round(value * inverseStep, MidpointRounding.ToEven);
        float max = Steps / 2;
        return code > max ? max : code < -max ? -max : code;
    }

    public float Quantize(float value) => Ideal ? Math.Clamp(value, -Bound, Bound) : Code(value) * Step;

    /// <summary>destination[i] = Quantize(source[i] * multiplier), vectorised; the same bits as the scalar form
    /// (both round half to even). <paramref name="destination"/> may be <paramref name="source"/>.</summary>
    public void Quantize(ReadOnlySpan<float> source, float multiplier, Span<float> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException($"Destination of {destination.Length} is shorter than {source.Length}.", nameof(destination));
        int i = 0;
        if (Ideal && Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(multiplier);
            var bound = Vector256.Create(Bound);
            for (; i + Vector256<float>.Count <= source.Length; i += Vector256<float>.Count)
            {
                var value = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)i) * m;
                Vector256.Min(Vector256.Max(value, -bound), bound).StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
            }
        }
        else if (Steps > 1 && Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(multiplier);
            var inverse = Vector256.Create(inverseStep);
            var max = Vector256.Create((float)(Steps / 2));
            var step = Vector256.Create(Step);
            for (; i + Vector256<float>.Count <= source.Length; i += Vector256<float>.Count)
            {
                var code = Vector256.Round(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)i) * m * inverse);
                code = Vector256.Min(Vector256.Max(code, -max), max);
                (code * step).StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
            }
        }
        for (; i < source.Length; i++) destination[i] = Quantize(source[i] * multiplier);
    }
}
