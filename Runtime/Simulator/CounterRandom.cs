using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ahwa.Simulator;

/// <summary>
/// Counter-based draws for bulk noise (training-time weight and output noise, dropout masks): the value at index i
/// of a key depends only on (key, i), so a tensor can be filled in any order, in parallel or in pieces, and give the
/// same numbers. Hash h of a key is SplitMix64's output at position h of the sequence started at the key (the mixer
/// of <see cref="RandomStream"/>'s seeding). A uniform at index i is the top 24 bits of hash i. Normals come in
/// Box-Muller pairs laid out in groups of 32 indices: indices 32g + l and 32g + 16 + l (l &lt; 16) are the cosine and
/// the sine of hash 16g + l (24 bits for the radius, 24 for the angle). Keys come from
/// <see cref="RandomStream.Derive"/>, the one seed scheme. Sixteen lanes at a time in single precision (where AVX-512
/// is missing the vector type runs in software: slower, the same numbers).
/// </summary>
public static class CounterRandom
{
    const ulong Gamma = 0x9E3779B97F4A7C15UL;
    const float Unit24 = 1f / (1 << 24);

    /// <summary>The 64 bits of hash <paramref name="index"/> of <paramref name="key"/>.</summary>
    public static ulong Bits(ulong key, long index) => Mix(key + unchecked((ulong)(index + 1) * Gamma));

    /// <summary>Uniform in [0, 1) at 24-bit resolution for indices <paramref name="start"/>, start + 1, ...</summary>
    public static void FillUniform(ulong key, long start, Span<float> destination)
    {
        int i = 0;
        for (; i + 16 <= destination.Length; i += 16)
            Uniforms(key, start + i).StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
        for (; i < destination.Length; i++) destination[i] = (Bits(key, start + i) >> 40) * Unit24;
    }

    /// <summary>Inverted-dropout multipliers for indices <paramref name="start"/>, ...: 0 where the uniform of the index is
    /// below <paramref name="dropProbability"/>, 1 / (1 - p) elsewhere, so the mask keeps the expected value.</summary>
    public static void FillDropoutMask(ulong key, long start, float dropProbability, Span<float> destination)
    {
        float keep = 1f / (1f - dropProbability);
        int i = 0;
        for (; i + 16 <= destination.Length; i += 16)
        {
            var dropped = Vector512.LessThan(Uniforms(key, start + i), Vector512.Create(dropProbability));
            Vector512.ConditionalSelect(dropped, Vector512<float>.Zero, Vector512.Create(keep)).StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)i);
        }
        for (; i < destination.Length; i++) destination[i] = (Bits(key, start + i) >> 40) * Unit24 < dropProbability ? 0f : keep;
    }

    /// <summary>Standard normal draws for indices <paramref name="start"/>, start + 1, ...</summary>
    public static void FillNormal(ulong key, long start, Span<float> destination)
    {
        Span<float> group = stackalloc float[32];
        int done = 0;
        while (done < destination.Length)
        {
            long index = start + done;
            long first = index & ~31L;
            int skip = (int)(index - first), take = Math.Min(32 - skip, destination.Length - done);
            if (take == 32)
            {
                NormalGroup(key, first >> 5, destination.Slice(done, 32));
            }
            else
            {
                NormalGroup(key, first >> 5, group);
                group.Slice(skip, take).CopyTo(destination.Slice(done, take));
            }
            done += take;
        }
    }

    /// <summary>Hashes h .. h + 15 as two vectors of 64 bits.</summary>
    static (Vector512<ulong> Low, Vector512<ulong> High) Hashes(ulong key, long first)
    {
        var lanes = Vector512.Create(1UL, 2, 3, 4, 5, 6, 7, 8);
        var low = Vector512.Create(key) + (Vector512.Create((ulong)first) + lanes) * Vector512.Create(Gamma);
        var high = low + Vector512.Create(unchecked(8 * Gamma));
        return (MixVector(low), MixVector(high));
    }

    static Vector512<float> Uniforms(ulong key, long first)
    {
        var (low, high) = Hashes(key, first);
        return Vector512.ConvertToSingle(Vector512.Narrow(low >>> 40, high >>> 40).AsInt32()) * Vector512.Create(Unit24);
    }

    /// <summary>Group <paramref name="group"/>: 16 cosines then the 16 sines of the same hashes, r = sqrt(-2 ln(1 - v)).</summary>
    static void NormalGroup(ulong key, long group, Span<float> destination)
    {
        var (low, high) = Hashes(key, group * 16);
        var radiusBits = Vector512.Narrow(low >>> 40, high >>> 40).AsInt32();
        var angleBits = Vector512.Narrow((low >>> 16) & Vector512.Create(0xFFFFFFUL), (high >>> 16) & Vector512.Create(0xFFFFFFUL)).AsInt32();
        // 1 - v lies in [2^-24, 1]: the logarithm is finite, and every value is exact in single precision.
        var oneMinus = Vector512.Create(1f) - Vector512.ConvertToSingle(radiusBits) * Vector512.Create(Unit24);
        var radius = Vector512.Sqrt(Vector512.Create(-2f) * Log(oneMinus));
        var (cos, sin) = CosSin(angleBits);
        ref float at = ref MemoryMarshal.GetReference(destination);
        (cos * radius).StoreUnsafe(ref at);
        (sin * radius).StoreUnsafe(ref at, 16);
    }

    /// <summary>ln x for x in (0, 1]: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(z), z = (m - 1) / (m + 1),
    /// series to z^9 (|z| &lt; 0.172: error below 2e-8).</summary>
    static Vector512<float> Log(Vector512<float> x)
    {
        var bits = x.AsInt32();
        var exponent = (bits >>> 23) - Vector512.Create(127);
        var mantissa = ((bits & Vector512.Create(0x007FFFFF)) | Vector512.Create(0x3F800000)).AsSingle();
        var high = Vector512.GreaterThan(mantissa, Vector512.Create(1.41421356f));
        mantissa = Vector512.ConditionalSelect(high, mantissa * Vector512.Create(0.5f), mantissa);
        exponent += high.AsInt32() & Vector512.Create(1);
        var z = (mantissa - Vector512.Create(1f)) / (mantissa + Vector512.Create(1f));
        var z2 = z * z;
        var series = Vector512.Create(1f / 9);
        series = series * z2 + Vector512.Create(1f / 7);
        series = series * z2 + Vector512.Create(1f / 5);
        series = series * z2 + Vector512.Create(1f / 3);
        series = series * z2 + Vector512.Create(1f);
        return Vector512.Create(2f) * z * series + Vector512.ConvertToSingle(exponent) * Vector512.Create(0.693147181f);
    }

    /// <summary>cos and sin of 2 pi a / 2^24 for 24-bit integers a: the nearest quarter turn k in integers, the
    /// remainder in [-pi/4, pi/4) by Taylor series (error below 4e-7).</summary>
    static (Vector512<float> Cos, Vector512<float> Sin) CosSin(Vector512<int> angle)
    {
        var k = (angle + Vector512.Create(1 << 21)) >>> 22;
        var theta = Vector512.ConvertToSingle(angle - (k << 22)) * Vector512.Create((float)(2 * Math.PI / (1 << 24)));
        var t2 = theta * theta;
        var sin = Vector512.Create(-1f / 5040);
        sin = sin * t2 + Vector512.Create(1f / 120);
        sin = sin * t2 + Vector512.Create(-1f / 6);
        sin = (sin * t2 + Vector512.Create(1f)) * theta;
        var cos = Vector512.Create(1f / 40320);
        cos = cos * t2 + Vector512.Create(-1f / 720);
        cos = cos * t2 + Vector512.Create(1f / 24);
        cos = cos * t2 + Vector512.Create(-0.5f);
        cos = cos * t2 + Vector512.Create(1f);
        // Quarter k (0..4, 4 being 0): odd quarters swap sine and cosine; quarters 1, 2 negate the cosine, 2, 3 the sine.
        var q = k & Vector512.Create(3);
        var swap = Vector512.Equals(q & Vector512.Create(1), Vector512.Create(1)).AsSingle();
        var c = Vector512.ConditionalSelect(swap, sin, cos);
        var s = Vector512.ConditionalSelect(swap, cos, sin);
        var negateCos = Vector512.Equals((q + Vector512.Create(1)) & Vector512.Create(2), Vector512.Create(2)).AsSingle();
        var negateSin = Vector512.Equals(q & Vector512.Create(2), Vector512.Create(2)).AsSingle();
        return (Vector512.ConditionalSelect(negateCos, -c, c), Vector512.ConditionalSelect(negateSin, -s, s));
    }

    static Vector512<ulong> MixVector(Vector512<ulong> z)
    {
        z = (z ^ (z >>> 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >>> 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ (z >>> 31);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A token's output-noise stream: counter-based normals under one key, taken in order (tile after tile,
/// bound-management rounds included), so the draws depend on the token and the seed only.</summary>
public struct CounterStream
{
    readonly ulong key;
    long position;

    public CounterStream(ulong key)
    {
        this.key = key;
        position = 0;
    }

    public void FillNormal(Span<float> destination)
    {
        CounterRandom.FillNormal(key, position, destination);
        position += destination.Length;
    }
}
