using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Runtime.Decoders;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Decoding;

/// <summary>Autoregressive generation with the key-value cache: the prompt once, then one token per step. Temperature
/// 0 is greedy; otherwise row r draws from the stream (seed, Sampling, r), one uniform per token, so a completion
/// depends only on the seed and its row, never on the thread count. With a vocabulary, only ids below it are
/// candidates (a model's vocabulary may be larger than its tokenizer's, and an id the tokenizer lacks cannot be decoded).</summary>
public static class Generation
{
    /// <summary><paramref name="rows"/> completions of one prompt, each up to and including the end-of-sequence id, at
    /// most <paramref name="maxNewTokens"/> long, of ids below <paramref name="vocabulary"/> (the model's whole
    /// vocabulary when null).</summary>
    public static IReadOnlyList<int[]> Complete(ICausalLanguageModel model, IReadOnlyList<int> prompt, int rows, int maxNewTokens,
        int endOfSequence, double temperature = 0, ulong seed = 0, int? vocabulary = null)
    {
        if (prompt is null) throw new ArgumentNullException(nameof(prompt));
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "At least one completion is needed.");
        return Complete(model, Enumerable.Repeat(prompt, rows).ToList(), maxNewTokens, endOfSequence, temperature, seed, vocabulary);
    }

    /// <summary>One completion of each prompt, all prompts of one length (a batch without padding; row r is prompt r).</summary>
    public static IReadOnlyList<int[]> Complete(ICausalLanguageModel model, IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens,
        int endOfSequence, double temperature = 0, ulong seed = 0, int? vocabulary = null)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (prompts is null || prompts.Count == 0) throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        if (prompts[0].Count == 0) throw new ArgumentException("Generation needs a prompt of at least one token.", nameof(prompts));
        for (int i = 1; i < prompts.Count; i++)
            if (prompts[i].Count != prompts[0].Count)
                throw new ArgumentException($"Prompt {i} has {prompts[i].Count} tokens, prompt 0 has {prompts[0].Count}; a batch needs prompts of one length.", nameof(prompts));
        int rows = prompts.Count;
        if (maxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxNewTokens), maxNewTokens, "At least one new token is needed.");
        if (!(temperature >= 0) || double.IsInfinity(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Temperature must be finite and >= 0.");
        if (vocabulary is { } limit && (limit < 1 || limit > model.Vocabulary || endOfSequence >= limit))
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, $"The vocabulary must be 1 to the model's {model.Vocabulary} ids and hold the end-of-sequence id {endOfSequence}.");
        var streams = Enumerable.Range(0, rows).Select(r => RandomStream.For(seed, StreamPurpose.Sampling, r)).ToArray();
        var completions = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var done = new bool[rows];
        using var noGrad = no_grad();
        using var cache = new KeyValueCache(model.Layers);
        int length = prompts[0].Count;
        var first = prompts.SelectMany(p => p).Select(t => (long)t).ToArray();
        var next = new long[rows];
        for (int step = 0; step < maxNewTokens && done.Contains(false); step++)
        {
            using var scope = NewDisposeScope();
            // Every row's prompt, then each row's last token.
            var ids = step == 0 ? tensor(first, new long[] { rows, length }) : tensor(next, new long[] { rows, 1 });
            var logits = model.Logits(ids, cache).select(1, -1).to_type(ScalarType.Float64).contiguous();
            var values = logits.data<double>().ToArray();
            long width = logits.shape[1];
            int candidates = vocabulary ?? (int)width;
            next = new long[rows];
            for (int r = 0; r < rows; r++)
            {
                int token = Pick(values.AsSpan((int)(r * width), candidates), temperature, ref streams[r]);
                if (done[r]) token = endOfSequence; // keeps the batch rectangular; never part of the completion
                else
                {
                    completions[r].Add(token);
                    done[r] = token == endOfSequence;
                }
                next[r] = token;
            }
        }
        return completions.Select(c => c.ToArray()).ToList();
    }

    /// <summary>The index of the largest logit (the first on a tie), or a draw from softmax(logits / temperature).</summary>
    public static int Pick(ReadOnlySpan<double> logits, double temperature, ref RandomStream stream)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        if (temperature == 0) return best;
        double total = 0;
        Span<double> weights = logits.Length <= 4096 ? stackalloc double[logits.Length] : new double[logits.Length];
        for (int i = 0; i < logits.Length; i++) total += weights[i] = Math.Exp((logits[i] - logits[best]) / temperature);
        double u = stream.NextOpenUnit() * total;
        for (int i = 0; i < logits.Length; i++)
        {
            u -= weights[i];
            if (u <= 0) return i;
        }
        return best; // rounding left u a hair above zero
    }
}
