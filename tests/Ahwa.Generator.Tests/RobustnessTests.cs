using System;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>Issue 18, generator findings 1-10: each case once failed (an exception, a hang, silence or code that does
/// not compile); now each gets its own diagnostic or generates code that compiles.</summary>
public class RobustnessTests
{
    const string Usings = "using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n";
    const string Block = "[AnalogBlock] public partial class B { [AnalogLinear(8, 8)] public partial AnalogLinear D { get; } }\n";

    static Harness.Run Run(string source) => Harness.Generate(Harness.Compilation(Usings + source));

    static string[] Ids(Harness.Run run) => run.GeneratorDiagnostics.Select(d => d.Id).ToArray();

    static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>No generator exception, no Ahwa diagnostic, and the output compiles.</summary>
    static void Compiles(string source)
    {
        var run = Run(source);
        Assert.Null(run.Result.Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.Result.GeneratedSources);
        Assert.Empty(Harness.CompileProblems(run.Output));
    }

    static Diagnostic One(string source, string id)
    {
        var run = Run(source);
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic;
    }

    /// <summary>A plan sized by the user's numbers (a tile or block per unit) would allocate gigabytes; a check made
    /// before allocating costs what an ordinary model's generation does. Bytes, not seconds, so the machine's speed
    /// cannot decide the result.</summary>
    static void AllocatedLittle(long before)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64L << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void KeywordNamespaceClassAndPropertyGenerateCode() => Compiles(
        "namespace @namespace { [AnalogModel] public partial class @class { [AnalogLinear(8, 8)] public partial AnalogLinear @event { get; } } }\n" +
        "namespace @namespace { [AnalogBlock] public partial class @struct { [AnalogLinear(8, 8)] public partial AnalogLinear @if { get; } } }");

    [Fact]
    public void HintNamesComeFromMetadataNames()
    {
        var run = Run("namespace @namespace { public partial class Outer { [AnalogModel] public partial class @class { } } }");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.Result.GeneratedSources, s => s.HintName == "namespace.Outer+class.Module.g.cs");
        Assert.Empty(Harness.CompileProblems(run.Output));
    }

    [Fact]
    public void AttributeOnTwoPartialDeclarationsDoesNotThrow()
    {
        var run = Harness.Generate(Harness.Compilation(
            Usings + "[AnalogModel] public partial class M { [AnalogLinear(8, 8)] public partial AnalogLinear Fc { get; } }",
            Usings + "[AnalogModel] public partial class M { }"));
        Assert.Null(run.Result.Exception);
        Assert.Empty(run.GeneratorDiagnostics); // the compiler's CS0579 says it
        Assert.Single(run.Result.GeneratedSources, s => s.HintName == "M.Module.g.cs");
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Id == "CS0579");
    }

    [Fact]
    public void TileCountsBeyondInt32AreReportedNotOverflowed()
    {
        var d = One("[AnalogModel, AnalogChip(TileRows = 1, TileCols = 1, Tiles = 1024)] public partial class M { " +
            "[AnalogLinear(60000, 40000)] public partial AnalogLinear Fc { get; } }", "AHWA0010");
        Assert.Contains("needs 2400000000 tiles", Message(d));
    }

    [Fact]
    public void MaxValueInputsOnOneRowTilesAreCheckedBeforeAllocation()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        One("[AnalogModel, AnalogChip(TileRows = 1, TileCols = 1, Tiles = int.MaxValue)] public partial class M { " +
            "[AnalogLinear(int.MaxValue, 1)] [Lora(Rank = 1)] public partial AnalogLinear Fc { get; } }", "AHWA0023");
        One("[AnalogModel, AnalogChip(TileRows = 1)] public partial class M { [AnalogLinear(int.MaxValue, 8)] public partial AnalogLinear Fc { get; } }", "AHWA0010");
        AllocatedLittle(before);
    }

    [Theory]
    [InlineData("int.MaxValue")]
    [InlineData("100000")]
    [InlineData("1025")]
    public void TooManyBlocksIsReportedQuickly(string count)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var d = One(Block + $"[AnalogModel] public partial class M {{ [Blocks(typeof(B), {count})] public partial IReadOnlyList<B> L {{ get; }} }}", "AHWA0022");
        Assert.Equal($"'M.L' repeats block 'B' {(count == "int.MaxValue" ? int.MaxValue.ToString() : count)} times; at most 1024 repetitions are allowed", Message(d));
        AllocatedLittle(before);
    }

    [Fact]
    public void ManyBlocksOfManyTilesHitTheGeneratedSizeLimit() => One(
        "[AnalogBlock] public partial class B { [AnalogLinear(4096, 4096)] public partial AnalogLinear D { get; } }\n" +
        "[AnalogModel, AnalogChip(TileRows = 16, TileCols = 16, Tiles = int.MaxValue)] public partial class M { [Blocks(typeof(B), 1024)] public partial IReadOnlyList<B> L { get; } }",
        "AHWA0023");

    /// <summary>Counted from the attributes before the members are parsed: the message says it is a lower bound.</summary>
    [Fact]
    public void ManyMembersHitTheGeneratedSizeLimitBeforeTheyAreParsed()
    {
        var members = string.Concat(Enumerable.Range(0, 70_000).Select(i => $"[AnalogLinear(8, 8)] public partial AnalogLinear Fc{i} {{ get; }}\n"));
        var d = One("[AnalogModel, AnalogChip(Tiles = 1000000)] public partial class M {\n" + members + "}", "AHWA0023");
        Assert.Equal("'M' would generate at least 70000 entries (layers and tile blocks); the limit is 65536. Use fewer layers or larger tiles", Message(d));
    }

    [Fact]
    public void CancellationStopsTheExpansion()
    {
        using var cancel = new System.Threading.CancellationTokenSource();
        cancel.Cancel();
        var compilation = Harness.Compilation(Usings + Block + "[AnalogModel] public partial class M { [Blocks(typeof(B), 1000)] public partial IReadOnlyList<B> L { get; } }");
        Assert.ThrowsAny<OperationCanceledException>(() => Harness.Driver().RunGenerators(compilation, cancel.Token));
    }

    [Fact]
    public void HugeL1IsARuleNotAnOverflow()
    {
        var d = One("[AnalogModel, RiscVCluster(L1KiB = 2097152)] public partial class M { [AnalogLinear(8, 8)] public partial AnalogLinear Fc { get; } }", "AHWA0004");
        Assert.Equal("L1KiB of 'M [RiscVCluster]' is 2097152; it must be between 1 and 1048576 KiB", Message(d));
    }

    [Fact]
    public void VeryLargeLayerOnABigChipReportsL1Shortfall()
    {
        var d = One("[AnalogModel, AnalogChip(Tiles = int.MaxValue)] public partial class M { [AnalogLinear(1000000, 1000000)] public partial AnalogLinear Fc { get; } }", "AHWA0021");
        Assert.Contains("needs 7894015664 bytes of L1", Message(d));
    }

    [Fact]
    public void NullBlockTypeIsReported()
    {
        var d = One("[AnalogModel] public partial class M { [Blocks(null, 2)] public partial IReadOnlyList<object> L { get; } }", "AHWA0015");
        Assert.Equal("'M.L' repeats 'null', which has no [AnalogBlock] attribute", Message(d));
    }

    [Theory]
    [InlineData("[AnalogModel] public partial record M { [AnalogLinear(0, 8)] public partial AnalogLinear Fc { get; } }", "'M' is a record; an Ahwa model must be a non-record class")]
    [InlineData("[AnalogBlock] public partial record B { [AnalogLinear(0, 8)] public partial AnalogLinear Fc { get; } }", "'B' is a record; an Ahwa block must be a non-record class")]
    public void RecordsAreReportedWithTheirOtherErrors(string source, string message)
    {
        var run = Run(source);
        Assert.Equal(new[] { "AHWA0004", "AHWA0024" }, Ids(run).OrderBy(x => x));
        Assert.Equal(message, Message(run.GeneratorDiagnostics.Single(d => d.Id == "AHWA0024")));
    }

    [Fact]
    public void AbstractBlockIsReported() => Assert.Equal("'B' is abstract; an Ahwa block must be a non-abstract, non-static class",
        Message(One("[AnalogBlock] public abstract partial class B { [AnalogLinear(8, 8)] public partial AnalogLinear D { get; } }", "AHWA0025")));

    [Fact]
    public void ExplicitObjectBaseIsReported() => Assert.Equal(
        "'M' derives from 'object'; an Ahwa model must derive from 'Ahwa.Runtime.AhwaModel' or declare no base class",
        Message(One("[AnalogModel] public partial class M : object { }", "AHWA0019")));

    [Theory]
    [InlineData("Spec")]
    [InlineData("Artifacts")]
    [InlineData("WeightNames")]
    [InlineData("TileMap")]
    [InlineData("Plan")]
    [InlineData("InitializeLayers")]
    public void MemberNamedLikeAGeneratedMemberIsReported(string name)
    {
        var d = One($"[AnalogModel] public partial class M {{ [DigitalLinear(8, 8)] public partial DigitalLinear {name} {{ get; }} }}", "AHWA0026");
        Assert.Equal($"'M.{name}' is named like the member '{name}' the generator adds to every model; rename it", Message(d));
    }

    [Fact]
    public void UserFieldWithTheBackingPrefixIsReported() =>
        One("[AnalogModel] public partial class M { int __ahwa_x; public int X => __ahwa_x; }", "AHWA0026");

    [Fact]
    public void ImplementingTheHookIsAllowed() => Compiles(
        "[AnalogModel] public partial class M { [AnalogLinear(8, 8)] public partial AnalogLinear Fc { get; } partial void OnLayersCreated() { } }");

    [Fact]
    public void ModelAndBlockOnOneClassIsReportedOnce() => Assert.Equal("'M' has both [AnalogModel] and [AnalogBlock]; a class is one or the other",
        Message(One("[AnalogModel, AnalogBlock] public partial class M { }", "AHWA0027")));

    [Theory]
    [InlineData("[AnalogLinear(8, 8, Name = \"encoder\")] public partial AnalogLinear A { get; } [AnalogLinear(8, 8, Name = \"encoder.dense\")] public partial AnalogLinear C { get; }",
        "Layer 'encoder.dense' of 'M.C' lies inside 'encoder' of 'M.A'; a layer or block cannot contain another layer")]
    [InlineData("[AnalogLinear(8, 8, Name = \"dense\")] public partial AnalogLinear A { get; } [AnalogLinear(8, 8, Name = \"dense.lora_A\")] public partial AnalogLinear C { get; }",
        "Layer 'dense.lora_A' of 'M.C' lies inside 'dense' of 'M.A'; a layer or block cannot contain another layer")]
    [InlineData("[Blocks(typeof(B), 2, Name = \"encoder.layer\")] public partial IReadOnlyList<B> L { get; } [AnalogLinear(8, 8, Name = \"encoder.layer.1.x\")] public partial AnalogLinear C { get; }",
        "Layer 'encoder.layer.1.x' of 'M.C' lies inside 'encoder.layer.1' of 'M.L'; a layer or block cannot contain another layer")]
    public void PrefixCollisionsInTheModuleTreeAreReported(string members, string message) =>
        Assert.Equal(message, Message(One(Block + "[AnalogModel] public partial class M { " + members + " }", "AHWA0028")));

    [Fact]
    public void LeafNamedLikeABlockInstanceIsADuplicate() => One(Block +
        "[AnalogModel] public partial class M { [Blocks(typeof(B), 2, Name = \"encoder.layer\")] public partial IReadOnlyList<B> L { get; } " +
        "[AnalogLinear(8, 8, Name = \"encoder.layer.1\")] public partial AnalogLinear C { get; } }", "AHWA0008");

    [Theory]
    [InlineData("double.PositiveInfinity", "Infinity")]
    [InlineData("double.NaN", "NaN")]
    public void NonFiniteAlphaDefaultsAreRejected(string alpha, string shown) => Assert.Equal(
        $"LoRA alpha of 'M [LoraDefaults]' is {shown}; it must be greater than 0 and finite",
        Message(One($"[AnalogModel, LoraDefaults(Alpha = {alpha})] public partial class M {{ }}", "AHWA0006")));

    [Fact]
    public void ReadmeExampleBuildsWithoutDiagnostics()
    {
        var readme = Harness.ReadRepoFile("README.md");
        var section = readme.Substring(readme.IndexOf("## Describing a model", StringComparison.Ordinal));
        var code = Regex.Match(section, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("class MyBert", code);
        var run = Harness.Generate(Harness.Compilation("using System.Collections.Generic;\n" + code));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.Result.GeneratedSources, s => s.HintName == "MyBert.Module.g.cs");
        Assert.DoesNotContain(Harness.CompileProblems(run.Output), d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>docs/dsl.md's table names every diagnostic the generator can report (a range row covers its ids).</summary>
    [Fact]
    public void EveryDiagnosticIsInTheDocumentedTable()
    {
        var table = Harness.ReadRepoFile("docs/dsl.md");
        var documented = Regex.Matches(table, @"^\| AHWA(\d{4})(?:-(\d{4}))? \|", RegexOptions.Multiline)
            .SelectMany(m => Enumerable.Range(Number(m.Groups[1].Value), m.Groups[2].Success ? Number(m.Groups[2].Value) - Number(m.Groups[1].Value) + 1 : 1))
            .ToHashSet();
        var ids = typeof(AhwaGenerator).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Where(id => id.StartsWith("AHWA0", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(ids.Count > 25, $"found only {ids.Count} descriptors");
        var missing = ids.Where(id => !documented.Contains(Number(id[4..]))).ToList();
        Assert.True(missing.Count == 0, "not in docs/dsl.md's table: " + string.Join(", ", missing));
        static int Number(string digits) => int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("[AnalogModel, LoraDefaults(Dropout = 1m)] public partial class M { }")]
    [InlineData("[AnalogModel] public partial class M { [AnalogLinear(8, 8)] [Lora(Dropout = 1m)] public partial AnalogLinear Fc { get; } }")]
    [InlineData("[AnalogModel] public partial class M { [AnalogLinear(8, 0.5)] public partial AnalogLinear Fc { get; } }")]
    [InlineData("[AnalogModel, AnalogChip(TileRows = \"x\")] public partial class M { }")]
    public void CompilerErrorsInAttributeArgumentsGetNoFollowUp(string source)
    {
        var run = Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("CS", StringComparison.Ordinal));
    }

    [Fact]
    public void ExceptionWhileAddingSourcesBecomesADiagnostic()
    {
        // Two models whose metadata names would once give one hint name: a nested type and a namespace type.
        var run = Run("namespace N { [AnalogModel] public partial class M { } }\npublic partial class N { [AnalogModel] public partial class M { } }");
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "AHWA0012");
    }
}
