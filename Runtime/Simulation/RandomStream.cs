using System;
using System.Numerics.Tensors;

namespace Ahwa.Runtime.Simulation
{
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

        /// <summary>A stream for a purpose and an index, e.g. (Purpose.OutputNoise, token).</summary>
        public static RandomStream For(ulong seed, StreamPurpose purpose, long index) =>
            new RandomStream(seed, ((ulong)purpose << 48) ^ (ulong)index);

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
        public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

        public double NextGaussian()
        {
            double u1 = NextOpenUnit(), u2 = NextOpenUnit();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        /// <summary>Fills <paramref name="destination"/> with standard normal draws (Box-Muller, vectorised
        /// transcendental functions; <paramref name="scratch"/> must be at least as long).</summary>
        public void FillGaussian(Span<float> destination, Span<float> scratch)
        {
            int n = destination.Length;
            if (scratch.Length < n) throw new ArgumentException($"Scratch of {scratch.Length} is shorter than {n}.", nameof(scratch));
            int half = (n + 1) / 2;
            var radius = scratch.Slice(0, half);
            var angle = destination.Slice(0, half);
            for (int i = 0; i < half; i++)
            {
                radius[i] = (float)NextOpenUnit();
                angle[i] = (float)(2.0 * Math.PI * NextOpenUnit());
            }
            TensorPrimitives.Log(radius, radius);
            TensorPrimitives.Multiply(radius, -2f, radius);
            TensorPrimitives.Sqrt(radius, radius);
            // Second halves first, so the first half's angles are still intact when read.
            var second = destination.Slice(half, n - half);
            TensorPrimitives.Sin(angle.Slice(0, second.Length), second);
            TensorPrimitives.Multiply(second, radius.Slice(0, second.Length), second);
            TensorPrimitives.Cos(angle, angle);
            TensorPrimitives.Multiply(angle, radius, angle);
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

    /// <summary>Separates the random streams of different uses of one seed.</summary>
    public enum StreamPurpose : ushort
    {
        Programming = 1,
        Drift = 2,
        ReadNoise = 3,
        OutputNoise = 4,
        WeightNoise = 5,
        Calibration = 6,
    }
}
