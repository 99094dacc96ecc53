using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>Robustness issue: models the generator accepted whose generated code then failed to emit with CS8103
/// (an assembly's string literals share one 16 MiB heap). Each now either emits or gets a diagnostic. Checked with
/// Emit, not GetDiagnostics: the heap overflows only when metadata is written.</summary>
public class GeneratedSizeTests
{
    const string Usings = "using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n";

    /// <summary>The generator reports an error, or the whole compilation emits with no error.</summary>
    internal static void EmitsOrIsReported(Harness.Run run)
    {
        Assert.Null(run.Result.Exception);
        if (run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) return;
        using var stream = new MemoryStream();
        var emit = run.Output.Emit(stream);
        Assert.True(emit.Success, "Generated code does not emit:\n" +
            string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
    }

    [Fact]
    public void ManyTilesEmit()
    {
        // 256 x 288 tiles of 32 x 32: the tile map JSON and the C tile map list each of the 73,728 tiles.
        var run = Harness.Generate(Usings +
            "[AnalogModel] [AnalogChip(TileRows = 32, TileCols = 32, Tiles = 1000000)] [RiscVCluster(L1KiB = 65536)]\n" +
            "public partial class M { [AnalogLinear(8192, 9216)] public partial AnalogLinear X { get; } }");
        Assert.Empty(run.GeneratorDiagnostics);
        EmitsOrIsReported(run);
    }

    [Fact]
    public void MillionCharacterLayerNameEmitsOrIsReported()
    {
        string name = new('a', 1_000_000);
        var run = Harness.Generate(Usings +
            "[AnalogModel] public partial class M { [AnalogLinear(8, 8, Name = \"" + name + "\")] public partial AnalogLinear X { get; } }");
        EmitsOrIsReported(run);
    }

    [Fact]
    public void LongNamesInRepeatedBlocksEmitOrAreReported()
    {
        string name = new('b', 100_000);
        var run = Harness.Generate(Usings +
            "[AnalogBlock] public partial class B { [AnalogLinear(8, 8, Name = \"" + name + "\")] public partial AnalogLinear D { get; } }\n" +
            "[AnalogModel] public partial class M { [Blocks(typeof(B), 12)] public partial IReadOnlyList<B> Layers { get; } }");
        EmitsOrIsReported(run);
    }

    [Fact]
    public void StringLiteralsBeyondTheHeapBudgetAreReported()
    {
        // 1024 instances of a layer with a 900-character name: each instance's name and weight names are distinct
        // literals short enough to stay ordinary, 9 MB in all.
        string name = new('c', 900);
        var run = Harness.Generate(Usings +
            "[AnalogBlock] public partial class B { [AnalogLinear(8, 8, Name = \"" + name + "\")] public partial AnalogLinear D { get; } }\n" +
            "[AnalogModel] public partial class M { [Blocks(typeof(B), 1024)] public partial IReadOnlyList<B> Layers { get; } }");
        Assert.Null(run.Result.Exception);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AHWA0030", diagnostic.Id);
        Assert.Contains("'M'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(run.Result.GeneratedSources, s => s.HintName is "M.Module.g.cs" or "M.Spec.g.cs" or "Ahwa.Generated.AhwaModels.g.cs");
    }

    /// <summary>Checks the premise: the limit is on the user-string heap that all the assembly's literals share (each
    /// must start within its first 16 MiB), not on one literal; UTF-8 literals are data outside it.</summary>
    [Fact]
    public void TheLimitIsOnAllLiteralsTogether()
    {
        static string[] Errors(string source)
        {
            using var stream = new MemoryStream();
            return Harness.Compilation(source).Emit(stream).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToArray();
        }
        string a = new('a', 5_000_000), b = new('b', 5_000_000), c = new('c', 5_000_000);
        Assert.Empty(Errors("class K { static string A = \"" + a + "\"; }"));
        Assert.Equal(["CS8103"], Errors("class K { static string A = \"" + a + "\", B = \"" + b + "\", C = \"" + c + "\"; }"));
        Assert.Empty(Errors("class K { static System.ReadOnlySpan<byte> A => \"" + a + "\"u8; static System.ReadOnlySpan<byte> B => \"" + b + "\"u8; " +
            "static System.ReadOnlySpan<byte> C => \"" + c + "\"u8; }"));
    }
}
