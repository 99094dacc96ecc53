using System;
using System.Linq;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>The PyTorch translation of what a LLaMA-family decoder uses: the decoder building blocks
/// (Ahwa.Runtime.Decoders.Decoder) become ahwa.decoder's functions, the key-value cache's members its Python twin's,
/// and explicit interface implementations (ICausalLanguageModel) stay C#-only.</summary>
public class DecoderTranslationTests
{
    const string Header = """
        using System;
        using System.Collections.Generic;
        using Ahwa.Dsl;
        using Ahwa.Runtime;
        using Ahwa.Runtime.Decoders;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        [AnalogModel]
        [AnalogChip(TileRows = 16, TileCols = 16, Tiles = 16)]
        public partial class M : ICausalLanguageModel
        {
            [AnalogLinear(8, 8, Bias = false, Name = "model.fc")] public partial AnalogLinear Fc { get; }
            long ICausalLanguageModel.Vocabulary => 8;
            int ICausalLanguageModel.Layers => 1;
            Tensor ICausalLanguageModel.Logits(Tensor inputIds) => Forward(inputIds);
            Tensor ICausalLanguageModel.Logits(Tensor inputIds, KeyValueCache cache) => Forward(inputIds, cache);

        """;

    static (PyTorchTranslation Translation, Diagnostic[] Warnings) Translate(string members)
    {
        var run = Harness.Generate(Header + members + "\n}\n");
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return (Harness.Static<PyTorchTranslation>(Harness.Load(run.Output), "M", "PyTorch"), run.GeneratorDiagnostics.ToArray());
    }

    const string Forward = "public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null) ";

    [Theory]
    [InlineData(Forward + "=> Decoder.Rotate(Fc.call(inputIds), Decoder.RotaryAngles(inputIds, 0, 8, 10000.0, 8.0, 1.0, 4.0, 64.0));",
        "return ahwa_decoder.Rotate(self.Fc(inputIds), ahwa_decoder.RotaryAngles(inputIds, 0, 8, 10000.0, 8.0, 1.0, 4.0, 64.0))")]
    [InlineData(Forward + "=> Decoder.Attention(inputIds, inputIds, inputIds, cache, 0);", "return ahwa_decoder.Attention(inputIds, inputIds, inputIds, cache, 0)")]
    [InlineData(Forward + "{ long start = cache is null ? 0 : cache.Length; return inputIds.add(start); }", "start = (0 if cache is None else cache.length)")]
    [InlineData(Forward + "{ if (cache is not null) cache.Advance(inputIds.shape[1]); return inputIds; }", "cache.advance(inputIds.shape[1])")]
    [InlineData(Forward + "=> inputIds; public int Held(KeyValueCache cache) => cache.Layers;", "return cache.layers")]
    [InlineData(Forward + "=> inputIds; RmsNorm norm = null!; partial void OnLayersCreated() { norm = Decoder.RmsNorm(8, 1e-5); RegisterLayer(\"model.norm\", norm); }",
        "self.norm = ahwa_decoder.RmsNorm(8, 1e-05)")]
    public void TranslatesTheDecoderConstruct(string members, string expectedLine)
    {
        var (translation, warnings) = Translate(members);
        Assert.Empty(warnings);
        Assert.True(translation.IsAvailable, string.Join("\n", translation.Problems));
        var lines = translation.Source!.Split('\n').Select(l => l.Trim()).ToList();
        Assert.True(lines.Contains(expectedLine), $"'{expectedLine}' not in:\n{translation.Source}");
        // The module imports the blocks exactly when a translated line calls them.
        Assert.Equal(lines.Any(l => l.Contains("ahwa_decoder.", StringComparison.Ordinal)), lines.Contains("from ahwa import decoder as ahwa_decoder"));
        // The interface's members are C#'s: no Python method of theirs, so no overload collides with another.
        Assert.DoesNotContain(lines, l => l.StartsWith("def Logits", StringComparison.Ordinal) || l.StartsWith("def Vocabulary", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyAModelThatUsesTheDecoderBlocksImportsThem()
    {
        var (translation, warnings) = Translate(Forward + "=> Fc.call(inputIds);");
        Assert.Empty(warnings);
        Assert.DoesNotContain("ahwa_decoder", translation.Source!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Forward + "{ if (cache is not null) cache.Append(0, inputIds, inputIds); return inputIds; }", "'Ahwa.Runtime.Decoders.KeyValueCache.Append'", "cache.Append(0, inputIds, inputIds)")]
    [InlineData(Forward + "=> inputIds; public Tensor Frequencies() => tensor(Decoder.InverseFrequencies(8, 10000.0, 1.0, 1.0, 4.0, 64.0)).add(new KeyValueCache(1).Length);",
        "object creation ('new')", "new KeyValueCache(1)")]
    public void ReportsWhatTheDecoderTwinsDoNotHave(string members, string construct, string at)
    {
        var (translation, warnings) = Translate(members);
        var warning = Assert.Single(warnings);
        Assert.Contains(construct, warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.StartsWith(at, (Header + members).Substring(warning.Location.SourceSpan.Start), StringComparison.Ordinal);
        Assert.False(translation.IsAvailable);
    }
}
