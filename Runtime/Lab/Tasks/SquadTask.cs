using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>SQuAD v1.1 on an <see cref="IEncoderModel"/>: questions in BERT's windows (<see cref="SquadFeatures"/>), start
/// and end logits from the head on every token (<see cref="IEncoderModel.SpanLogits"/>), the span loss on the windows, and the official F1 of the
/// best answer per question over its windows, exact match beside it.</summary>
public sealed class SquadTask : IModelTask
{
    readonly IReadOnlyList<SquadFeature> train, test;
    readonly IReadOnlyList<SquadExample> questions;
    readonly SquadOptions options;

    SquadTask(IReadOnlyList<SquadFeature> train, IReadOnlyList<SquadExample> questions, IReadOnlyList<SquadFeature> test, SquadOptions options) =>
        (this.train, this.questions, this.test, this.options) = (train, questions, test, options);

    /// <summary>The files a SQuAD folder holds.</summary>
    public const string TrainFile = "train-v1.1.json", DevFile = "dev-v1.1.json";

    /// <summary>The head outputs the task reads: start and end logits.</summary>
    public const int HeadOutputs = 2;

    public string Name => "SQuAD";
    public Type ModelType => typeof(IEncoderModel);
    public string Metric => Metrics[0];
    public IReadOnlyList<string> Metrics { get; } = new[] { "F1", "exact match" };
    public string Items => "question windows";
    public int Examples => train.Count;

    public string TrainingData
    {
        get
        {
            using var digest = new TrainingDigest();
            foreach (var item in train) digest.Add(item.Ids).Add(item.Segments).Add(item.StartPosition).Add(item.EndPosition);
            return digest.Hex();
        }
    }
    public int TestCount => test.Count;
    public int TestQuestions => questions.Count;
    public double MeanTestTokens => test.Average(f => f.Ids.Length);

    public static SquadTask Create(ITextTokenizer tokenizer, SquadOptions options, IReadOnlyList<SquadExample> train, IReadOnlyList<SquadExample> test)
    {
        IReadOnlyList<Piece> Tokenize(string text) => WordSpans.Split(text, tokenizer.WordPieces);
        long cls = tokenizer.ClassificationTokenId, sep = tokenizer.SeparatorTokenId;
        return new SquadTask(SquadFeatures.Create(train, Tokenize, cls, sep, options), test, SquadFeatures.Create(test, Tokenize, cls, sep, options), options);
    }

    /// <summary>The task from a folder holding <see cref="TrainFile"/> and <see cref="DevFile"/> (the test set).</summary>
    public static SquadTask Load(string folder, ITextTokenizer tokenizer, SquadOptions options) =>
        Create(tokenizer, options, Squad.Read(Path.Combine(folder, TrainFile)), Squad.Read(Path.Combine(folder, DevFile)));

    public Tensor Loss(AhwaModel model, int[] batch)
    {
        var encoder = EncoderTasks.Model(model, Name, HeadOutputs);
        using var scope = NewDisposeScope();
        var chosen = batch.Select(i => train[i]).ToList();
        var (ids, mask, segments) = TokenBatch.Of(chosen.Select(f => (f.Ids, f.Segments)).ToList());
        var output = encoder.SpanLogits(ids, mask, segments);
        return Heads.SpanLoss(output, tensor(chosen.Select(f => (long)f.StartPosition).ToArray()), tensor(chosen.Select(f => (long)f.EndPosition).ToArray()))
            .MoveToOuterDisposeScope();
    }

    /// <summary>F1 and exact match as fractions (the official script prints them in percent), with each test question's F1 (0 to 1) as its per-item prediction: the items the
    /// bootstrap resamples are questions, not windows.</summary>
    public ProbeEvaluation Evaluate(AhwaModel model, Action<int>? itemsDone = null)
    {
        var (exactMatch, f1) = Squad.PerQuestion(questions, Answers(model, EncoderTasks.Model(model, Name, HeadOutputs), itemsDone));
        double em = 0, sum = 0;
        for (int i = 0; i < questions.Count; i++)
        {
            em += exactMatch[i];
            sum += f1[i];
        }
        // As Squad.Evaluate computes them (in percent), then as fractions: the same numbers as before.
        return new ProbeEvaluation(new Dictionary<string, double> { [Metrics[0]] = 100 * sum / questions.Count / 100, [Metrics[1]] = 100 * em / questions.Count / 100 },
            f1.Select(v => (float)v).ToArray());
    }

    /// <summary>F1 over a multiset of test questions: a mean of per-question scores.</summary>
    public SubsetMetric SubsetMetric { get; } = SubsetMetrics.Mean();

    IReadOnlyDictionary<string, string> Answers(AhwaModel model, IEncoderModel encoder, Action<int>? itemsDone)
    {
        var starts = new float[test.Count][];
        var ends = new float[test.Count][];
        TokenBatch.Evaluate(model, test.Count, (first, n) =>
        {
            var windows = test.Skip(first).Take(n).ToList();
            var (ids, mask, segments) = TokenBatch.Of(windows.Select(f => (f.Ids, f.Segments)).ToList());
            var (start, end) = Heads.SpanLogits(encoder.SpanLogits(ids, mask, segments));
            var (s, e) = (start.contiguous().data<float>().ToArray(), end.contiguous().data<float>().ToArray());
            int length = (int)start.shape[1];
            for (int b = 0; b < n; b++)
            {
                // Only the window's own tokens: padding lies outside its context, and Predict never reads past it.
                starts[first + b] = s.AsSpan(b * length, windows[b].Ids.Length).ToArray();
                ends[first + b] = e.AsSpan(b * length, windows[b].Ids.Length).ToArray();
            }
        }, itemsDone);
        return SquadFeatures.Answers(questions, test, starts, ends, options);
    }
}
