using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Lab.Tasks;

/// <summary>The metrics as GLUE defines them (scikit-learn's and SciPy's definitions): accuracy, F1 of class 1,
/// Matthews correlation, Pearson and Spearman correlation (ties get their average rank).</summary>
public static class Metrics
{
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> gold)
    {
        Check(predicted.Count, gold.Count);
        return (double)predicted.Zip(gold).Count(p => p.First == p.Second) / gold.Count;
    }

    /// <summary>F1 of the positive class (label 1); 0 when there is no true positive.</summary>
    public static double F1(IReadOnlyList<int> predicted, IReadOnlyList<int> gold)
    {
        Check(predicted.Count, gold.Count);
        var (tp, fp, fn, _) = Confusion(predicted, gold);
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /// <summary>Matthews correlation of a binary classification; 0 when a row or column of the confusion matrix is
    /// empty (the denominator vanishes), as scikit-learn returns.</summary>
    public static double Matthews(IReadOnlyList<int> predicted, IReadOnlyList<int> gold)
    {
        Check(predicted.Count, gold.Count);
        var (tp, fp, fn, tn) = Confusion(predicted, gold);
        double denominator = Math.Sqrt((double)(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
        return denominator == 0 ? 0 : ((double)tp * tn - (double)fp * fn) / denominator;
    }

    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Check(x.Count, y.Count);
        if (x.Count < 2) throw new ArgumentException("Correlation needs at least two values.", nameof(x));
        double mx = x.Average(), my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        if (sxx == 0 || syy == 0) throw new ArgumentException("Correlation is undefined for a constant series.", nameof(x));
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Pearson correlation of the ranks.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(Ranks(x), Ranks(y));

    /// <summary>Ranks from 1; tied values share the average of the ranks they span.</summary>
    public static IReadOnlyList<double> Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double average = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = average;
            start = end + 1;
        }
        return ranks;
    }

    static (long Tp, long Fp, long Fn, long Tn) Confusion(IReadOnlyList<int> predicted, IReadOnlyList<int> gold)
    {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            if (predicted[i] is not (0 or 1) || gold[i] is not (0 or 1))
                throw new ArgumentException($"Item {i}: binary metrics need labels 0 or 1, got predicted {predicted[i]}, gold {gold[i]}.");
            if (predicted[i] == 1 && gold[i] == 1) tp++;
            else if (predicted[i] == 1) fp++;
            else if (gold[i] == 1) fn++;
            else tn++;
        }
        return (tp, fp, fn, tn);
    }

    static void Check(int predicted, int gold)
    {
        if (predicted != gold) throw new ArgumentException($"{predicted} predictions for {gold} gold labels.");
        if (gold == 0) throw new ArgumentException("No examples to score.");
    }
}
