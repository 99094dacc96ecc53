using System;
using System.Collections.Generic;
using System.Text;

namespace Ahwa.Lab.Decoding;

/// <summary>Text to token ids and back, as the decoder workflows need it: a Hugging Face tokenizer behind this
/// interface for a real model, <see cref="CharacterTokenizer"/> for the offline demonstration.</summary>
public interface ITokenizer
{
    /// <summary>Ids run from 0 to this size - 1 (the model's vocabulary may be larger, never smaller).</summary>
    int VocabularySize { get; }

    /// <summary>The id that ends a response; generation stops there.</summary>
    int EndOfSequence { get; }

    /// <summary>The id that fills a batch after a sequence's end (never a target).</summary>
    int Padding { get; }

    /// <summary>The ids of <paramref name="text"/>, without special tokens.</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>; special tokens decode to nothing.</summary>
    string Decode(IReadOnlyList<int> ids);
}

/// <summary>One token per character of a fixed alphabet; id 0 pads, id 1 ends a sequence, characters follow in the
/// alphabet's order. A character outside the alphabet is an error naming it.</summary>
public sealed class CharacterTokenizer : ITokenizer
{
    public const int PaddingId = 0, EndId = 1, FirstCharacter = 2;
    readonly string alphabet;
    readonly Dictionary<char, int> ids = new();

    public CharacterTokenizer(string alphabet)
    {
        if (string.IsNullOrEmpty(alphabet)) throw new ArgumentException("The alphabet must have at least one character.", nameof(alphabet));
        for (int i = 0; i < alphabet.Length; i++)
            if (!ids.TryAdd(alphabet[i], FirstCharacter + i))
                throw new ArgumentException($"The alphabet has '{alphabet[i]}' twice (positions {ids[alphabet[i]] - FirstCharacter} and {i}).", nameof(alphabet));
        this.alphabet = alphabet;
    }

    public string Alphabet => alphabet;

    public int VocabularySize => FirstCharacter + alphabet.Length;

    public int EndOfSequence => EndId;

    public int Padding => PaddingId;

    public int[] Encode(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        var result = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            result[i] = ids.TryGetValue(text[i], out int id) ? id
                : throw new ArgumentException($"Character '{text[i]}' (U+{(int)text[i]:X4}) at position {i} of \"{text}\" is not in the tokenizer's alphabet \"{alphabet}\".", nameof(text));
        return result;
    }

    public string Decode(IReadOnlyList<int> tokens)
    {
        var text = new StringBuilder(tokens.Count);
        foreach (int id in tokens)
        {
            if (id < 0 || id >= VocabularySize) throw new ArgumentOutOfRangeException(nameof(tokens), id, $"Token id {id} is outside the vocabulary of {VocabularySize}.");
            if (id >= FirstCharacter) text.Append(alphabet[id - FirstCharacter]);
        }
        return text.ToString();
    }
}
