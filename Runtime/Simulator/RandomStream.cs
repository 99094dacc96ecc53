using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ahwa.Simulator;

/// <summary>
/// A seeded random stream (xoshiro256**, seeded through SplitMix64 from a seed and a stream id).
/// Every consumer that may run on another thread (a token, a tile row) gets its own stream id, so the
/// numbers depend only on the seed, never on the thread count or schedule.
/// </summary>
public struct RandomStream
{
    ulong s0, s1, s2, s3;

    public RandomStream(ulong seed, ulong stream)
    {
        ulong x = seed ^ Mix(stream + 0x9E3779B97F4A7C15UL);
        s0 = SplitMix(ref x);
        s1 = SplitMix(ref x);
        s2 = SplitMix(ref x);
        s3 = SplitMix(ref x);
    }

    /// <summary>The one seed scheme: the stream of a (seed, purpose, index), e.g. (seed, OutputNoise, token).
    /// Every seeded draw in Ahwa comes from here, directly or through <see cref="Derive"/>.</summary>
    public static RandomStream For(ulong seed, StreamPurpose purpose, long index) =>
        new RandomStream(seed, ((ulong)purpose << 48) ^ (ulong)index);

    /// <summary>A 64-bit seed for another generator (a TorchSharp <c>Generator</c>, or a nested level of this
    /// scheme) from (seed, purpose, index): the first number of that stream.</summary>
    public static ulong Derive(ulong seed, StreamPurpose purpose, long index) => For(seed, purpose, index).NextUInt64();

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in (0, 1): never 0, so its logarithm is finite.</summary>
    /// <summary>Fisher-Yates from the last item down: the one shuffle (training order, data splits).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)(NextUInt64() % (ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>A standard normal draw: Marsaglia-Tsang ziggurat with 128 blocks, in Doornik's ZIGNOR form
    /// (the block index and the uniform come from different bits, so they are independent).</summary>
    public double NextGaussian()
    {
        ref double x = ref MemoryMarshal.GetArrayDataReference(Ziggurat.X);
        ref double ratio = ref MemoryMarshal.GetArrayDataReference(Ziggurat.Ratio);
        while (true)
        {
            ulong bits = NextUInt64();
            int block = (int)(bits & 0x7F);
            // Bits 11..63 as a signed number: uniform in [-1, 1), independent of the block bits.
            double u = ((long)bits >> 11) * (1.0 / (1L << 52));
            double xi = Unsafe.Add(ref x, block);
            if (Math.Abs(u) < Unsafe.Add(ref ratio, block)) return u * xi;
            if (block == 0) return Tail(u < 0);
            double value = u * xi;
            double next = Unsafe.Add(ref x, block + 1);
            double f0 = Math.Exp(-0.5 * (xi * xi - value * value));
            double f1 = Math.Exp(-0.5 * (next * next - value * value));
            if (f1 + NextOpenUnit() * (f0 - f1) < 1.0) return value;
        }
    }

    double Tail(bool negative)
    {
        double x, y;
        do
        {
            x = Math.Log(NextOpenUnit()) / Ziggurat.R;
            y = Math.Log(NextOpenUnit());
        }
        while (-2 * y < x * x);
        return negative ? x - Ziggurat.R : Ziggurat.R - x;
    }

    /// <summary>Fills <paramref name="destination"/> with standard normal draws.</summary>
    public void FillGaussian(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)NextGaussian();
    }

    /// <summary>Block edges of the 128-block ziggurat for the standard normal (Doornik 2005).</summary>
    static class Ziggurat
    {
        public const double R = 3.442619855899;
        const double V = 9.91256303526217e-3;
        const int Blocks = 128;

        public static readonly double[] X = new double[Blocks + 1];
        public static readonly double[] Ratio = new double[Blocks];

        static Ziggurat()
        {
            double f = Math.Exp(-0.5 * R * R);
            X[0] = V / f;
            X[1] = R;
            X[Blocks] = 0;
            for (int i = 2; i < Blocks; i++)
            {
                X[i] = Math.Sqrt(-2 * Math.Log(V / X[i - 1] + f));
                f = Math.Exp(-0.5 * X[i] * X[i]);
            }
            for (int i = 0; i < Blocks; i++) Ratio[i] = X[i + 1] / X[i];
        }
    }

    static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}

/// <summary>Separates the random streams of different uses of one seed (README, "Seeds").</summary>
public enum StreamPurpose : ushort
{
    /// <summary>The simulator's fixed calibration batch for drift compensation (index: the layer's input size).</summary>
    Calibration = 0,
    /// <summary>Device programming noise (per layer seed: index the layer; in the simulator: tile, row, polarity).</summary>
    Programming = 1,
    /// <summary>Drift exponents' time step: per layer seed for a drift time (index the layer; in sweeps, the time).</summary>
    Drift = 2,
    /// <summary>Read noise at a drift time (index: tile and row).</summary>
    ReadNoise = 3,
    /// <summary>Output noise of programmed tiles (index: token).</summary>
    OutputNoise = 4,
    /// <summary>Training-time noise generator of an analog layer (index: the layer).</summary>
    WeightNoise = 5,
    /// <summary>Initial weights of a model's layers.</summary>
    Initialisation = 7,
    /// <summary>LoRA and model dropout masks during training.</summary>
    Dropout = 8,
    /// <summary>Order of the training examples (index: the epoch).</summary>
    Shuffle = 9,
    /// <summary>Train/dev/test splits of a data set.</summary>
    DataSplit = 10,
    /// <summary>Random operands of kernel cross-check cases (index: the case or layer).</summary>
    KernelInputs = 11,
    /// <summary>Per-call noise of programmed-chip evaluation (index: the call).</summary>
    Evaluation = 12,
    /// <summary>One programming of a drift sweep (index: the repetition).</summary>
    Repetition = 13,
    /// <summary>Synthetic data of samples and tests.</summary>
    SampleData = 14,
    /// <summary>Token sampling in generation (per step seed: index the step; per sequence: index the row).</summary>
    Sampling = 15,
    /// <summary>Resamples of a paired bootstrap (index: the resample; one level up, the comparison).</summary>
    Bootstrap = 16,
}
