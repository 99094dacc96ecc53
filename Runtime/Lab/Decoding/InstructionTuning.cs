using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ahwa.Lab.Export;
using Ahwa.Runtime;
using Ahwa.Runtime.Decoders;
using Ahwa.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Decoding;

/// <summary>A tokenised prompt and response; the response ends with the end-of-sequence id.</summary>
public sealed record TokenizedPair(int[] Prompt, int[] Response)
{
    public int Length => Prompt.Length + Response.Length;
}

/// <summary>Causal-LM batches with next-token labels: position t's label is token t + 1 when that token belongs to
/// the response, else -100 (ignored) — the convention of the PyTorch package's shards, so one file trains both.</summary>
public static class CausalBatches
{
    public const long Ignored = -100;

    /// <summary>Tokenises a pair and appends the end-of-sequence id to the response; <paramref name="maxTokens"/> caps
    /// prompt plus response (an error naming the item, never a silent cut).</summary>
    public static TokenizedPair Tokenize(PromptResponse pair, ITokenizer tokenizer, int maxTokens, string item = "")
    {
        var prompt = tokenizer.Encode(pair.Prompt);
        var response = tokenizer.Encode(pair.Response).Append(tokenizer.EndOfSequence).ToArray();
        if (prompt.Length == 0) throw new ArgumentException($"Item {item}: the prompt has no tokens; the first response token needs one before it.");
        if (prompt.Length + response.Length > maxTokens)
            throw new ArgumentException($"Item {item}: prompt and response are {prompt.Length} + {response.Length} tokens, more than the {maxTokens} allowed.");
        return new TokenizedPair(prompt, response);
    }

    public static IReadOnlyList<TokenizedPair> Tokenize(IReadOnlyList<PromptResponse> pairs, ITokenizer tokenizer, int maxTokens) =>
        pairs.Select((p, i) => Tokenize(p, tokenizer, maxTokens, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

    /// <summary>Input ids [B, T] (right-padded to <paramref name="length"/>, or the longest pair), attention mask and labels.</summary>
    public static (Tensor Ids, Tensor Mask, Tensor Labels) Build(IReadOnlyList<TokenizedPair> pairs, int padding, int? length = null)
    {
        if (pairs.Count == 0) throw new ArgumentException("A batch needs at least one pair.", nameof(pairs));
        int t = length ?? pairs.Max(p => p.Length);
        var ids = new long[pairs.Count * t];
        var mask = new long[pairs.Count * t];
        var labels = new long[pairs.Count * t];
        Array.Fill(ids, padding);
        Array.Fill(labels, Ignored);
        for (int b = 0; b < pairs.Count; b++)
        {
            var p = pairs[b];
            if (p.Length > t) throw new ArgumentException($"Pair {b} has {p.Length} tokens, more than the batch length {t}.", nameof(pairs));
            for (int i = 0; i < p.Length; i++)
            {
                ids[b * t + i] = i < p.Prompt.Length ? p.Prompt[i] : p.Response[i - p.Prompt.Length];
                mask[b * t + i] = 1;
            }
            for (int i = p.Prompt.Length - 1; i < p.Length - 1; i++) labels[b * t + i] = p.Response[i + 1 - p.Prompt.Length];
        }
        long[] shape = { pairs.Count, t };
        return (tensor(ids, shape), tensor(mask, shape), tensor(labels, shape));
    }
}

/// <summary>Supervised instruction tuning: next-token cross entropy on response tokens only (prompt tokens are
/// context, never targets), summed and divided by the batch's response-token count; AHWA-LoRA trains the adapters
/// under the training-time noise through <see cref="AhwaTrainer"/> (its seeds, order and schedule).</summary>
public static class InstructionTuning
{
    /// <summary>Mean next-token loss over the labelled positions of a batch.</summary>
    public static Tensor Loss(ICausalLanguageModel model, Tensor ids, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var logits = model.Logits(ids);
        long count = labels.ne(CausalBatches.Ignored).sum().item<long>();
        if (count == 0) throw new ArgumentException("The batch has no response tokens to learn.", nameof(labels));
        var sum = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]).to_type(ScalarType.Float32), labels.reshape(-1),
            ignore_index: CausalBatches.Ignored, reduction: nn.Reduction.Sum);
        return sum.div(count).MoveToOuterDisposeScope();
    }

    /// <summary>Trains <paramref name="model"/> (a generated model that is also a causal LM) on the pairs; returns the
    /// loss of every step.</summary>
    public static IReadOnlyList<double> Train(AhwaModel model, IReadOnlyList<TokenizedPair> pairs, int padding, TrainingOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default)
    {
        var lm = model as ICausalLanguageModel ?? throw new ArgumentException($"Model '{model?.ModelSpec.Name}' is not an {nameof(ICausalLanguageModel)}.", nameof(model));
        if (pairs.Count == 0) throw new ArgumentException("There must be at least one training pair.", nameof(pairs));
        return AhwaTrainer.Train(model, pairs.Count, batch =>
        {
            var (ids, _, labels) = CausalBatches.Build(batch.Select(i => pairs[i]).ToList(), padding);
            return Loss(lm, ids, labels);
        }, options, progress, cancellation);
    }

    /// <summary>The pairs as a PyTorch-package shard (one length for all), for <c>python -m ahwa.train</c> under torchrun.</summary>
    public static TokenShard Shard(string split, IReadOnlyList<TokenizedPair> pairs, int padding, int? length = null)
    {
        var (ids, mask, labels) = CausalBatches.Build(pairs, padding, length);
        return new TokenShard(split, ids, mask, labels);
    }
}
