using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Ahwa.Lab.Tasks;
using Ahwa.Simulator;

namespace Ahwa.Lab.Evaluation;

/// <summary>Method A minus method B in the task's metric (a fraction, as the tables' means), with a percentile
/// interval; <see cref="BeyondNoise"/> only when the interval excludes zero.</summary>
public sealed record PairedDifference(double Estimate, double Low, double High, double Confidence, int Resamples, int Programmings, int Items)
{
    public bool BeyondNoise => Low > 0 || High < 0;
}

/// <summary>
/// The paired bootstrap over programmings and test items: each resample draws programmings and items with replacement,
/// the same draw for both methods (that pairing removes the noise the two share: the same devices, the same items),
/// and its statistic is the mean over the drawn programmings of metric(A) - metric(B) on the drawn items.
/// Resample k draws from <c>RandomStream.For(seed, Bootstrap, k)</c>, so the interval depends on the seed alone,
/// whatever the thread count.
/// </summary>
public static class PairedBootstrap
{
    public const int DefaultResamples = 2000;
    public const double DefaultConfidence = 0.95;

    /// <param name="a">Method A's predictions per programming (each the same item count).</param>
    /// <param name="b">Method B's on the same programmings in the same order (a method measured once, as the digital
    /// model, repeats its one array).</param>
    public static PairedDifference Run(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b, SubsetMetric metric, ulong seed,
        int resamples = DefaultResamples, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(metric);
        if (a.Count == 0) throw new ArgumentException("No programmings.", nameof(a));
        if (a.Count != b.Count) throw new ArgumentException($"{a.Count} programmings of method A and {b.Count} of method B: a paired comparison needs the same ones.", nameof(b));
        if (resamples < 2) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "At least two resamples are needed.");
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must lie between 0 and 1.");
        int programmings = a.Count, items = a[0].Length;
        if (items == 0) throw new ArgumentException("No items.", nameof(a));
        for (int r = 0; r < programmings; r++)
            if (a[r].Length != items || b[r].Length != items)
                throw new ArgumentException($"Programming {r} has {a[r].Length} and {b[r].Length} predictions; programming 0 has {items}.", nameof(a));

        var whole = new int[items];
        Array.Fill(whole, 1);
        var weights = new int[programmings];
        Array.Fill(weights, 1);
        double estimate = Statistic(a, b, metric, weights, whole);

        var statistics = new double[resamples];
        Parallel.For(0, resamples, () => (Weights: new int[programmings], Counts: new int[items]), (k, _, buffers) =>
        {
            var stream = RandomStream.For(seed, StreamPurpose.Bootstrap, k);
            Array.Clear(buffers.Weights);
            Array.Clear(buffers.Counts);
            for (int i = 0; i < programmings; i++) buffers.Weights[(int)(stream.NextUInt64() % (ulong)programmings)]++;
            for (int i = 0; i < items; i++) buffers.Counts[(int)(stream.NextUInt64() % (ulong)items)]++;
            statistics[k] = Statistic(a, b, metric, buffers.Weights, buffers.Counts);
            return buffers;
        }, _ => { });
        foreach (double s in statistics)
            if (!double.IsFinite(s)) throw new InvalidOperationException("The metric gave a value that is not a finite number on a resample.");
        Array.Sort(statistics);
        double tail = (1 - confidence) / 2;
        return new PairedDifference(estimate, Quantile(statistics, tail), Quantile(statistics, 1 - tail), confidence, resamples, programmings, items);
    }

    /// <summary>Mean over programmings (each counted <paramref name="weights"/>[r] times) of A minus B on the item multiset.</summary>
    static double Statistic(IReadOnlyList<float[]> a, IReadOnlyList<float[]> b, SubsetMetric metric, int[] weights, int[] counts)
    {
        double sum = 0;
        int drawn = 0;
        for (int r = 0; r < weights.Length; r++)
        {
            if (weights[r] == 0) continue;
            sum += weights[r] * (metric(a[r], counts) - metric(b[r], counts));
            drawn += weights[r];
        }
        return sum / drawn;
    }

    /// <summary>The q-quantile of sorted values, linear between order statistics (R's type 7, NumPy's default).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double h = (sorted.Length - 1) * q;
        int low = (int)Math.Floor(h);
        if (low >= sorted.Length - 1) return sorted[^1];
        return sorted[low] + (h - low) * (sorted[low + 1] - sorted[low]);
    }
}
