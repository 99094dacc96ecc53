using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>A GLUE task on an <see cref="IEncoderModel"/>: single sentences or pairs (<c>[CLS] a [SEP] b [SEP]</c> with segment ids),
/// classification over the head's first outputs or the STS-B regression read from its first output, scored with every
/// metric the benchmark reports (the main one first: F1 for MRPC and QQP, Pearson for STS-B) on each test set (MNLI's
/// matched one gives the main metric, its mismatched one the same metrics again).</summary>
public sealed class PairTask : IModelTask
{
    sealed record Encoded(long[] Ids, long[] Segments, GlueExample Example);

    /// <summary>One scored set: the suffix its metrics carry ("" for the main set), its items sorted by length so
    /// evaluation batches carry little padding, and the gold examples in the same order.</summary>
    sealed record TestSet(string Suffix, IReadOnlyList<Encoded> Items, IReadOnlyList<GlueExample> Gold);

    readonly GlueTask glue;
    readonly IReadOnlyList<Encoded> train;
    readonly IReadOnlyList<TestSet> tests;

    PairTask(GlueTask glue, IReadOnlyList<Encoded> train, IReadOnlyList<TestSet> tests)
    {
        this.glue = glue;
        this.train = train;
        this.tests = tests;
        Metrics = tests.SelectMany(t => MetricNames(glue).Select(m => m.Name + t.Suffix)).ToList();
    }

    public string Name => glue.Name;
    public Type ModelType => typeof(IEncoderModel);
    public string Metric => Metrics[0];
    public IReadOnlyList<string> Metrics { get; }
    public string Items => glue.PairColumn is null ? "sentences" : "sentence pairs";
    public int Examples => train.Count;

    /// <summary>The head outputs the task reads: one per class, or STS-B's one score.</summary>
    public int HeadOutputs => glue.Labels?.Count ?? 1;

    public string TrainingData
    {
        get
        {
            using var digest = new TrainingDigest();
            foreach (var item in train) digest.Add(item.Ids).Add(item.Segments).Add(item.Example.Label).Add(item.Example.Score);
            return digest.Hex();
        }
    }
    public int TestCount => tests[0].Items.Count;
    public int EvaluatedCount => tests.Sum(t => t.Items.Count);
    public double MeanTestTokens => tests[0].Items.Average(e => e.Ids.Length);

    /// <summary>The benchmark's metrics as the report names them, with their keys among <see cref="GlueTask.Score"/>'s;
    /// the main one first.</summary>
    public static IReadOnlyList<(string Key, string Name)> MetricNames(GlueTask glue) => glue.Metric switch
    {
        GlueMetric.F1AndAccuracy => new[] { ("f1", "F1"), ("accuracy", "accuracy") },
        GlueMetric.Matthews => new[] { ("matthews", "Matthews correlation") },
        GlueMetric.PearsonSpearman => new[] { ("pearson", "Pearson correlation"), ("spearman", "Spearman correlation") },
        _ => new[] { ("accuracy", "accuracy") },
    };

    /// <param name="test">The test sets in <see cref="GlueTask.DevFiles"/>' order: the first gives the main metric, each
    /// further one its metrics again under the set's name (MNLI's "mismatched").</param>
    public static PairTask Create(GlueTask glue, ITextTokenizer tokenizer, int maxTokens, IEnumerable<GlueExample> train, params IEnumerable<GlueExample>[] test)
    {
        if (test.Length == 0 || test.Length > glue.DevFiles.Count)
            throw new ArgumentException($"GLUE {glue.Name} has {glue.DevFiles.Count} dev sets; {test.Length} test sets were given.", nameof(test));
        long cls = tokenizer.ClassificationTokenId, sep = tokenizer.SeparatorTokenId;
        List<Encoded> Encode(IEnumerable<GlueExample> items, string part)
        {
            var encoded = items.Select(e =>
            {
                var (ids, segments) = PairEncoding.Encode(tokenizer.WordPieces(e.Text), e.Pair is null ? null : tokenizer.WordPieces(e.Pair), cls, sep, maxTokens);
                return new Encoded(ids, segments, e);
            }).ToList();
            if (encoded.Count == 0) throw new InvalidDataException($"GLUE {glue.Name} has no {part} examples.");
            return encoded;
        }
        var sets = test.Select((items, i) =>
        {
            var sorted = Encode(items, i == 0 ? "test" : SetName(glue.DevFiles[i]) + " test").OrderBy(e => e.Ids.Length).ToList();
            return new TestSet(i == 0 ? "" : ", " + SetName(glue.DevFiles[i]), sorted, sorted.Select(e => e.Example).ToList());
        }).ToList();
        return new PairTask(glue, Encode(train, "training"), sets);
    }

    /// <summary>The task from a folder holding its <see cref="GlueTask.Files"/>, every example of them: GLUE's test labels
    /// are hidden, so the dev sets are the test sets, as in the paper (MNLI: matched for the main metric, mismatched
    /// beside it). <paramref name="subset"/> may pick fewer items of a file (its index in <see cref="GlueTask.Files"/>).</summary>
    public static PairTask Load(GlueTask glue, string folder, ITextTokenizer tokenizer, int maxTokens,
        Func<IReadOnlyList<GlueExample>, int, IReadOnlyList<GlueExample>>? subset = null)
    {
        var sets = glue.Files.Select((file, i) => (subset ?? ((items, _) => items))(glue.Read(Path.Combine(folder, file)), i)).ToList();
        return Create(glue, tokenizer, maxTokens, sets[0], sets.Skip(1).ToArray());
    }

    /// <summary>"mismatched" for <c>dev_mismatched.tsv</c>.</summary>
    static string SetName(string devFile)
    {
        string name = Path.GetFileNameWithoutExtension(devFile);
        return name.StartsWith("dev_", StringComparison.Ordinal) ? name["dev_".Length..] : name;
    }

    public Tensor Loss(AhwaModel model, int[] batch)
    {
        var encoder = EncoderTasks.Model(model, Name, HeadOutputs);
        using var scope = NewDisposeScope();
        var chosen = batch.Select(i => train[i]).ToList();
        var (ids, mask, segments) = TokenBatch.Of(chosen.Select(e => (e.Ids, e.Segments)).ToList());
        var output = encoder.Classify(ids, mask, segments);
        var loss = glue.IsRegression
            ? Heads.RegressionLoss(output.narrow(1, 0, 1), tensor(chosen.Select(e => (float)e.Example.Score).ToArray()))
            : Heads.ClassificationLoss(output.narrow(1, 0, glue.Labels!.Count), tensor(chosen.Select(e => (long)e.Example.Label).ToArray()));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Every metric on every set, with the main set's predictions (class indices, or STS-B's scores).</summary>
    public ProbeEvaluation Evaluate(AhwaModel model, Action<int>? itemsDone = null)
    {
        EncoderTasks.Model(model, Name, HeadOutputs);
        var scores = new Dictionary<string, double>();
        double[]? main = null;
        foreach (var set in tests)
        {
            var predictions = Predictions(model, set.Items, itemsDone);
            main ??= predictions;
            var byKey = glue.Score(predictions, set.Gold);
            foreach (var (key, name) in MetricNames(glue)) scores[name + set.Suffix] = byKey[key];
        }
        return new ProbeEvaluation(scores, main!.Select(p => (float)p).ToArray());
    }

    /// <summary>The main metric (<see cref="MetricNames"/>' first) on a multiset of the main set's items.</summary>
    public SubsetMetric SubsetMetric => subsetMetric ??= SubsetOf(glue, tests[0].Gold);

    SubsetMetric? subsetMetric;

    /// <summary>The main metric of <paramref name="glue"/> on a multiset of <paramref name="gold"/>'s items.</summary>
    public static SubsetMetric SubsetOf(GlueTask glue, IReadOnlyList<GlueExample> gold)
    {
        var labels = gold.Select(g => g.Label).ToList();
        if (glue.IsRegression) return SubsetMetrics.Pearson(gold.Select(g => g.Score).ToList());
        return glue.Metric switch
        {
            GlueMetric.Matthews => SubsetMetrics.Matthews(labels),
            GlueMetric.F1AndAccuracy => SubsetMetrics.F1(labels),
            _ => SubsetMetrics.Accuracy(labels),
        };
    }

    double[] Predictions(AhwaModel model, IReadOnlyList<Encoded> items, Action<int>? itemsDone)
    {
        var predictions = new double[items.Count];
        TokenBatch.Evaluate(model, items.Count, (first, n) =>
        {
            var (ids, mask, segments) = TokenBatch.Of(items.Skip(first).Take(n).Select(e => (e.Ids, e.Segments)).ToList());
            var output = ((IEncoderModel)model).Classify(ids, mask, segments);
            var values = glue.IsRegression
                ? output.select(1, 0).to_type(ScalarType.Float64).data<double>().ToArray()
                : output.narrow(1, 0, glue.Labels!.Count).argmax(1).to_type(ScalarType.Float64).data<double>().ToArray();
            values.CopyTo(predictions, first);
        }, itemsDone);
        return predictions;
    }
}
