using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Runtime;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>Padded batches of token ids, attention masks and segment ids.</summary>
public static class TokenBatch
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
    public static void Evaluate(AhwaModel model, int count, Action<int, int> evaluate, Action<int>? itemsDone)
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
