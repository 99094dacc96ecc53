using System;
using Ahwa.Lab.Tasks;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>Issue 14, item 2: each metric against a case computed by hand.</summary>
public class MetricsTests
{
    [Fact]
    public void AccuracyCountsMatches() => Assert.Equal(0.75, Metrics.Accuracy([1, 0, 1, 1], [1, 0, 0, 1]));

    [Fact]
    public void F1IsOfThePositiveClass()
    {
        // tp 2, fp 1, fn 0: 2 * 2 / (2 * 2 + 1 + 0).
        Assert.Equal(0.8, Metrics.F1([1, 0, 1, 1], [1, 0, 0, 1]), 12);
        // Swapping the classes changes F1 (tp 1, fp 0, fn 1: 2 / 3): it is not symmetric, unlike accuracy.
        Assert.Equal(2.0 / 3, Metrics.F1([0, 1, 0, 0], [0, 1, 1, 0]), 12);
        Assert.Equal(0, Metrics.F1([0, 0], [1, 0]));
    }

    [Fact]
    public void MatthewsFromTheConfusionMatrix()
    {
        // tp 2, fp 1, fn 1, tn 2: (2 * 2 - 1 * 1) / sqrt(3 * 3 * 3 * 3) = 1 / 3.
        Assert.Equal(1.0 / 3, Metrics.Matthews([1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 1]), 12);
        Assert.Equal(-1, Metrics.Matthews([0, 1], [1, 0]), 12);
        Assert.Equal(0, Metrics.Matthews([1, 1, 1], [1, 0, 1])); // one predicted class: scikit-learn's 0
    }

    [Fact]
    public void BinaryMetricsRefuseOtherLabels() =>
        Assert.Contains("Item 1", Assert.Throws<ArgumentException>(() => Metrics.F1([1, 2], [1, 0])).Message);

    [Fact]
    public void PearsonByHand() =>
        // Deviations (-1.5, -0.5, 0.5, 1.5) and (-3, -1, 0, 4): 11 / sqrt(5 * 26).
        Assert.Equal(11 / Math.Sqrt(130), Metrics.Pearson([1, 2, 3, 4], [2, 4, 5, 9]), 12);

    [Fact]
    public void SpearmanAveragesTiedRanks()
    {
        Assert.Equal([1, 2.5, 2.5, 4], Metrics.Ranks([1, 2, 2, 3]));
        Assert.Equal([3, 1, 3, 3], Metrics.Ranks([5, 1, 5, 5]));
        // Ranks (1, 2.5, 2.5, 4) against (1, 3, 2, 4): 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10) (SciPy's spearmanr agrees).
        Assert.Equal(3 / Math.Sqrt(10), Metrics.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), 12);
        // Monotone but not linear: Spearman 1, Pearson below it.
        Assert.Equal(1, Metrics.Spearman([1, 2, 3, 4], [1, 10, 100, 1000]), 12);
        Assert.True(Metrics.Pearson([1, 2, 3, 4], [1, 10, 100, 1000]) < 0.9);
    }

    [Fact]
    public void ConstantSeriesHasNoCorrelation() =>
        Assert.Throws<ArgumentException>(() => Metrics.Pearson([1, 1, 1], [1, 2, 3]));
}
