using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment;

/// <summary>A GLUE task on the MiniLM: single sentences or pairs (<c>[CLS] a [SEP] b [SEP]</c> with segment ids),
/// classification over the head's first outputs or the STS-B regression read from its first output, scored with the
/// task's own metric (the first of <see cref="GlueTask.Score"/>'s: F1 for MRPC and QQP, Pearson for STS-B).</summary>
public sealed class PairTask : IExperimentTask
{
    sealed record Encoded(long[] Ids, long[] Segments, GlueExample Example);

    readonly GlueTask glue;
    readonly IReadOnlyList<Encoded> train, test;
    readonly IReadOnlyList<GlueExample> gold;

    PairTask(GlueTask glue, IReadOnlyList<Encoded> train, IReadOnlyList<Encoded> test)
    {
        this.glue = glue;
        this.train = train;
        // Sorted by length so evaluation batches carry little padding; the gold list follows the same order.
        this.test = test.OrderBy(e => e.Ids.Length).ToList();
        gold = this.test.Select(e => e.Example).ToList();
    }

    public string Name => glue.Name;
    public string Metric => MetricKey(glue) switch { "f1" => "F1", "matthews" => "Matthews correlation", "pearson" => "Pearson correlation", _ => "accuracy" };
    public string Items => glue.PairColumn is null ? "sentences" : "sentence pairs";
    public int TrainCount => train.Count;
    public int TestCount => test.Count;
    public double MeanTestTokens => test.Average(e => e.Ids.Length);

    /// <summary>The key of the reported metric among <see cref="GlueTask.Score"/>'s.</summary>
    public static string MetricKey(GlueTask glue) => glue.Metric switch
    {
        GlueMetric.F1AndAccuracy => "f1",
        GlueMetric.Matthews => "matthews",
        GlueMetric.PearsonSpearman => "pearson",
        _ => "accuracy",
    };

    public static PairTask Create(GlueTask glue, BertTokenizer tokenizer, int maxTokens, IEnumerable<GlueExample> train, IEnumerable<GlueExample> test)
    {
        if (glue.Labels is { Count: > MiniLm.Classes } labels)
            throw new ArgumentException($"GLUE {glue.Name} has {labels.Count} classes; the head has room for {MiniLm.Classes}.", nameof(glue));
        long cls = tokenizer.ClassificationTokenId, sep = tokenizer.SeparatorTokenId;
        IReadOnlyList<long> Pieces(string text) => tokenizer.EncodeToIds(text, addSpecialTokens: false).Select(i => (long)i).ToList();
        List<Encoded> Encode(IEnumerable<GlueExample> items, string part)
        {
            var encoded = items.Select(e =>
            {
                var (ids, segments) = PairEncoding.Encode(Pieces(e.Text), e.Pair is null ? null : Pieces(e.Pair), cls, sep, maxTokens);
                return new Encoded(ids, segments, e);
            }).ToList();
            if (encoded.Count == 0) throw new InvalidDataException($"GLUE {glue.Name} has no {part} examples.");
            return encoded;
        }
        return new PairTask(glue, Encode(train, "training"), Encode(test, "test"));
    }

    public Tensor Loss(MiniLm model, IReadOnlyList<int> batch)
    {
        using var scope = NewDisposeScope();
        var chosen = batch.Select(i => train[i]).ToList();
        var (ids, mask, segments) = TokenBatch.Of(chosen.Select(e => (e.Ids, e.Segments)).ToList());
        var output = model.Classify(ids, mask, segments);
        var loss = glue.IsRegression
            ? Heads.RegressionLoss(output.narrow(1, 0, 1), tensor(chosen.Select(e => (float)e.Example.Score).ToArray()))
            : Heads.ClassificationLoss(output.narrow(1, 0, glue.Labels!.Count), tensor(chosen.Select(e => (long)e.Example.Label).ToArray()));
        return loss.MoveToOuterDisposeScope();
    }

    public double Score(MiniLm model, Action<int>? itemsDone = null) => Scores(model, itemsDone)[MetricKey(glue)];

    /// <summary>Every metric the benchmark reports for the task (accuracy beside F1 for MRPC and QQP, Spearman beside Pearson).</summary>
    public IReadOnlyDictionary<string, double> Scores(MiniLm model, Action<int>? itemsDone = null)
    {
        var predictions = new double[test.Count];
        TokenBatch.Evaluate(model, test.Count, (first, n) =>
        {
            var (ids, mask, segments) = TokenBatch.Of(test.Skip(first).Take(n).Select(e => (e.Ids, e.Segments)).ToList());
            var output = model.Classify(ids, mask, segments);
            var values = glue.IsRegression
                ? output.select(1, 0).to_type(ScalarType.Float64).data<double>().ToArray()
                : output.narrow(1, 0, glue.Labels!.Count).argmax(1).to_type(ScalarType.Float64).data<double>().ToArray();
            values.CopyTo(predictions, first);
        }, itemsDone);
        return glue.Score(predictions, gold);
    }
}
