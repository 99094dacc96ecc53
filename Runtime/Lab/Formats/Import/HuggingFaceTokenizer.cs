using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Ahwa.Lab.Import;

/// <summary>A Hugging Face folder's tokenizer.json (for LLaMA-3 a byte-level BPE with special tokens), through the
/// Hugging Face tokenizers library (Tokenizers.DotNet). Ids as int64, the type the models take.</summary>
public sealed class HuggingFaceTokenizer : IDisposable
{
    public const string File = "tokenizer.json";
    readonly Tokenizers.DotNet.Tokenizer tokenizer;

    HuggingFaceTokenizer(string path, Tokenizers.DotNet.Tokenizer tokenizer)
    {
        Path = path;
        this.tokenizer = tokenizer;
    }

    public string Path { get; }

    /// <summary>From a folder holding tokenizer.json, or from the file itself.</summary>
    public static HuggingFaceTokenizer Load(string folderOrFile)
    {
        string path = Directory.Exists(folderOrFile) ? System.IO.Path.Combine(folderOrFile, File) : folderOrFile;
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"'{path}': no tokenizer.json.", path);
        try
        {
            return new HuggingFaceTokenizer(path, new Tokenizers.DotNet.Tokenizer(path));
        }
        catch (Tokenizers.DotNet.TokenizerException error)
        {
            throw new InvalidDataException($"'{path}': the tokenizers library cannot load it ({error.Message}).", error);
        }
    }

    /// <summary>Token ids of <paramref name="text"/>; special tokens written in the text (<c>&lt;|begin_of_text|&gt;</c>) are one id each.</summary>
    public long[] Encode(string text) => tokenizer.Encode(text).Select(id => (long)id).ToArray();

    public string Decode(IEnumerable<long> ids) => tokenizer.Decode(ids.Select(id => id is >= 0 and <= uint.MaxValue
        ? (uint)id : throw new ArgumentOutOfRangeException(nameof(ids), id, $"'{Path}': token ids are non-negative 32-bit integers.")).ToArray());

    public void Dispose() => tokenizer.Dispose();
}
