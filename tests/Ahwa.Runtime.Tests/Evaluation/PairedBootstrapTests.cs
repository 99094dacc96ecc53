using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Tasks;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Evaluation;

/// <summary>The paired bootstrap on known cases, and the task metrics it recomputes on item multisets against
/// <see cref="Metrics"/> on the same items listed out.</summary>
public class PairedBootstrapTests
{
    /// <summary>Binary labels, and per programming the predictions of a method right on each item with probability
    /// <paramref name="right"/> (independent draws from <paramref name="stream"/>'s sample-data streams).</summary>
    static (int[] Gold, List<float[]> Predictions) Synthetic(int items, int programmings, double right, ulong stream)
    {
        var labels = RandomStream.For(stream, StreamPurpose.SampleData, 0);
        var gold = Enumerable.Range(0, items).Select(_ => (int)(labels.NextUInt64() & 1)).ToArray();
        var predictions = Enumerable.Range(0, programmings).Select(r =>
        {
            var draws = RandomStream.For(stream, StreamPurpose.SampleData, r + 1);
            return gold.Select(g => draws.NextOpenUnit() < right ? (float)g : 1 - g).ToArray();
        }).ToList();
        return (gold, predictions);
    }

    [Fact]
    public void IdenticalPredictionsGiveTheIntervalZeroToZeroWithinNoise()
    {
        var (gold, a) = Synthetic(200, 4, 0.7, 1);
        var b = a.Select(p => p.ToArray()).ToList();
        var d = PairedBootstrap.Run(a, b, SubsetMetrics.Accuracy(gold), seed: 3);
        Assert.Equal((0.0, 0.0, 0.0), (d.Estimate, d.Low, d.High));
        Assert.False(d.BeyondNoise);
        Assert.Equal((PairedBootstrap.DefaultResamples, 4, 200, 0.95), (d.Resamples, d.Programmings, d.Items, d.Confidence));
    }

    [Fact]
    public void AMethodRightOnEveryItemWhereTheOtherIsWrongIsBeyondNoise()
    {
        var gold = Enumerable.Range(0, 50).Select(i => i % 2).ToArray();
        var right = Enumerable.Repeat(gold.Select(g => (float)g).ToArray(), 3).ToList();
        var wrong = Enumerable.Repeat(gold.Select(g => (float)(1 - g)).ToArray(), 3).ToList();
        var d = PairedBootstrap.Run(right, wrong, SubsetMetrics.Accuracy(gold), seed: 3);
        Assert.Equal((1.0, 1.0, 1.0), (d.Estimate, d.Low, d.High));
        Assert.True(d.BeyondNoise);
        var reverse = PairedBootstrap.Run(wrong, right, SubsetMetrics.Accuracy(gold), seed: 3);
        Assert.Equal((-1.0, -1.0, -1.0), (reverse.Estimate, reverse.Low, reverse.High));
        Assert.True(reverse.BeyondNoise);
    }

    [Fact]
    public void TheIntervalNarrowsWithMoreItemsAndHoldsTheTrueDifference()
    {
        // 70 % against 60 % right from the same uniform draws (A is right wherever B is): the true difference is 0.1,
        // the interval's width ~ 1 / sqrt(items).
        PairedDifference Of(int items)
        {
            var (gold, a) = Synthetic(items, 5, 0.7, 11);
            var (_, b) = Synthetic(items, 5, 0.6, 11);
            return PairedBootstrap.Run(a, b, SubsetMetrics.Accuracy(gold), seed: 5);
        }
        var few = Of(100);
        var many = Of(4000);
        Assert.True(many.High - many.Low < 0.3 * (few.High - few.Low), $"{few} and {many}");
        Assert.InRange(0.1, many.Low, many.High);
        Assert.True(many.BeyondNoise);
        Assert.True(few.Low <= few.Estimate && few.Estimate <= few.High);
    }

    [Fact]
    public void TheSameSeedGivesTheSameIntervalAndAnotherSeedAnother()
    {
        var (gold, a) = Synthetic(300, 4, 0.7, 21);
        var b = Synthetic(300, 4, 0.65, 21).Predictions.Select((p, r) => p.Select((v, i) => i % 7 == r ? 1 - v : v).ToArray()).ToList();
        var metric = SubsetMetrics.Matthews(gold);
        var first = PairedBootstrap.Run(a, b, metric, seed: 8);
        Assert.Equal(first, PairedBootstrap.Run(a, b, metric, seed: 8));
        Assert.NotEqual((first.Low, first.High), (PairedBootstrap.Run(a, b, metric, seed: 9) is var other ? (other.Low, other.High) : default));
    }

    [Fact]
    public void TheIntervalIsThePercentilesOfResamplesDrawnFromTheSeedAloneWhateverTheThreads()
    {
        // Resample k written out one at a time: programmings then items from RandomStream.For(seed, Bootstrap, k), the
        // statistic the mean over drawn programmings of F1(A) - F1(B) on the drawn items listed out.
        var (gold, a) = Synthetic(60, 3, 0.75, 31);
        var (_, b) = Synthetic(60, 3, 0.6, 31);
        const ulong seed = 12;
        const int resamples = 400;
        var statistics = new double[resamples];
        for (int k = 0; k < resamples; k++)
        {
            var stream = RandomStream.For(seed, StreamPurpose.Bootstrap, k);
            var programmings = Enumerable.Range(0, 3).Select(_ => (int)(stream.NextUInt64() % 3)).ToList();
            var items = Enumerable.Range(0, 60).Select(_ => (int)(stream.NextUInt64() % 60)).ToList();
            double F1(float[] p) => Metrics.F1(items.Select(i => (int)p[i]).ToList(), items.Select(i => gold[i]).ToList());
            statistics[k] = programmings.Average(r => F1(a[r]) - F1(b[r]));
        }
        Array.Sort(statistics);
        // The 2.5th and 97.5th percentiles, linear between order statistics.
        double Quantile(double q)
        {
            double h = (resamples - 1) * q;
            int low = (int)Math.Floor(h);
            return statistics[low] + (h - low) * (statistics[low + 1] - statistics[low]);
        }
        var d = PairedBootstrap.Run(a, b, SubsetMetrics.F1(gold), seed, resamples);
        Assert.Equal(Quantile(0.025), d.Low, 12);
        Assert.Equal(Quantile(0.975), d.High, 12);
    }

    [Fact]
    public void ThePointEstimateIsTheMeanPairedDifferenceOnAllItems()
    {
        var (gold, a) = Synthetic(150, 4, 0.8, 41);
        var (_, b) = Synthetic(150, 4, 0.7, 41);
        foreach (var (metric, reference) in new (SubsetMetric, Func<IReadOnlyList<int>, IReadOnlyList<int>, double>)[]
                 {
                     (SubsetMetrics.Accuracy(gold), Metrics.Accuracy), (SubsetMetrics.F1(gold), Metrics.F1), (SubsetMetrics.Matthews(gold), Metrics.Matthews),
                 })
        {
            double Score(float[] p) => reference(p.Select(v => (int)v).ToList(), gold);
            double expected = a.Zip(b).Average(pair => Score(pair.First) - Score(pair.Second));
            Assert.Equal(expected, PairedBootstrap.Run(a, b, metric, seed: 1, resamples: 100).Estimate, 12);
        }
    }

    [Fact]
    public void ItRefusesUnpairedOrRaggedPredictions()
    {
        var (gold, a) = Synthetic(20, 3, 0.7, 51);
        var metric = SubsetMetrics.Accuracy(gold);
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run(a, a.Take(2).ToList(), metric, 1));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run(a, a.Select((p, r) => r == 1 ? p[..10] : p).ToList(), metric, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.Run(a, a, metric, 1, resamples: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PairedBootstrap.Run(a, a, metric, 1, confidence: 1));
    }

    [Fact]
    public void SubsetMetricsAreTheBenchmarkMetricsOfTheItemsListedOut()
    {
        var (gold, predictions) = Synthetic(80, 1, 0.7, 61);
        var p = predictions[0];
        var draws = RandomStream.For(61, StreamPurpose.SampleData, 99);
        var counts = Enumerable.Range(0, 80).Select(_ => (int)(draws.NextUInt64() % 3)).ToArray();
        var listed = Enumerable.Range(0, 80).SelectMany(i => Enumerable.Repeat(i, counts[i])).ToList();
        var ones = Enumerable.Repeat(1, 80).ToArray();
        var predicted = p.Select(v => (int)v).ToList();
        foreach (var (metric, reference) in new (SubsetMetric, Func<IReadOnlyList<int>, IReadOnlyList<int>, double>)[]
                 {
                     (SubsetMetrics.Accuracy(gold), Metrics.Accuracy), (SubsetMetrics.F1(gold), Metrics.F1), (SubsetMetrics.Matthews(gold), Metrics.Matthews),
                 })
        {
            Assert.Equal(reference(predicted, gold), metric(p, ones), 12);
            Assert.Equal(reference(listed.Select(i => predicted[i]).ToList(), listed.Select(i => gold[i]).ToList()), metric(p, counts), 12);
        }

        // STS-B: Pearson of float scores; a constant resample scores 0 rather than failing the bootstrap.
        var scores = Enumerable.Range(0, 80).Select(i => (float)(gold[i] * 2 + Math.Sin(i))).ToArray();
        var truth = Enumerable.Range(0, 80).Select(i => gold[i] * 3.0 + Math.Cos(i)).ToArray();
        var pearson = SubsetMetrics.Pearson(truth);
        Assert.Equal(Metrics.Pearson(scores.Select(v => (double)v).ToList(), truth), pearson(scores, ones), 12);
        Assert.Equal(Metrics.Pearson(listed.Select(i => (double)scores[i]).ToList(), listed.Select(i => truth[i]).ToList()), pearson(scores, counts), 12);
        var single = new int[80];
        single[5] = 7;
        Assert.Equal(0, pearson(scores, single));

        // SQuAD: the mean of per-question scores.
        var f1 = Enumerable.Range(0, 80).Select(i => (float)(i % 5) / 4).ToArray();
        Assert.Equal(f1.Average(v => (double)v), SubsetMetrics.Mean()(f1, ones), 12);
        Assert.Equal(listed.Average(i => (double)f1[i]), SubsetMetrics.Mean()(f1, counts), 12);
        Assert.Throws<ArgumentException>(() => SubsetMetrics.Accuracy(gold)(p, new int[80]));
    }
}
