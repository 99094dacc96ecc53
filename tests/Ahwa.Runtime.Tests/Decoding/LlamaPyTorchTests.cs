using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Ahwa.Codegen;
using Ahwa.Lab.Export;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tools;
using Ahwa.Runtime.Decoders;
using Ahwa.Runtime.Tests.PyTorch;
using Llama3;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>The LLaMA decoders' PyTorch translations against the TorchSharp models they come from.</summary>
public class LlamaPyTorchTests
{
    readonly ITestOutputHelper output;

    public LlamaPyTorchTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void BothSampleModelsTranslateWithoutProblemsThroughTheDecoderBlocks()
    {
        foreach (var translation in new[] { TinyLlama.PyTorch, Llama31_8B.PyTorch, SmallLlama.PyTorch })
        {
            Assert.True(translation.IsAvailable, string.Join("\n", translation.Problems));
            Assert.Contains("from ahwa import decoder as ahwa_decoder", translation.Source);
            Assert.Contains("ahwa_decoder.Attention(q, k, v, cache, layer)", translation.Source);
            Assert.Contains("start = (0 if cache is None else cache.length)", translation.Source);
            Assert.Contains("cache.advance(input_ids.shape[1])".Replace("input_ids", "inputIds"), translation.Source);
            // The explicit ICausalLanguageModel members stay C#-only (Python has no overloads); forward takes the cache.
            Assert.DoesNotContain("def Logits", translation.Source);
            Assert.Contains("def Forward(self, inputIds, cache=None):", translation.Source);
        }
        Assert.Contains("self.register_layer(\"lm_head\", self.lmHead)", Llama31_8B.PyTorch.Source);
        Assert.Contains("F.linear(self.norm(h), self.embedTokens.weight)", TinyLlama.PyTorch.Source);
    }

    static string Names(IEnumerable<string> names) => "[" + string.Join(", ", names.Select(n => "'" + n + "'")) + "]";

    /// <summary>The table of decoder functions is the C# class's public static methods, no more and no fewer.</summary>
    [Fact]
    public void TheDecoderTableListsEveryBuildingBlock()
    {
        var methods = typeof(Decoder).GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => m.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(methods, TorchApi.DecoderFunctions.OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>Digital and hardware-aware (noise off, 8-bit converters, bound management) logits, with random LoRA.</summary>
    [Theory]
    [InlineData(nameof(TinyLlama))]
    [InlineData(nameof(SmallLlama))]
    public void TranslatedModelAgreesWithTorchSharp(string which)
    {
        var (model, _, config) = LlamaModelTests.Create(which, 21);
        using var _ = model;
        PyTorchTargetTests.RandomiseAdapters(model, 22);
        var translation = which == nameof(TinyLlama) ? TinyLlama.PyTorch : SmallLlama.PyTorch;
        Func<Tensor[], Tensor> forward = which == nameof(TinyLlama) ? a => ((TinyLlama)model).Forward(a[0]) : a => ((SmallLlama)model).Forward(a[0]);
        var ids = tensor(LlamaModelTests.Ids(config.Vocabulary).SelectMany(r => r).ToArray()).view(2, -1);
        var results = PyTorchAgreement.Check(model, translation, PyTorchTargetTests.WorkDirectory("llama-" + which), new[] { ids }, forward);
        Assert.Equal(new[] { "digital", "hardware_aware" }, results.Select(r => r.Mode).ToArray());
        foreach (var r in results)
        {
            output.WriteLine($"{which} {r.Mode}: max relative {r.MaxRelative:E2} (max abs {r.MaxAbsolute:E2}, scale {r.Scale:G4})");
            Assert.True(r.MaxAbsolute <= 1e-5, $"{r.Mode}: PyTorch differs from TorchSharp by {r.MaxAbsolute:E3}");
        }
    }

    /// <summary>The translated model decodes with ahwa.decoder.KeyValueCache (a prompt, then one token at a time) to the
    /// logits the C# model computes without a cache.</summary>
    [Fact]
    public void TranslatedModelWithThePythonCacheGivesTheFullLogits()
    {
        var (model, lm, config) = LlamaModelTests.Create(nameof(TinyLlama), 31);
        using var _ = model;
        var directory = PyTorchTargetTests.WorkDirectory("llama-cache");
        var export = PyTorchExport.Write(model, TinyLlama.PyTorch, Path.Combine(directory, "export"), Array.Empty<TokenShard>());
        var ids = LlamaModelTests.Ids(config.Vocabulary);
        float[] expected;
        using (no_grad()) expected = lm.Logits(tensor(ids.SelectMany(r => r).ToArray()).view(2, -1)).contiguous().data<float>().ToArray();
        string script = string.Join("\n",
            "import json, torch, tiny_llama",
            "from ahwa import decoder",
            "m = tiny_llama.build(seed=1, mode='digital', weights='weights.safetensors').eval()",
            "ids = torch.tensor(" + JsonSerializer.Serialize(ids) + ")",
            "cache = decoder.KeyValueCache(" + config.Layers + ")",
            "with torch.no_grad():",
            "    parts = [m(ids[:, :3], cache)] + [m(ids[:, t:t + 1], cache) for t in range(3, ids.shape[1])]",
            // Every name the translation table promises exists in ahwa.decoder and on its cache.
            "missing = [n for n in " + Names(TorchApi.DecoderFunctions) + " if not hasattr(decoder, n)] + [n for n in " + Names(TorchApi.CacheMembers.Values) + " if not hasattr(cache, n)]",
            "print(json.dumps({'length': cache.length, 'missing': missing, 'logits': torch.cat(parts, 1).flatten().tolist()}))");
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { "-c", script }, export.Directory,
            new[] { export.Directory, Path.Combine(export.Directory, "model") }, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"python failed (exit {code}):\n{stdout}\n{stderr}");
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal(ids[0].Length, document.RootElement.GetProperty("length").GetInt32());
        Assert.Equal(0, document.RootElement.GetProperty("missing").GetArrayLength());
        var actual = document.RootElement.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        double difference = LlamaFolders.MaxDifference(expected, actual);
        output.WriteLine($"PyTorch with its cache against C# without: {difference:E2}");
        Assert.True(difference < 1e-5, $"cached PyTorch logits differ by {difference:E3}");
    }
}
