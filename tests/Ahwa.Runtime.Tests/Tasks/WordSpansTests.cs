using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Tasks;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>Word pieces keep the span of their whole word, so an answer is sliced from the context as whole words.</summary>
public class WordSpansTests
{
    // A word-piece stand-in: a word of more than four letters becomes two pieces (ids by length, 100 + suffix length).
    static IReadOnlyList<long> Pieces(string word) => word.Length > 4 ? new long[] { word.Length, 100 + word.Length - 4 } : new long[] { word.Length };

    [Fact]
    public void WordsSplitAtWhitespaceAndPunctuation()
    {
        const string text = "  Paris,  the\tcapital (of France).";
        var pieces = WordSpans.Split(text, Pieces);
        Assert.Equal(new[] { "Paris", "Paris", ",", "the", "capital", "capital", "(", "of", "France", "France", ")", "." },
            pieces.Select(p => text.Substring(p.Start, p.Length)));
        Assert.Equal(new long[] { 5, 101, 1, 3, 7, 103, 1, 2, 6, 102, 1, 1 }, pieces.Select(p => p.Id));
        // A span of pieces reads back as the words it covers.
        Assert.Equal("capital (of France", text[pieces[4].Start..pieces[9].End]);
    }

    [Fact]
    public void BertsPunctuationRule()
    {
        Assert.All("!/:@[`{~$+^-", c => Assert.True(WordSpans.IsPunctuation(c), c.ToString()));
        Assert.All("aZ09é €", c => Assert.False(WordSpans.IsPunctuation(c), c.ToString()));
        Assert.True(WordSpans.IsPunctuation('«')); // Unicode initial quote
        Assert.Empty(WordSpans.Split(" \n\t ", Pieces));
        Assert.Empty(WordSpans.Split("word", _ => Array.Empty<long>()));
    }
}
