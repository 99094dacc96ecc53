using System;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>One test per diagnostic: the id, the exact message (member and value), and the location.</summary>
public class DiagnosticTests
{
    const string Usings = "using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n";

    /// <summary>Runs the generator; expects exactly one diagnostic and returns it with the source text it points at.</summary>
    static (Diagnostic Diagnostic, string At) Single(string source, AhwaGenerator? generator = null)
    {
        var full = Usings + source;
        var run = Harness.Generate(Harness.Compilation(full), generator);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Reported from plain values (no syntax tree is kept), so the location is a file path and span.
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        return (diagnostic, full.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    static void Expect(string source, string id, string message, string at)
    {
        var (diagnostic, actualAt) = Single(source);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(at, actualAt);
    }

    [Fact]
    public void ClassNotPartial() => Expect(
        "[AnalogModel] public class M { }",
        "AHWA0001", "'M' must be declared partial so the generator can add its layers", "M");

    [Fact]
    public void ContainingTypeNotPartial() => Expect(
        "public class Outer { [AnalogModel] public partial class M { } }",
        "AHWA0001", "'Outer' must be declared partial so the generator can add its layers", "Outer");

    [Fact]
    public void GenericClass() => Expect(
        "[AnalogModel] public partial class M<T> { }",
        "AHWA0002", "'M' is generic or nested in generic type 'M'; Ahwa models and blocks must be non-generic", "M");

    [Fact]
    public void NestedInGenericClass() => Expect(
        "public partial class Outer<T> { [AnalogBlock] public partial class B { } }",
        "AHWA0002", "'B' is generic or nested in generic type 'Outer<T>'; Ahwa models and blocks must be non-generic", "B");

    [Fact]
    public void RankNotPositive() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(16, 32)] [Lora(Rank = 0)] public partial AnalogLinear Fc { get; } }",
        "AHWA0003", "LoRA rank 0 of 'M.Fc' is out of range: it must be between 1 and min(in, out) = 16", "Rank = 0");

    [Fact]
    public void RankAboveMinimumDimension() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(16, 32)] [Lora(Rank = 17)] public partial AnalogLinear Fc { get; } }",
        "AHWA0003", "LoRA rank 17 of 'M.Fc' is out of range: it must be between 1 and min(in, out) = 16", "Lora(Rank = 17)");

    [Fact]
    public void DefaultRankTooLargeForABlockLayerIsReportedOnce() => Expect(
        "[AnalogBlock] public partial class B { [AnalogLinear(4, 32)] public partial AnalogLinear Up { get; } }\n" +
        "[AnalogModel] public partial class M { [Blocks(typeof(B), 3)] public partial IReadOnlyList<B> Layers { get; } }",
        "AHWA0003", "LoRA rank 8 of 'M.Layers -> B.Up' is out of range: it must be between 1 and min(in, out) = 4", "Layers");

    [Fact]
    public void NonPositiveLayerDimension() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(0, 32)] public partial AnalogLinear Fc { get; } }",
        "AHWA0004", "InFeatures of 'M.Fc' is 0; it must be positive", "0");

    [Fact]
    public void NonPositiveTileDimension() => Expect(
        "[AnalogModel, AnalogChip(TileRows = -256)] public partial class M { }",
        "AHWA0004", "TileRows of 'M [AnalogChip]' is -256; it must be positive", "TileRows = -256");

    [Fact]
    public void NonPositiveClusterCores() => Expect(
        "[AnalogModel, RiscVCluster(Cores = 0)] public partial class M { }",
        "AHWA0004", "Cores of 'M [RiscVCluster]' is 0; it must be positive", "Cores = 0");

    [Theory]
    [InlineData("DacBits = -1", "DacBits", "-1")]
    [InlineData("AdcBits = 17", "AdcBits", "17")]
    public void ConverterBitsOutOfRange(string argument, string name, string value) => Expect(
        $"[AnalogModel, AnalogChip({argument})] public partial class M {{ }}",
        "AHWA0005", $"{name} of 'M [AnalogChip]' is {value}; it must be 0 (ideal) or between 1 and 16 bits", argument);

    [Fact]
    public void AlphaNotPositiveOnALayer() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(16, 32)] [Lora(Alpha = 0)] public partial AnalogLinear Fc { get; } }",
        "AHWA0006", "LoRA alpha of 'M.Fc' is 0; it must be greater than 0 and finite", "Alpha = 0");

    [Fact]
    public void AlphaNotPositiveInDefaults() => Expect(
        "[AnalogModel, LoraDefaults(Alpha = -1.5)] public partial class M { }",
        "AHWA0006", "LoRA alpha of 'M [LoraDefaults]' is -1.5; it must be greater than 0 and finite", "Alpha = -1.5");

    [Fact]
    public void InfiniteAlphaOnALayer() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(16, 32)] [Lora(Alpha = double.PositiveInfinity)] public partial AnalogLinear Fc { get; } }",
        "AHWA0006", "LoRA alpha of 'M.Fc' is Infinity; it must be greater than 0 and finite", "Alpha = double.PositiveInfinity");

    [Fact]
    public void RankBelowOneInDefaults() => Expect(
        "[AnalogModel, LoraDefaults(Rank = 0)] public partial class M { }",
        "AHWA0003", "LoRA rank 0 of 'M [LoraDefaults]' is out of range: it must be between 1 and min(in, out) of each layer", "Rank = 0");

    [Theory]
    [InlineData("Dropout = 1.0", "1")]
    [InlineData("Dropout = -0.1", "-0.1")]
    public void DropoutOutOfRange(string argument, string value) => Expect(
        $"[AnalogModel, LoraDefaults({argument})] public partial class M {{ }}",
        "AHWA0007", $"LoRA dropout of 'M [LoraDefaults]' is {value}; it must be in [0, 1)", argument);

    [Fact]
    public void DuplicateLayerName() => Expect(
        "[AnalogModel] public partial class M {\n" +
        "  [AnalogLinear(16, 16, Name = \"fc\")] public partial AnalogLinear First { get; }\n" +
        "  [DigitalLinear(16, 16, Name = \"fc\")] public partial DigitalLinear Second { get; } }",
        "AHWA0008", "Layer name 'fc' of 'M.Second' is already used by 'M.First'; layer names must be unique in a model", "Second");

    [Fact]
    public void DuplicateNameBetweenBlockAndLayer() => Expect(
        "[AnalogBlock] public partial class B { [AnalogLinear(16, 16, Name = \"dense\")] public partial AnalogLinear D { get; } }\n" +
        "[AnalogModel] public partial class M {\n" +
        "  [Blocks(typeof(B), 2, Name = \"layer\")] public partial IReadOnlyList<B> Layers { get; }\n" +
        "  [AnalogLinear(16, 16, Name = \"layer.1.dense\")] public partial AnalogLinear Clash { get; } }",
        "AHWA0008", "Layer name 'layer.1.dense' of 'M.Clash' is already used by 'M.Layers'; layer names must be unique in a model", "Clash");

    [Fact]
    public void LoraOnNonLinearMember() => Expect(
        "[AnalogModel] public partial class M { [Lora(Rank = 2)] public int Width { get; } }",
        "AHWA0009", "'M.Width' has [Lora] but is not an [AnalogLinear] or [DigitalLinear] layer", "Lora(Rank = 2)");

    [Fact]
    public void ModelNeedsMoreTilesThanTheChipHas() => Expect(
        "[AnalogModel, AnalogChip(Tiles = 3)] public partial class M { [AnalogLinear(1000, 600)] public partial AnalogLinear Fc { get; } }",
        "AHWA0010", "'M' needs 4 tiles of 512 x 512 but the chip has 3; raise AnalogChip.Tiles or use larger tiles", "AnalogChip(Tiles = 3)");

    [Fact]
    public void BlockUsedZeroTimes() => Expect(
        "[AnalogBlock] public partial class B { [AnalogLinear(16, 16)] public partial AnalogLinear D { get; } }\n" +
        "[AnalogModel] public partial class M { [Blocks(typeof(B), 0)] public partial IReadOnlyList<B> Layers { get; } }",
        "AHWA0011", "'M.Layers' repeats block 'B' 0 times; a block must be used at least once", "0");

    [Fact]
    public void UnexpectedExceptionBecomesOneDiagnosticAndOtherClassesStillGenerate()
    {
        var generator = new AhwaGenerator(name => { if (name == "Broken") throw new InvalidOperationException("boom"); });
        var source = Usings +
            "[AnalogModel] public partial class Broken { }\n" +
            "[AnalogModel] public partial class Fine { [AnalogLinear(8, 8)] public partial AnalogLinear Fc { get; } }";
        var run = Harness.Generate(Harness.Compilation(source), generator);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AHWA0012", diagnostic.Id);
        Assert.Equal("Ahwa could not generate 'Broken': InvalidOperationException: boom", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(run.Result.GeneratedSources, s => s.HintName == "Fine.Module.g.cs");
        Assert.DoesNotContain(run.Result.GeneratedSources, s => s.HintName.StartsWith("Broken", StringComparison.Ordinal));
        Assert.Null(run.Result.Exception);
    }

    [Fact]
    public void LayerPropertyNotPartial() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(8, 8)] public AnalogLinear Fc { get; } = null!; }",
        "AHWA0013", "'M.Fc' must be declared as a partial instance property with only a getter, e.g. 'public partial AnalogLinear Fc { get; }'", "Fc");

    [Fact]
    public void LayerPropertyOfWrongType() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(8, 8)] public partial DigitalLinear Fc { get; } }",
        "AHWA0014", "'M.Fc' is of type 'Ahwa.Runtime.DigitalLinear' but [AnalogLinear] requires 'Ahwa.Runtime.AnalogLinear'", "Fc");

    [Fact]
    public void RepeatedTypeIsNotABlock() => Expect(
        "public class NotBlock { }\n" +
        "[AnalogModel] public partial class M { [Blocks(typeof(NotBlock), 2)] public partial IReadOnlyList<NotBlock> Layers { get; } }",
        "AHWA0015", "'M.Layers' repeats 'NotBlock', which has no [AnalogBlock] attribute", "typeof(NotBlock)");

    [Fact]
    public void InvalidNoiseValue() => Expect(
        "[AnalogModel, AnalogChip(OutputNoise = -0.04)] public partial class M { }",
        "AHWA0016", "OutputNoise of 'M [AnalogChip]' is -0.04; it must be at least 0 and finite", "OutputNoise = -0.04");

    [Fact]
    public void ConflictingLayerAttributes() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(8, 8)] [DigitalLinear(8, 8)] public partial AnalogLinear Fc { get; } }",
        "AHWA0017", "'M.Fc' has more than one of [AnalogLinear], [DigitalLinear] and [Blocks]", "Fc");

    [Fact]
    public void InvalidLayerName() => Expect(
        "[AnalogModel] public partial class M { [AnalogLinear(8, 8, Name = \"a..b\")] public partial AnalogLinear Fc { get; } }",
        "AHWA0018", "Layer name 'a..b' of 'M.Fc' is invalid; use dot-separated segments of letters, digits and underscores", "Name = \"a..b\"");

    [Fact]
    public void BaseClassNotAnAhwaModel() => Expect(
        "[AnalogModel] public partial class M : System.Exception { }",
        "AHWA0019", "'M' derives from 'System.Exception'; an Ahwa model must derive from 'Ahwa.Runtime.AhwaModel' or declare no base class", "M");

    [Fact]
    public void BlocksInsideABlock() => Expect(
        "[AnalogBlock] public partial class Inner { [AnalogLinear(8, 8)] public partial AnalogLinear D { get; } }\n" +
        "[AnalogBlock] public partial class Outer { [Blocks(typeof(Inner), 2)] public partial IReadOnlyList<Inner> Items { get; } }",
        "AHWA0020", "'Outer.Items' uses [Blocks] inside a block; only a model can repeat blocks", "Blocks(typeof(Inner), 2)");

    [Fact]
    public void KernelThatCannotFitTheClusterL1() => Expect(
        "[AnalogModel, RiscVCluster(L1KiB = 16)] public partial class M { [AnalogLinear(1024, 1024)] public partial AnalogLinear Big { get; } }",
        "AHWA0021", "Layer 'big' of 'M.Big' needs 88112 bytes of L1 for its kernel even with one token per tile; the cluster has 16384. Raise RiscVCluster.L1KiB or lower the rank", "Big");

    [Fact]
    public void EveryErrorOfAClassIsReportedInOneBuild()
    {
        var run = Harness.Generate(Usings +
            "[AnalogModel, AnalogChip(DacBits = -1, AdcBits = 20)] public partial class M {\n" +
            "  [AnalogLinear(-1, 8)] public partial AnalogLinear A { get; }\n" +
            "  [AnalogLinear(8, 8)] [Lora(Alpha = -2)] public partial AnalogLinear B { get; } }");
        Assert.Equal(new[] { "AHWA0004", "AHWA0005", "AHWA0005", "AHWA0006" }, run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(x => x));
        Assert.Empty(run.Result.GeneratedSources);
    }
}
