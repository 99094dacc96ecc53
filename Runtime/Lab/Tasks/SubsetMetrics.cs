using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Lab.Tasks;

/// <summary>A task's metric on a multiset of its test items, from one evaluation's per-item predictions:
/// <paramref name="counts"/>[i] is how often item i is in the multiset (all ones: the whole test set, the table's
/// number). Metrics that are not per-item means (F1, Matthews, Pearson) are recomputed from the counts, which is why
/// a resample keeps predictions rather than per-item scores.</summary>
public delegate double SubsetMetric(ReadOnlySpan<float> predictions, ReadOnlySpan<int> counts);

/// <summary>
/// The benchmark metrics of <see cref="Metrics"/> (and SQuAD's per-question means) on a multiset of test items, for
/// the paired bootstrap: an item counted twice weighs as if it were listed twice. Each holds its gold values once;
/// predictions are class indices for classification, scores for regression and the per-item score for a mean.
/// </summary>
public static class SubsetMetrics
{
    public static SubsetMetric Accuracy(IReadOnlyList<int> gold)
    {
        var labels = gold.ToArray();
        return (predictions, counts) =>
        {
            Check(predictions, counts, labels.Length);
            long right = 0, all = 0;
            for (int i = 0; i < labels.Length; i++)
            {
                all += counts[i];
                if ((int)predictions[i] == labels[i]) right += counts[i];
            }
            return (double)right / Positive(all);
        };
    }

    /// <summary>F1 of class 1; 0 without a true positive, as <see cref="Metrics.F1"/>.</summary>
    public static SubsetMetric F1(IReadOnlyList<int> gold)
    {
        var labels = gold.ToArray();
        return (predictions, counts) =>
        {
            var (tp, fp, fn, _) = Confusion(predictions, counts, labels);
            return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
        };
    }

    /// <summary>Matthews correlation; 0 when the denominator vanishes, as <see cref="Metrics.Matthews"/>.</summary>
    public static SubsetMetric Matthews(IReadOnlyList<int> gold)
    {
        var labels = gold.ToArray();
        return (predictions, counts) =>
        {
            var (tp, fp, fn, tn) = Confusion(predictions, counts, labels);
            double denominator = Math.Sqrt((double)(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
            return denominator == 0 ? 0 : ((double)tp * tn - (double)fp * fn) / denominator;
        };
    }

    /// <summary>Pearson correlation of predicted and gold scores. A resample whose predictions or gold scores are all
    /// equal has no correlation to measure and scores 0 (<see cref="Metrics.Pearson"/> refuses such a series; a
    /// bootstrap must give every resample a number).</summary>
    public static SubsetMetric Pearson(IReadOnlyList<double> gold)
    {
        var truth = gold.ToArray();
        return (predictions, counts) =>
        {
            Check(predictions, counts, truth.Length);
            double n = 0, sx = 0, sy = 0;
            for (int i = 0; i < truth.Length; i++)
            {
                n += counts[i];
                sx += counts[i] * (double)predictions[i];
                sy += counts[i] * truth[i];
            }
            double mx = sx / Positive((long)n), my = sy / n;
            double sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < truth.Length; i++)
            {
                if (counts[i] == 0) continue;
                double dx = predictions[i] - mx, dy = truth[i] - my;
                sxy += counts[i] * dx * dy;
                sxx += counts[i] * dx * dx;
                syy += counts[i] * dy * dy;
            }
            return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
        };
    }

    /// <summary>The mean of per-item scores (SQuAD's F1 and exact match are means over questions).</summary>
    public static SubsetMetric Mean() => (scores, counts) =>
    {
        if (scores.Length != counts.Length) throw new ArgumentException($"{scores.Length} scores for {counts.Length} items.");
        double sum = 0;
        long all = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            sum += counts[i] * (double)scores[i];
            all += counts[i];
        }
        return sum / Positive(all);
    };

    static (long Tp, long Fp, long Fn, long Tn) Confusion(ReadOnlySpan<float> predictions, ReadOnlySpan<int> counts, int[] labels)
    {
        Check(predictions, counts, labels.Length);
        long tp = 0, fp = 0, fn = 0, tn = 0, all = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int c = counts[i];
            all += c;
            bool predicted = (int)predictions[i] == 1, actual = labels[i] == 1;
            if (predicted && actual) tp += c;
            else if (predicted) fp += c;
            else if (actual) fn += c;
            else tn += c;
        }
        Positive(all);
        return (tp, fp, fn, tn);
    }

    static void Check(ReadOnlySpan<float> predictions, ReadOnlySpan<int> counts, int items)
    {
        if (predictions.Length != items || counts.Length != items)
            throw new ArgumentException($"{predictions.Length} predictions and {counts.Length} counts for {items} items.");
    }

    static long Positive(long items) => items > 0 ? items : throw new ArgumentException("The multiset of items is empty.");
}
