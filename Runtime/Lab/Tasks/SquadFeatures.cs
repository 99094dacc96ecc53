using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Lab.Tasks;

/// <summary>A word piece and where it lies in the text it came from (characters).</summary>
public readonly record struct Piece(long Id, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>The windowing of BERT's SQuAD recipe: sequences of <see cref="MaxLength"/> tokens (384, or 320 as the
/// paper's MobileBERT uses), windows <see cref="DocStride"/> pieces apart, questions cut to
/// <see cref="MaxQueryLength"/> pieces; answers of at most <see cref="MaxAnswerLength"/> pieces, the
/// <see cref="NBest"/> best starts and ends searched.</summary>
public sealed record SquadOptions(int MaxLength = 384, int DocStride = 128, int MaxQueryLength = 64, int NBest = 20, int MaxAnswerLength = 30)
{
    public static readonly SquadOptions MobileBert = new(MaxLength: 320);

    /// <summary>Windows of <paramref name="maxLength"/> tokens, at most half a window apart, so a short window still
    /// overlaps the next.</summary>
    public static SquadOptions ForLength(int maxLength) => new(MaxLength: maxLength, DocStride: Math.Min(new SquadOptions().DocStride, maxLength / 2));
}

/// <summary>One window of one question: the model's input, which context characters each token covers, and the
/// training target (start = end = 0, the [CLS] token, when the answer is not wholly inside the window).</summary>
public sealed record SquadFeature(int Example, int Window, long[] Ids, long[] Segments, IReadOnlyDictionary<int, Piece> Context,
    IReadOnlySet<int> MaxContext, int StartPosition, int EndPosition);

/// <summary>A predicted answer with its score (start logit + end logit) and its text from the context.</summary>
public sealed record SquadPrediction(string Text, double Score, int Feature, int StartToken, int EndToken);

/// <summary>Turns questions into windows and start/end logits back into answer text.</summary>
public static class SquadFeatures
{
    /// <param name="tokenize">The tokenizer's word pieces of a text with character offsets, without [CLS]/[SEP].</param>
    public static IReadOnlyList<SquadFeature> Create(IReadOnlyList<SquadExample> examples, Func<string, IReadOnlyList<Piece>> tokenize,
        long cls, long sep, SquadOptions options)
    {
        if (options.DocStride <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.DocStride, "The document stride must be positive.");
        var features = new List<SquadFeature>();
        for (int e = 0; e < examples.Count; e++)
        {
            var example = examples[e];
            var query = tokenize(example.Question).Take(options.MaxQueryLength).ToList();
            var doc = tokenize(example.Context);
            int room = options.MaxLength - query.Count - 3;
            if (room <= 0) throw new ArgumentException($"'{example.Source}': a question of {query.Count} pieces leaves no room in {options.MaxLength} tokens.", nameof(examples));
            // The first gold answer is the training target, as in BERT's recipe.
            var gold = example.Answers[0];
            int goldStart = doc.Count, goldEnd = -1;
            for (int i = 0; i < doc.Count; i++)
                if (doc[i].End > gold.Start && doc[i].Start < gold.Start + gold.Text.Length)
                {
                    goldStart = Math.Min(goldStart, i);
                    goldEnd = i;
                }
            var windows = new List<(int Start, int Length)>();
            for (int start = 0; ; start += Math.Min(room, options.DocStride))
            {
                int length = Math.Min(room, doc.Count - start);
                windows.Add((start, length));
                if (start + length >= doc.Count) break;
            }
            for (int w = 0; w < windows.Count; w++)
            {
                var (start, length) = windows[w];
                var ids = new List<long> { cls };
                var segments = new List<long> { 0 };
                ids.AddRange(query.Select(q => q.Id));
                segments.AddRange(query.Select(_ => 0L));
                ids.Add(sep);
                segments.Add(0);
                var context = new Dictionary<int, Piece>();
                var maxContext = new HashSet<int>();
                for (int i = start; i < start + length; i++)
                {
                    if (IsMaxContext(windows, w, i)) maxContext.Add(ids.Count);
                    context[ids.Count] = doc[i];
                    ids.Add(doc[i].Id);
                    segments.Add(1);
                }
                ids.Add(sep);
                segments.Add(1);
                int offset = query.Count + 2 - start;
                bool inside = goldEnd >= 0 && goldStart >= start && goldEnd < start + length;
                features.Add(new SquadFeature(e, w, ids.ToArray(), segments.ToArray(), context, maxContext,
                    inside ? goldStart + offset : 0, inside ? goldEnd + offset : 0));
            }
        }
        return features;
    }

    /// <summary>A piece seen by several windows belongs to the one where it has the most context on its shorter
    /// side (ties to the longer window), so each answer is scored where the model saw it best.</summary>
    static bool IsMaxContext(IReadOnlyList<(int Start, int Length)> windows, int current, int position)
    {
        double bestScore = double.NegativeInfinity;
        int best = -1;
        for (int w = 0; w < windows.Count; w++)
        {
            var (start, length) = windows[w];
            int end = start + length - 1;
            if (position < start || position > end) continue;
            double score = Math.Min(position - start, end - position) + 0.01 * length;
            if (score > bestScore) { bestScore = score; best = w; }
        }
        return best == current;
    }

    /// <summary>The best answers of one example over its windows: the <see cref="SquadOptions.NBest"/> highest start
    /// and end logits of each window, kept only if both tokens are context tokens of the window, the start is in
    /// its max-context part, the end is not before the start and the span is at most
    /// <see cref="SquadOptions.MaxAnswerLength"/> tokens. The text is the context between the pieces' offsets.</summary>
    public static IReadOnlyList<SquadPrediction> Predict(SquadExample example, IReadOnlyList<SquadFeature> features, IReadOnlyList<int> windowFeatures,
        IReadOnlyList<float[]> startLogits, IReadOnlyList<float[]> endLogits, SquadOptions options)
    {
        var candidates = new List<SquadPrediction>();
        foreach (int f in windowFeatures)
        {
            var feature = features[f];
            float[] starts = startLogits[f], ends = endLogits[f];
            foreach (int s in Best(starts, options.NBest))
                foreach (int e in Best(ends, options.NBest))
                {
                    if (!feature.Context.TryGetValue(s, out var first) || !feature.Context.TryGetValue(e, out var last)) continue;
                    if (!feature.MaxContext.Contains(s) || e < s || e - s + 1 > options.MaxAnswerLength) continue;
                    candidates.Add(new SquadPrediction(example.Context[first.Start..last.End], starts[s] + ends[e], f, s, e));
                }
        }
        return candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Feature).ThenBy(c => c.StartToken).ThenBy(c => c.EndToken)
            .Take(options.NBest).ToList();
    }

    /// <summary>Every example's best answer ("" when no span is valid) keyed by question id, for <see cref="Squad.Evaluate"/>.</summary>
    public static IReadOnlyDictionary<string, string> Answers(IReadOnlyList<SquadExample> examples, IReadOnlyList<SquadFeature> features,
        IReadOnlyList<float[]> startLogits, IReadOnlyList<float[]> endLogits, SquadOptions options)
    {
        var byExample = features.Select((f, i) => (f.Example, i)).ToLookup(x => x.Example, x => x.i);
        var answers = new Dictionary<string, string>();
        for (int e = 0; e < examples.Count; e++)
        {
            var best = Predict(examples[e], features, byExample[e].ToList(), startLogits, endLogits, options);
            answers[examples[e].Id] = best.Count > 0 ? best[0].Text : "";
        }
        return answers;
    }

    static IEnumerable<int> Best(float[] logits, int n) =>
        Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(n);
}
