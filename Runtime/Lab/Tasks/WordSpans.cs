using System;
using System.Collections.Generic;
using System.Globalization;

namespace Ahwa.Lab.Tasks;

/// <summary>Word pieces with the character span of the word they come from, for <see cref="SquadFeatures"/>. A text is
/// split as BERT's basic tokenizer splits it (at whitespace, and every punctuation character a word of its own), each
/// word goes to the word-piece tokenizer alone, and all its pieces carry the word's span: an answer is then sliced from
/// the original context as whole words, as BERT's SQuAD recipe maps sub-tokens back to original words.</summary>
public static class WordSpans
{
    /// <param name="wordPieces">The tokenizer's piece ids of one word, without special tokens.</param>
    public static IReadOnlyList<Piece> Split(string text, Func<string, IReadOnlyList<long>> wordPieces)
    {
        var pieces = new List<Piece>();
        void Word(int start, int end)
        {
            if (end <= start) return;
            foreach (long id in wordPieces(text[start..end])) pieces.Add(new Piece(id, start, end - start));
        }
        int wordStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                Word(wordStart, i);
                wordStart = i + 1;
            }
            else if (IsPunctuation(c))
            {
                Word(wordStart, i);
                Word(i, i + 1);
                wordStart = i + 1;
            }
        }
        Word(wordStart, text.Length);
        return pieces;
    }

    /// <summary>BERT's rule: the ASCII symbols between letters and digits count as punctuation, besides Unicode's P classes.</summary>
    public static bool IsPunctuation(char c) =>
        c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~'
        || char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
