using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Tasks;

namespace Ahwa.Lab.Import;

/// <summary>A Hugging Face folder's tokenizer.json (for LLaMA-3 a byte-level BPE with special tokens), through the
/// Hugging Face tokenizers library (Tokenizers.DotNet). Ids as int64, the type the models take. As an
/// <see cref="ITextTokenizer"/> it feeds the GLUE and SQuAD tasks: BERT's [CLS] and [SEP] are the special tokens,
/// or RoBERTa's &lt;s&gt; and &lt;/s&gt;, or LLaMA-3's begin and end of text, whichever pair the file declares.</summary>
public sealed class HuggingFaceTokenizer : IDisposable, ITextTokenizer
{
    public const string File = "tokenizer.json";

    static readonly (string Classification, string Separator)[] SentenceTokenPairs =
        [("[CLS]", "[SEP]"), ("<s>", "</s>"), ("<|begin_of_text|>", "<|end_of_text|>")];

    readonly Tokenizers.DotNet.Tokenizer tokenizer;

    /// <summary>How many ids the file's post-processor puts before and after a text's pieces (a template's [CLS] and
    /// [SEP]), which <see cref="WordPieces"/> leaves out.</summary>
    readonly int addedBefore, addedAfter;

    HuggingFaceTokenizer(string path, Tokenizers.DotNet.Tokenizer tokenizer, (long, long)? sentenceTokens)
    {
        Path = path;
        this.tokenizer = tokenizer;
        SentenceTokens = sentenceTokens;
        var added = Encode("");
        var probe = Encode("a");
        while (addedBefore < added.Length && addedBefore < probe.Length && probe[addedBefore] == added[addedBefore]) addedBefore++;
        addedAfter = added.Length - addedBefore;
    }

    public string Path { get; }

    /// <summary>The classification and separator token ids, or null where the file declares no pair of them.</summary>
    public (long Classification, long Separator)? SentenceTokens { get; }

    /// <summary>The pairs of special tokens looked for, as a message names them.</summary>
    public static string SentenceTokenNames => string.Join(", ", SentenceTokenPairs.Select(p => $"{p.Classification} and {p.Separator}"));

    /// <summary>From a folder holding tokenizer.json, or from the file itself.</summary>
    public static HuggingFaceTokenizer Load(string folderOrFile)
    {
        string path = Directory.Exists(folderOrFile) ? System.IO.Path.Combine(folderOrFile, File) : folderOrFile;
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"'{path}': no tokenizer.json.", path);
        try
        {
            return new HuggingFaceTokenizer(path, new Tokenizers.DotNet.Tokenizer(path), FindSentenceTokens(path));
        }
        catch (Exception error) when (error is Tokenizers.DotNet.TokenizerException or JsonException)
        {
            throw new InvalidDataException($"'{path}': the tokenizers library cannot load it ({error.Message}).", error);
        }
    }

    /// <summary>Token ids of <paramref name="text"/>; special tokens written in the text (<c>&lt;|begin_of_text|&gt;</c>) are one id each.</summary>
    public long[] Encode(string text) => tokenizer.Encode(text).Select(id => (long)id).ToArray();

    public string Decode(IEnumerable<long> ids) => tokenizer.Decode(ids.Select(id => id is >= 0 and <= uint.MaxValue
        ? (uint)id : throw new ArgumentOutOfRangeException(nameof(ids), id, $"'{Path}': token ids are non-negative 32-bit integers.")).ToArray());

    public long ClassificationTokenId => RequiredSentenceTokens.Classification;

    public long SeparatorTokenId => RequiredSentenceTokens.Separator;

    public IReadOnlyList<long> WordPieces(string text)
    {
        var ids = Encode(text);
        return ids.Length < addedBefore + addedAfter ? ids : ids[addedBefore..^addedAfter];
    }

    public void Dispose() => tokenizer.Dispose();

    (long Classification, long Separator) RequiredSentenceTokens => SentenceTokens
        ?? throw new InvalidOperationException($"'{Path}' declares none of the special token pairs {SentenceTokenNames}.");

    /// <summary>The first pair of <see cref="SentenceTokenPairs"/> among the file's added tokens.</summary>
    static (long, long)? FindSentenceTokens(string path)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var added = new Dictionary<string, long>();
        if (document.RootElement.TryGetProperty("added_tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array)
            foreach (var token in tokens.EnumerateArray())
                if (token.TryGetProperty("content", out var content) && token.TryGetProperty("id", out var id))
                    added.TryAdd(content.GetString() ?? "", id.GetInt64());
        foreach (var (classification, separator) in SentenceTokenPairs)
            if (added.TryGetValue(classification, out long c) && added.TryGetValue(separator, out long s)) return (c, s);
        return null;
    }
}
