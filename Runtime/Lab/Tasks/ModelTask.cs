using System;
using System.Collections.Generic;
using Ahwa.Runtime;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>One evaluation: its metrics and, where the task keeps them, the per-item predictions its main metric is
/// computed from (what the paired bootstrap resamples); a task gives them on every evaluation or on none.</summary>
public sealed record ProbeEvaluation(IReadOnlyDictionary<string, double> Metrics, float[]? Items = null);

/// <summary>What a model is trained and measured on, for the <c>ahwa</c> commands and for experiments alike: the loss
/// of a training batch and the metrics of the test set, whatever the head (sentences, sentence pairs, regression,
/// question answering). A user's assembly declares public subclasses of <see cref="ModelTask{TModel}"/>, found by
/// reflection; the GLUE and SQuAD tasks (<see cref="PairTask"/>, <see cref="SquadTask"/>) run on any
/// <see cref="IEncoderModel"/>. The members with a body are what a single-metric task without per-item predictions
/// gives.</summary>
public interface IModelTask
{
    /// <summary>The task's name on the command line (<c>--task NAME</c>) and in reports.</summary>
    string Name { get; }

    /// <summary>The model class (or interface) the task's loss and metric are written for.</summary>
    Type ModelType { get; }

    /// <summary>Training items; batches are index arrays into them.</summary>
    int Examples { get; }

    /// <summary>The main metric, as the benchmark names it (accuracy, F1, Matthews correlation, ...); higher is better.</summary>
    string Metric { get; }

    /// <summary>Every metric <see cref="Evaluate"/> gives, the main one first, then those the benchmark reports beside it
    /// (accuracy beside F1 for MRPC and QQP, Spearman beside Pearson, exact match beside SQuAD's F1, MNLI's mismatched set).</summary>
    IReadOnlyList<string> Metrics => [Metric];

    /// <summary>What one training or test item is ("sentences", "sentence pairs", "question windows").</summary>
    string Items => "examples";

    /// <summary>SHA-256 (hex) of the training items as the head sees them (<see cref="TrainingDigest"/>): what a kept
    /// training phase was trained on; null where the task cannot say, so nothing trained on it is reused.</summary>
    string? TrainingData => null;

    /// <summary>Test items of the main metric's set; 0 where the task does not count them.</summary>
    int TestCount => 0;

    /// <summary>Items one evaluation runs through, as its progress counts them (more than <see cref="TestCount"/> when a
    /// metric has a test set of its own, as MNLI's mismatched one).</summary>
    int EvaluatedCount => TestCount;

    /// <summary>Mean tokens of a test item; NaN where items are not token sequences.</summary>
    double MeanTestTokens => double.NaN;

    /// <summary>The head's loss of one training batch (indices into the training items).</summary>
    Tensor Loss(AhwaModel model, int[] batch);

    /// <summary>Every metric of <see cref="Metrics"/> on the test set as a fraction (1 is perfect) with the model as it
    /// now is (its execution mode decides digital, noisy or programmed), with the per-item predictions of the main
    /// metric's test set where the task gives them (class indices, regression scores, or SQuAD's F1 per question): what
    /// <see cref="SubsetMetric"/> reads. <paramref name="itemsDone"/> counts evaluated items.</summary>
    ProbeEvaluation Evaluate(AhwaModel model, Action<int>? itemsDone = null);

    /// <summary>The main metric on a multiset of the main test set's items, from <see cref="Evaluate"/>'s predictions
    /// (all items once: the main metric), for the paired bootstrap; null where the task keeps no predictions.</summary>
    SubsetMetric? SubsetMetric => null;

    /// <summary>The metrics of <see cref="Evaluate"/> alone.</summary>
    IReadOnlyDictionary<string, double> Scores(AhwaModel model, Action<int>? itemsDone = null) => Evaluate(model, itemsDone).Metrics;

    /// <summary>The main metric alone.</summary>
    double Score(AhwaModel model, Action<int>? itemsDone = null) => Scores(model, itemsDone)[Metric];
}

/// <summary>Base of a task for one model class: the loss and metric get the model as its own type.</summary>
public abstract class ModelTask<TModel> : IModelTask where TModel : AhwaModel
{
    public virtual string Name => GetType().Name;

    public Type ModelType => typeof(TModel);

    public abstract int Examples { get; }

    public virtual string Metric => "accuracy";

    public abstract Tensor Loss(TModel model, int[] batch);

    /// <summary>The main metric on the test set.</summary>
    public abstract double Evaluate(TModel model);

    Tensor IModelTask.Loss(AhwaModel model, int[] batch) => Loss(Cast(model), batch);

    ProbeEvaluation IModelTask.Evaluate(AhwaModel model, Action<int>? itemsDone) =>
        new(new Dictionary<string, double> { [Metric] = Evaluate(Cast(model)) });

    TModel Cast(AhwaModel model) => model as TModel
        ?? throw new ArgumentException($"Task '{Name}' is written for {typeof(TModel).Name}, not {model.GetType().Name}.", nameof(model));
}
