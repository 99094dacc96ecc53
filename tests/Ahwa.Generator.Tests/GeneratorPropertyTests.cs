using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace Ahwa.Generator.Tests;

/// <summary>Issue 18: the generator driven with random attribute values, names, shapes and class forms. For every
/// case no exception escapes, no AHWA0012, and a diagnostics-free output compiles (emitted on every
/// <see cref="CompileEvery"/>-th such case, and on a few large models: one Roslyn compilation each, the rest would dominate the run). The time the
/// cases take and the slowest one are printed, not asserted: speed is the benchmarks' business
/// (<c>GeneratorBenchmarks</c>), and a shared CI machine would make a budget flaky.</summary>
[Collection(nameof(GeneratorPropertyTests))]
public class GeneratorPropertyTests(ITestOutputHelper output)
{
    const int Cases = 5000;
    const int CompileEvery = 10;

    static readonly Gen<int> Dimension = Gen.Frequency(
        (12, Gen.Int[8, 96]),
        (1, Gen.Int[1, 8]),
        (1, Gen.OneOf(-1, 0, 768, 3072, 1 << 20, int.MaxValue)));

    static readonly Gen<int> TileSize = Gen.Frequency((12, Gen.OneOf(8, 16, 64, 512)), (1, Gen.OneOf(-1, 0, 1, int.MaxValue)));

    static readonly Gen<int> TileCount = Gen.Frequency((12, Gen.OneOf(16, 256, 1024, 100000)), (1, Gen.OneOf(0, 1, int.MaxValue)));

    static readonly Gen<string> Real = Gen.Frequency(
        (12, Gen.OneOf("32", "8", "0.5", "1")),
        (1, Gen.OneOf("0", "-1", "double.NaN", "double.PositiveInfinity", "double.NegativeInfinity", "1e308")));

    static readonly Gen<string> Dropout = Gen.Frequency((12, Gen.OneOf("0", "0.1", "0.5")), (1, Gen.OneOf("0.99", "1", "-0.1", "double.NaN")));

    static readonly Gen<string?> LayerName = Gen.Frequency(
        (6, Gen.Const((string?)null)),
        (1, Gen.OneOf<string?>("dense", "encoder", "encoder.dense", "dense.lora_A", "encoder.layer.1", "encoder.layer", "a..b", "", "x y", "_9.z")));

    static readonly Gen<string> PropertyName = Gen.Frequency(
        (16, Gen.OneOf("Fc", "Query", "Dense", "Out", "Up")),
        (1, Gen.OneOf("@event", "@class", "Spec", "Plan", "TileMap", "Artifacts", "WeightNames", "OnLayersCreated", "__ahwa_x", "Layer")));

    static readonly Gen<string> LoraOverride = Gen.Frequency(
        (3, Gen.Const("")),
        (1, Gen.Select(Gen.Frequency((12, Gen.Int[1, 8]), (1, Gen.Int[-1, 12])), Real, Dropout, Gen.Bool, Gen.Int[0, 15]).Select(t =>
        {
            var args = new List<string>();
            if ((t.Item5 & 1) != 0) args.Add("Rank = " + t.Item1.ToString(CultureInfo.InvariantCulture));
            if ((t.Item5 & 2) != 0) args.Add("Alpha = " + t.Item2);
            if ((t.Item5 & 4) != 0) args.Add("Dropout = " + t.Item3);
            if ((t.Item5 & 8) != 0) args.Add("Disabled = " + (t.Item4 ? "true" : "false"));
            return "[Lora(" + string.Join(", ", args) + ")] ";
        })));

    /// <summary>One layer or blocks member: kind (0 analog, 1 digital, 2 blocks), shape, names, adapter, property form.</summary>
    static readonly Gen<string> Member = Gen.Select(Gen.Int[0, 2], Dimension, Dimension, LayerName, PropertyName, LoraOverride, Gen.Int[0, 19],
        Gen.Frequency((12, Gen.Int[1, 4]), (1, Gen.OneOf(0, -1, 64, 1025, int.MaxValue))))
        .Select(t =>
        {
            var (kind, ins, outs, name, property, lora, form, count) = t;
            string nameArg = name is null ? "" : ", Name = \"" + name + "\"";
            string I(int v) => v == int.MaxValue ? "int.MaxValue" : v.ToString(CultureInfo.InvariantCulture);
            if (kind == 2)
            {
                string block = form switch { 0 => "NotBlock", 1 => "AbstractBlock", 2 => "RecordBlock", _ => "B" };
                string typeOf = form == 3 ? "null" : "typeof(" + block + ")";
                return $"[Blocks({typeOf}, {I(count)}{nameArg})] public partial IReadOnlyList<{(form == 3 ? "B" : block)}> {property} {{ get; }}";
            }
            string type = (kind == 0) == (form != 4) ? "AnalogLinear" : "DigitalLinear";
            string attribute = kind == 0 ? "AnalogLinear" : "DigitalLinear";
            string declaration = form == 5 ? $"public {type} {property} {{ get; }} = null!;" : $"public partial {type} {property} {{ get; }}";
            return $"[{attribute}({I(ins)}, {I(outs)}{nameArg})] {lora}{declaration}";
        });

    static readonly Gen<string> Hardware = Gen.Select(
        Gen.Select(TileSize, TileSize, TileCount, Gen.Frequency((12, Gen.Int[1, 16]), (1, Gen.OneOf(0, 17))), Gen.Bool),
        Gen.Select(Gen.Frequency((12, Gen.Int[1, 8]), (1, Gen.Int[-1, 16])), Real, Dropout, Gen.Bool),
        Gen.Select(Gen.Frequency((12, Gen.OneOf(128, 512, 4096)), (1, Gen.OneOf(1, 16, 1 << 21, int.MaxValue, 0))), Gen.Frequency((12, Gen.Int[1, 9]), (1, Gen.Const(0))), Gen.Bool))
        .Select(t =>
        {
            string I(int v) => v == int.MaxValue ? "int.MaxValue" : v.ToString(CultureInfo.InvariantCulture);
            var attributes = new List<string>();
            if (t.Item1.Item5) attributes.Add($"AnalogChip(TileRows = {I(t.Item1.Item1)}, TileCols = {I(t.Item1.Item2)}, Tiles = {I(t.Item1.Item3)}, AdcBits = {t.Item1.Item4})");
            if (t.Item2.Item4) attributes.Add($"LoraDefaults(Rank = {t.Item2.Item1}, Alpha = {t.Item2.Item2}, Dropout = {t.Item2.Item3})");
            if (t.Item3.Item3) attributes.Add($"RiscVCluster(Cores = {t.Item3.Item2}, L1KiB = {I(t.Item3.Item1)})");
            return string.Concat(attributes.Select(a => ", " + a));
        });

    static readonly Gen<string> ClassForm = Gen.Frequency(
        (12, Gen.Const("public partial class {0}")),
        (1, Gen.OneOf("public partial class {0} : AhwaModel", "public partial class {0} : object", "public partial record {0}", "public class {0}",
            "public abstract partial class {0}", "public static partial class {0}", "public sealed partial class {0}", "internal partial class {0}")));

    static readonly Gen<string> Case = Gen.Select(
        Gen.Select(Gen.OneOf("", "N", "@namespace", "A.B"), Gen.Frequency((8, Gen.Const("M")), (1, Gen.OneOf("@class", "Spec", "Model_1"))), ClassForm,
            Gen.Frequency((10, Gen.Const(false)), (1, Gen.Const(true)))),
        Hardware,
        Member.Array[0, 4],
        Gen.Select(Dimension, Dimension, Gen.Frequency((8, Gen.Const("public partial class B")), (1, Gen.OneOf("public abstract partial class B", "public partial record B"))),
            Gen.Frequency((10, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2)))))
        .Select(t =>
        {
            var (ns, name, form, both) = t.Item1;
            var (blockIn, blockOut, blockForm, nesting) = t.Item4;
            var b = new StringBuilder("using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n");
            if (ns.Length > 0) b.Append("namespace ").Append(ns).Append(" {\n");
            string members = string.Concat(t.Item3);
            if (members.Contains("NotBlock", StringComparison.Ordinal)) b.Append("public class NotBlock { }\n");
            if (members.Contains("AbstractBlock", StringComparison.Ordinal))
                b.Append("[AnalogBlock] public abstract partial class AbstractBlock { [AnalogLinear(8, 8)] public partial AnalogLinear D { get; } }\n");
            if (members.Contains("RecordBlock", StringComparison.Ordinal))
                b.Append("[AnalogBlock] public partial record RecordBlock { [AnalogLinear(8, 8)] public partial AnalogLinear D { get; } }\n");
            string I(int v) => v == int.MaxValue ? "int.MaxValue" : v.ToString(CultureInfo.InvariantCulture);
            b.Append($"[AnalogBlock] {blockForm} {{ [AnalogLinear({I(blockIn)}, {I(blockOut)}, Name = \"x.dense\")] public partial AnalogLinear D {{ get; }} " +
                "[DigitalLinear(8, 4)] public partial DigitalLinear E { get; } }\n");
            if (nesting == 1) b.Append("public partial class Outer {\n");
            if (nesting == 2) b.Append("public class Outer {\n");
            b.Append("[AnalogModel").Append(both ? ", AnalogBlock" : "").Append(t.Item2).Append("]\n");
            b.Append(string.Format(CultureInfo.InvariantCulture, form, name)).Append("\n{\n");
            for (int i = 0; i < t.Item3.Length; i++) b.Append("    ").Append(t.Item3[i]).Append('\n');
            b.Append("}\n");
            if (nesting != 0) b.Append("}\n");
            if (ns.Length > 0) b.Append("}\n");
            return b.ToString();
        });

    /// <summary>Models at the sizes that once built no assembly (CS8103, the string heap full): up to 20,736 tiles of one
    /// layer, and a block repeated up to 12 times whose layer name has up to 100,000 characters. The larger cases of
    /// <see cref="GeneratedSizeTests"/> (73,728 tiles, a million-character name) would make each case take a minute.</summary>
    static readonly Gen<string> Large = Gen.Select(Gen.Const(64), Gen.OneOf(4096, 8192, 9216), Gen.OneOf(8, 2_000, 10_000, 100_000), Gen.Int[1, 12])
        .Select(t =>
        {
            var (tile, features, nameLength, count) = t;
            string n(int v) => v.ToString(CultureInfo.InvariantCulture);
            return "using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n" +
                $"[AnalogBlock] public partial class B {{ [AnalogLinear(8, 8, Name = \"{new string('n', nameLength)}\")] public partial AnalogLinear D {{ get; }} }}\n" +
                $"[AnalogModel] [AnalogChip(TileRows = {n(tile)}, TileCols = {n(tile)}, Tiles = 1000000)] [RiscVCluster(L1KiB = 65536)]\n" +
                $"public partial class M {{ [AnalogLinear({n(features)}, 9216)] public partial AnalogLinear X {{ get; }} " +
                $"[Blocks(typeof(B), {n(count)})] public partial IReadOnlyList<B> Layers {{ get; }} }}\n";
        });

    const int LargeCases = 4;

    /// <summary>Compiler errors that only say the generator did not implement a partial member.</summary>
    static readonly HashSet<string> MissingImplementation = new(StringComparer.Ordinal) { "CS9248", "CS8795", "CS0759" };

    [Fact]
    public void GeneratorNeverFailsOnRandomModels()
    {
        long cases = 0, clean = 0, compiled = 0, slowestTicks = 0;
        string slowest = "";
        var lockObject = new object();
        // Roslyn's first binding and the generator's JIT take over a second once per process; they are not a case.
        var warmUp = Harness.Generate(Harness.Compilation(Case.Single()));
        Assert.Null(warmUp.Result.Exception);
        warmUp.Output.GetDiagnostics();
        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Case.Sample(source =>
        {
            var compilation = Harness.Compilation(source);
            var watch = Stopwatch.StartNew();
            var run = Harness.Generate(compilation, trackSteps: false);
            watch.Stop();
            Interlocked.Increment(ref cases);
            lock (lockObject)
                if (watch.ElapsedTicks > slowestTicks) (slowestTicks, slowest) = (watch.ElapsedTicks, source);
            Assert.Null(run.Result.Exception);
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "AHWA0012");
            if (run.GeneratorDiagnostics.Length > 0 || run.Result.GeneratedSources.Length == 0) return;
            if (Interlocked.Increment(ref clean) % CompileEvery != 0) return;
            Interlocked.Increment(ref compiled);
            // Emitted, not only bound: some limits (the string heap's) are met only when the assembly is written.
            using var assembly = new System.IO.MemoryStream();
            var errors = run.Output.Emit(assembly).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count == 0) return;
            // The user's own code may be wrong (a duplicate member, an attribute argument of the wrong type); then
            // only errors it does not have already count.
            var own = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && !MissingImplementation.Contains(d.Id))
                .Select(d => d.Id + d.Location.SourceSpan).ToHashSet();
            var added = errors.Where(d => !own.Contains(d.Id + d.Location.SourceSpan)).ToList();
            Assert.True(own.Count > 0 || added.Count == 0, "Generated code does not compile:\n" + string.Join("\n", added));
        }, iter: Cases, threads: 2, print: s => s);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s of CPU); {clean} without diagnostics, {compiled} of them compiled; " +
            $"slowest {TimeSpan.FromTicks(slowestTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency).TotalMilliseconds:F0} ms:\n{slowest}");
        Assert.True(cases >= Cases);
        Assert.True(compiled > 0);
    }

    /// <summary>Every large model either gets an Ahwa error or its whole output emits.</summary>
    [Fact]
    public void LargeModelsEmitOrAreReported()
    {
        int emitted = 0;
        Large.Sample(source =>
        {
            var run = Harness.Generate(Harness.Compilation(source), trackSteps: false);
            GeneratedSizeTests.EmitsOrIsReported(run);
            if (!run.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error)) Interlocked.Increment(ref emitted);
        }, iter: LargeCases, threads: 1, print: s => s.Length > 400 ? s[..400] + "..." : s);
        output.WriteLine($"{emitted} of {LargeCases} large models emitted, the rest were reported");
        Assert.True(emitted > 0);
    }
}

/// <summary>The property test measures its own time, so it runs alone, not beside the other generator tests.</summary>
[CollectionDefinition(nameof(GeneratorPropertyTests), DisableParallelization = true)]
public sealed class GeneratorPropertyCollection;
