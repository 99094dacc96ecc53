using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Tasks;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment;

/// <summary>SQuAD v1.1 on the MiniLM: questions in BERT's windows (<see cref="SquadFeatures"/>), start and end logits from
/// the head on every token (<see cref="MiniLm.SpanLogits"/>), the span loss on the windows, and the official F1 of the
/// best answer per question over its windows, exact match beside it.</summary>
public sealed class SquadTask : IExperimentTask
{
    readonly IReadOnlyList<SquadFeature> train, test;
    readonly IReadOnlyList<SquadExample> questions;
    readonly SquadOptions options;

    SquadTask(IReadOnlyList<SquadFeature> train, IReadOnlyList<SquadExample> questions, IReadOnlyList<SquadFeature> test, SquadOptions options) =>
        (this.train, this.questions, this.test, this.options) = (train, questions, test, options);

    public string Name => "SQuAD";
    public IReadOnlyList<string> Metrics { get; } = new[] { "F1", "exact match" };
    public string Items => "question windows";
    public int TrainCount => train.Count;

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

    public static SquadTask Create(BertTokenizer tokenizer, SquadOptions options, IReadOnlyList<SquadExample> train, IReadOnlyList<SquadExample> test)
    {
        IReadOnlyList<long> Word(string word) => tokenizer.EncodeToIds(word, addSpecialTokens: false).Select(i => (long)i).ToList();
        IReadOnlyList<Piece> Tokenize(string text) => WordSpans.Split(text, Word);
        long cls = tokenizer.ClassificationTokenId, sep = tokenizer.SeparatorTokenId;
        return new SquadTask(SquadFeatures.Create(train, Tokenize, cls, sep, options), test, SquadFeatures.Create(test, Tokenize, cls, sep, options), options);
    }

    public Tensor Loss(MiniLm model, IReadOnlyList<int> batch)
    {
        using var scope = NewDisposeScope();
        var chosen = batch.Select(i => train[i]).ToList();
        var (ids, mask, segments) = TokenBatch.Of(chosen.Select(f => (f.Ids, f.Segments)).ToList());
        var output = model.SpanLogits(ids, mask, segments);
        return Heads.SpanLoss(output, tensor(chosen.Select(f => (long)f.StartPosition).ToArray()), tensor(chosen.Select(f => (long)f.EndPosition).ToArray()))
            .MoveToOuterDisposeScope();
    }

    /// <summary>F1 and exact match as fractions (the official script prints them in percent).</summary>
    public IReadOnlyDictionary<string, double> Scores(MiniLm model, Action<int>? itemsDone = null) => Evaluate(model, itemsDone).Metrics;

    /// <summary>F1 and exact match, with each test question's F1 (0 to 1) as its per-item prediction: the items the
    /// bootstrap resamples are questions, not windows.</summary>
    public ProbeEvaluation Evaluate(MiniLm model, Action<int>? itemsDone = null)
    {
        var (exactMatch, f1) = Squad.PerQuestion(questions, Answers(model, itemsDone));
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

    IReadOnlyDictionary<string, string> Answers(MiniLm model, Action<int>? itemsDone)
    {
        var starts = new float[test.Count][];
        var ends = new float[test.Count][];
        TokenBatch.Evaluate(model, test.Count, (first, n) =>
        {
            var windows = test.Skip(first).Take(n).ToList();
            var (ids, mask, segments) = TokenBatch.Of(windows.Select(f => (f.Ids, f.Segments)).ToList());
            var (start, end) = Heads.SpanLogits(model.SpanLogits(ids, mask, segments));
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
