using System;
using System.Collections.Generic;

namespace Ahwa.Lab.Tasks;

/// <summary>BERT's input for one sentence or a pair: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, segment id
/// 0 up to the first [SEP] and 1 after it. Word pieces come without special tokens; too long an input is cut
/// longest-first, one piece at a time, from the end of the longer part (BERT's and Hugging Face's default).</summary>
public static class PairEncoding
{
    public static (long[] Ids, long[] Segments) Encode(IReadOnlyList<long> first, IReadOnlyList<long>? second, long cls, long sep, int maxLength)
    {
        int specials = second is null ? 2 : 3;
        if (maxLength < specials + 1 + (second is null ? 0 : 1))
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"Too short for {specials} special tokens and a word piece per part.");
        int a = first.Count, b = second?.Count ?? 0;
        while (a + b + specials > maxLength)
        {
            if (a >= b) a--;
            else b--;
        }
        var ids = new List<long>(a + b + specials) { cls };
        var segments = new List<long>(a + b + specials) { 0 };
        for (int i = 0; i < a; i++) { ids.Add(first[i]); segments.Add(0); }
        ids.Add(sep);
        segments.Add(0);
        if (second is not null)
        {
            for (int i = 0; i < b; i++) { ids.Add(second[i]); segments.Add(1); }
            ids.Add(sep);
            segments.Add(1);
        }
        return (ids.ToArray(), segments.ToArray());
    }
}
