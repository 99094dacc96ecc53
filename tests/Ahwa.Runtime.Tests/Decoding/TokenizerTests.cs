using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Import;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>tokenizer.json as LLaMA-3 has it (byte-level BPE: GPT-2's byte-to-character map, a split regex, merges,
/// a special begin-of-text token), written small by the test and read through the tokenizers library.</summary>
public sealed class TokenizerTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("ahwa-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>GPT-2's map: printable Latin-1 bytes are themselves, the other 68 bytes the characters from U+0100 on.</summary>
    static string[] ByteCharacters()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToHashSet();
        var map = new string[256];
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = ((char)(printable.Contains(b) ? b : next++)).ToString();
        return map;
    }

    /// <param name="specialTokens">The added special tokens, ids after the merges (LLaMA-3's begin of text when null).</param>
    internal static void Write(string path, string[]? specialTokens = null)
    {
        var bytes = ByteCharacters();
        var vocab = new Dictionary<string, int>();
        for (int b = 0; b < 256; b++) vocab[bytes[b]] = b;
        string[][] merges = [["Ġ", "t"], ["h", "e"], ["Ġt", "he"], ["1", "2"]];
        foreach (var m in merges) vocab[m[0] + m[1]] = vocab.Count;
        var json = new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = (specialTokens ?? ["<|begin_of_text|>"]).Select((content, i) =>
                new { id = vocab.Count + i, content, single_word = false, lstrip = false, rstrip = false, normalized = false, special = true }).ToArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new
            {
                type = "Sequence",
                pretokenizers = new object[]
                {
                    new { type = "Split", pattern = new { Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+" }, behavior = "Isolated", invert = false },
                    new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = false },
                },
            },
            ["post_processor"] = null,
            ["decoder"] = new { type = "ByteLevel", add_prefix_space = true, trim_offsets = true, use_regex = true },
            ["model"] = new Dictionary<string, object?>
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = true,
                ["vocab"] = vocab,
                ["merges"] = merges.Select(m => m[0] + " " + m[1]).ToArray(),
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json));
    }

    [Fact]
    public void EncodesWithTheMergesAndSpecialTokensAndDecodesBackToTheText()
    {
        Write(Path.Combine(folder, "tokenizer.json"));
        using var tokenizer = HuggingFaceTokenizer.Load(folder);
        // "the" merges to t + he (no leading space); " the" to the merged Ġthe; "12" to one token; ü is two bytes.
        Assert.Equal(new long[] { 116, 257, 258, 32, 259 }, tokenizer.Encode("the the 12"));
        Assert.Equal(new long[] { 260, 116, 257 }, tokenizer.Encode("<|begin_of_text|>the"));
        Assert.Equal(new long[] { 195, 188 }, tokenizer.Encode("ü"));
        foreach (var text in new[] { "the 12 ünï the\nend", "3 + 4 = 7" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    /// <summary>As the GLUE and SQuAD tasks read it: the declared begin and end of text as [CLS] and [SEP], pieces
    /// without them; a file without such a pair has no sentence tokens.</summary>
    [Fact]
    public void GivesTheTasksWordPiecesAndTheDeclaredSentenceTokens()
    {
        string path = Path.Combine(folder, "tokenizer.json");
        Write(path, ["<|begin_of_text|>", "<|end_of_text|>"]);
        using (var tokenizer = HuggingFaceTokenizer.Load(path))
        {
            Assert.Equal(((long)260, (long)261), (tokenizer.ClassificationTokenId, tokenizer.SeparatorTokenId));
            Assert.Equal(new long[] { 116, 257, 258, 32, 259 }, tokenizer.WordPieces("the the 12"));
        }
        Write(path);
        using var llama = HuggingFaceTokenizer.Load(path);
        Assert.Null(llama.SentenceTokens);
        Assert.Contains("declares none of the special token pairs", Assert.Throws<InvalidOperationException>(() => llama.SeparatorTokenId).Message);
    }

    [Fact]
    public void AMissingOrBrokenFileIsNamed()
    {
        Assert.Contains("no tokenizer.json", Assert.Throws<FileNotFoundException>(() => HuggingFaceTokenizer.Load(folder)).Message);
        var broken = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(broken, "{\"model\": {\"type\": \"Nope\"}}");
        var error = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizer.Load(broken));
        Assert.Contains(broken + "': the tokenizers library cannot load it", error.Message);
    }
}
