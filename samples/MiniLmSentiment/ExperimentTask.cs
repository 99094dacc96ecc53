using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment;

/// <summary>What the experiment trains and measures on one task: the head's loss of a training batch and the
/// benchmark's metric on the test set, whatever the head (sentences, sentence pairs, regression, question answering).</summary>
public interface IExperimentTask
{
    string Name { get; }

    /// <summary>The main metric, as the benchmark names it (accuracy, F1, Matthews correlation, ...): the main tables' one.</summary>
    string Metric => Metrics[0];

    /// <summary>Every metric <see cref="Scores"/> gives, the main one first, then those the benchmark reports beside it
    /// (accuracy beside F1 for MRPC and QQP, Spearman beside Pearson, exact match beside SQuAD's F1, MNLI's mismatched set).</summary>
    IReadOnlyList<string> Metrics { get; }

    /// <summary>What one training or test item is ("sentences", "sentence pairs", "question windows").</summary>
    string Items { get; }

    int TrainCount { get; }

    /// <summary>SHA-256 (hex) of the training items as the head sees them (<see cref="TrainingDigest"/>): what a kept
    /// training phase was trained on.</summary>
    string TrainingData { get; }

    /// <summary>Test items of the main metric's set.</summary>
    int TestCount { get; }

    /// <summary>Items one evaluation runs through, as its progress counts them (more than <see cref="TestCount"/> when a
    /// metric has a test set of its own, as MNLI's mismatched one).</summary>
    int EvaluatedCount => TestCount;

    double MeanTestTokens { get; }

    /// <summary>The head's loss of one training batch (indices into the training items).</summary>
    Tensor Loss(MiniLm model, IReadOnlyList<int> batch);

    /// <summary>Every metric of <see cref="Metrics"/> on the test set as a fraction (1 is perfect) with the model as it
    /// now is (its execution mode decides digital, noisy or programmed); <paramref name="itemsDone"/> counts evaluated items.</summary>
    IReadOnlyDictionary<string, double> Scores(MiniLm model, Action<int>? itemsDone = null) => Evaluate(model, itemsDone).Metrics;

    /// <summary><see cref="Scores"/> with the per-item predictions of the main metric's test set from the same
    /// evaluation (class indices, regression scores, or SQuAD's F1 per question): what <see cref="SubsetMetric"/> reads.</summary>
    ProbeEvaluation Evaluate(MiniLm model, Action<int>? itemsDone = null);

    /// <summary>The main metric on a multiset of the main test set's items, from <see cref="Evaluate"/>'s predictions
    /// (all items once: the main metric of <see cref="Scores"/>), for the paired bootstrap.</summary>
    SubsetMetric SubsetMetric { get; }

    /// <summary>The main metric alone.</summary>
    double Score(MiniLm model, Action<int>? itemsDone = null) => Scores(model, itemsDone)[Metric];
}

/// <summary>Padded batches of token ids, attention masks and segment ids.</summary>
static class TokenBatch
{
    public const int EvaluationBatch = 64;

    public static (Tensor Ids, Tensor Mask, Tensor Segments) Of(IReadOnlyList<(long[] Ids, long[] Segments)> items)
    {
        int length = items.Max(c => c.Ids.Length);
        var ids = new long[items.Count * length];
        var mask = new long[items.Count * length];
        var segments = new long[items.Count * length];
        for (int b = 0; b < items.Count; b++)
            for (int t = 0; t < items[b].Ids.Length; t++)
            {
                ids[b * length + t] = items[b].Ids[t];
                segments[b * length + t] = items[b].Segments[t];
                mask[b * length + t] = 1;
            }
        var shape = new long[] { items.Count, length };
        return (tensor(ids, shape), tensor(mask, shape), tensor(segments, shape));
    }

    /// <summary>Runs <paramref name="evaluate"/> on consecutive test batches without gradients, in eval mode.</summary>
    public static void Evaluate(MiniLm model, int count, Action<int, int> evaluate, Action<int>? itemsDone)
    {
        using var noGrad = no_grad();
        model.eval();
        for (int first = 0; first < count; first += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(EvaluationBatch, count - first);
            evaluate(first, n);
            itemsDone?.Invoke(n);
        }
    }
}
