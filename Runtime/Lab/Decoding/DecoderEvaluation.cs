using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Runtime.Decoders;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Decoding;

/// <summary>A choice's log-likelihood given its context: the sum over its tokens and that sum per token.</summary>
public sealed record ChoiceScore(double Sum, double PerToken, int Tokens);

/// <summary>Zero-shot evaluation of a causal LM, digital or on the programmed chip (run it inside a
/// <c>DriftSweep</c> probe for the drift protocol): multiple choice by log-likelihood, exact match by greedy generation
/// with the key-value cache.</summary>
public static class DecoderEvaluation
{
    /// <summary>log p(choice | context) of each choice, one forward per choice, the softmax over the tokenizer's ids.</summary>
    public static IReadOnlyList<ChoiceScore> Scores(ICausalLanguageModel model, ITokenizer tokenizer, ChoiceItem item)
    {
        var context = tokenizer.Encode(item.Context);
        if (context.Length == 0) throw new ArgumentException("A multiple-choice context needs at least one token (the first choice token is predicted from it).", nameof(item));
        using var noGrad = no_grad();
        return item.Choices.Select(choice =>
        {
            var ids = tokenizer.Encode(choice);
            var group = new GrpoGroup(context, new[] { ids }, new[] { 0.0, 0.0 });
            using var scope = NewDisposeScope();
            double sum = Grpo.CompletionLogProbs(model, group, tokenizer.Padding, tokenizer.VocabularySize).LogProbs.sum().item<float>();
            return new ChoiceScore(sum, sum / ids.Length, ids.Length);
        }).ToList();
    }

    /// <summary>Accuracy: the choice with the highest score (per token when <paramref name="lengthNormalised"/>, as
    /// lm-evaluation-harness's acc_norm does by length; otherwise the plain sum, its acc) is the label's.</summary>
    public static double MultipleChoiceAccuracy(ICausalLanguageModel model, ITokenizer tokenizer, IReadOnlyList<ChoiceItem> items, bool lengthNormalised)
    {
        if (items.Count == 0) throw new ArgumentException("No items to evaluate.", nameof(items));
        int correct = 0;
        foreach (var item in items)
        {
            var scores = Scores(model, tokenizer, item);
            int best = 0;
            for (int i = 1; i < scores.Count; i++)
                if ((lengthNormalised ? scores[i].PerToken : scores[i].Sum) > (lengthNormalised ? scores[best].PerToken : scores[best].Sum)) best = i;
            if (best == item.Label) correct++;
        }
        return (double)correct / items.Count;
    }

    /// <summary>Exact match: the greedy completion's number (by <paramref name="extract"/>) equals the answer; only the
    /// tokenizer's ids are candidates. Questions whose prompts have one length are generated together, up to
    /// <paramref name="batch"/> at a time (digitally the same completions as one at a time; under noise each forward
    /// draws once for the batch, as in training).</summary>
    public static double ExactMatch(ICausalLanguageModel model, ITokenizer tokenizer, IReadOnlyList<RewardPrompt> questions, Func<string, decimal?> extract, int maxNewTokens,
        int batch = 1)
    {
        if (questions.Count == 0) throw new ArgumentException("No questions to evaluate.", nameof(questions));
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "At least one question per batch.");
        int correct = 0;
        var encoded = questions.Select(q => (Ids: (IReadOnlyList<int>)tokenizer.Encode(q.Prompt), q.Answer)).ToList();
        foreach (var sameLength in encoded.GroupBy(q => q.Ids.Count))
            foreach (var chunk in sameLength.Chunk(batch))
            {
                var completions = Generation.Complete(model, chunk.Select(q => q.Ids).ToList(), maxNewTokens, tokenizer.EndOfSequence, vocabulary: tokenizer.VocabularySize);
                for (int i = 0; i < chunk.Length; i++)
                    if (extract(tokenizer.Decode(completions[i])) == chunk[i].Answer) correct++;
            }
        return (double)correct / questions.Count;
    }
}
