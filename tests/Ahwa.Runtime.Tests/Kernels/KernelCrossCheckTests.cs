using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Ahwa.Lab.Kernels;
using Ahwa.Simulator;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Kernels;

/// <summary>The generated C kernels against the managed reference, bit for bit, on the host (ASan + UBSan),
/// rv64gc under qemu-riscv64 and rv32imafc bare metal under qemu-system-riscv32.</summary>
public class KernelCrossCheckTests : IDisposable
{
    readonly ITestOutputHelper output;

    public KernelCrossCheckTests(ITestOutputHelper output) => this.output = output;

    // Each test's build folders go when it ends (a bench folder holds up to 20 MB of objects and case files).
    readonly System.Collections.Generic.List<string> folders = new();

    string WorkDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "ahwa-kernels", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        folders.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var folder in folders)
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A random layer: in and out 1..maxSize (several tiles at 256 x 256 when large), rank 1..32, tokens 1..maxTokens, cores 1..8.</summary>
    internal static KernelCase RandomCase(int index, ulong seed, int maxSize, int maxTokens, bool engine = false)
    {
        var random = new RandomStream(seed, (ulong)index);
        int Pick(int low, int high) => low + (int)(random.NextUInt64() % (ulong)(high - low + 1));
        // Half the layers small, half up to the maximum, so splits over several tiles are common.
        int ins = random.NextUInt64() % 2 == 0 ? Pick(1, 64) : Pick(1, maxSize);
        int outs = random.NextUInt64() % 2 == 0 ? Pick(1, 64) : Pick(1, maxSize);
        int rank = Pick(1, Math.Min(32, Math.Min(ins, outs)));
        int adcBits = Pick(4, 10);
        var chip = ChipSpec.Default with { TileRows = 256, TileCols = 256, AdcBits = adcBits };
        var cluster = new ClusterSpec(Pick(1, 8), 16 * 1024, Ahwa.Dsl.ClusterDataType.Fp16, MatrixEngine: engine);
        var layer = new LayerSpec($"case{index}.dense", LayerKind.Analog, ins, outs, true, new LoraSpec(rank, Pick(1, 64), 0.0));
        var kernel = MemoryPlanner.Plan(layer, chip, cluster).Kernel!;
        return new KernelCase(kernel, KernelInputs.Random(kernel, Pick(1, maxTokens), adcBits, seed ^ (ulong)index), cluster.Cores);
    }

    /// <summary>The C files Codegen emits for the cases' kernels (what a model's Artifacts would hold).</summary>
    internal static IReadOnlyList<Artifact> Files(IReadOnlyList<KernelCase> cases)
    {
        var kernels = cases.Select(c => c.Kernel).Distinct().ToList();
        return KernelArtifacts.ClusterFiles(kernels, kernels.Max(k => k.L1Bytes));
    }

    internal static void AssertNoDifferences(ITestOutputHelper output, IReadOnlyList<KernelCaseResult> results, bool naive)
    {
        foreach (var r in results)
        {
            var k = r.Case.Kernel;
            Assert.True(r.Differences == 0,
                $"{k.Symbol} ({k.InFeatures} -> {k.OutFeatures}, rank {k.Rank}, {k.InputBlocks} blocks, {r.Case.Inputs.Tokens} tokens, {r.Case.Cores} cores): " +
                $"{r.Differences} of {r.Elements} elements differ, first at {r.FirstDifference}");
            if (naive) Assert.True(r.NaiveDifferences == 0, $"naive baseline of {k.Symbol}: {r.NaiveDifferences} elements differ");
        }
        output.WriteLine($"{results.Count} cases, {results.Sum(r => r.Elements)} elements, {results.Sum(r => r.Differences)} differences");
    }

    void AssertNoDifferences(IReadOnlyList<KernelCaseResult> results, bool naive) => AssertNoDifferences(output, results, naive);

    [Fact]
    public void HostBuildMatchesTheReferenceOnHundredsOfRandomLayers()
    {
        var cases = Enumerable.Range(0, 200).Select(i => RandomCase(i, 1, 1536, 128)).ToList();
        // Four benches of 50 kernels each: one compile and run per bench.
        foreach (var batch in cases.Chunk(50))
            AssertNoDifferences(KernelCrossCheck.Run(batch, Files(batch), KernelTarget.Host, WorkDirectory("host")), naive: true);
    }

    [Fact]
    public void KernelFilesCompileInOneUnitPerCoreAndTheRuntimeOnItsOwn()
    {
        string[] runtime = { "ahwa_cluster.c", "ahwa_bench.c", "ahwa_kernels.c" };
        int cores = Math.Max(1, Environment.ProcessorCount);
        var symbols = Enumerable.Range(0, cores + 3).Select(i => $"layer{i}_dense").ToList();
        var kernels = symbols.SelectMany(s => new[] { s + ".c", s + "_naive.c" }).ToList();
        var units = KernelCrossCheck.CompileUnits(runtime.Concat(kernels).ToList(), symbols);

        Assert.Equal(runtime, units.Take(runtime.Length).Select(u => Assert.Single(u)));
        var shared = units.Skip(runtime.Length).ToList();
        Assert.Equal(cores, shared.Count);
        // Every kernel file is in exactly one unit.
        Assert.Equal(kernels.OrderBy(k => k, StringComparer.Ordinal), shared.SelectMany(u => u).OrderBy(k => k, StringComparer.Ordinal));
        // Up to one kernel file per core, each compiles on its own: nothing to gain.
        Assert.All(KernelCrossCheck.CompileUnits(runtime.Concat(kernels.Take(1)).ToList(), symbols), u => Assert.Single(u));
    }

    [Fact]
    public void Rv64UnderQemuMatchesTheReference()
    {
        var cases = Enumerable.Range(1000, 30).Select(i => RandomCase(i, 2, 600, 24)).ToList();
        AssertNoDifferences(KernelCrossCheck.Run(cases, Files(cases), KernelTarget.Rv64, WorkDirectory("rv64")), naive: true);
    }

    [Fact]
    public void Rv32BareMetalUnderQemuMatchesTheReference()
    {
        var cases = Enumerable.Range(2000, 30).Select(i => RandomCase(i, 3, 400, 16)).ToList();
        AssertNoDifferences(KernelCrossCheck.Run(cases, Files(cases), KernelTarget.Rv32, WorkDirectory("rv32")), naive: true);
    }

    [Fact]
    public void OneThreeAndEightCoresGiveIdenticalBits()
    {
        var chip = ChipSpec.Default with { TileRows = 128, TileCols = 128 };
        var layer = new LayerSpec("cores.dense", LayerKind.Analog, 300, 200, true, new LoraSpec(8, 32, 0));
        var kernel = MemoryPlanner.Plan(layer, chip, ClusterSpec.Default).Kernel!;
        var inputs = KernelInputs.Random(kernel, 37, 8, 5);
        var cases = new[] { 1, 3, 8 }.Select(cores => new KernelCase(kernel, inputs, cores)).ToList();
        var results = KernelCrossCheck.Run(cases, Files(cases), KernelTarget.Host, WorkDirectory("cores"), checkNaive: false);
        AssertNoDifferences(results, naive: false);
        Assert.Equal(3, results.Count);
    }

    [Fact]
    public void ALayerWithoutAnAdapterChecksOnTheHost()
    {
        var layer = new LayerSpec("plain.dense", LayerKind.Analog, 300, 70, true, null);
        var kernel = MemoryPlanner.Plan(layer, ChipSpec.Default with { TileRows = 128 }, ClusterSpec.Default).Kernel!;
        Assert.Equal(0, kernel.Rank);
        var cases = new[] { new KernelCase(kernel, KernelInputs.Random(kernel, 11, 8, 4), 3) };
        AssertNoDifferences(KernelCrossCheck.Run(cases, Files(cases), KernelTarget.Host, WorkDirectory("rank0")), naive: true);
    }

    [Fact]
    public void EveryAdaptedLayerOfAModelChecksOnTheHostWithItsOwnAdapter()
    {
        using var model = new Ahwa.Runtime.Tests.Training.TinyClassifier(seed: 3);
        foreach (var layer in model.AnalogLayers)
            using (TorchSharp.torch.no_grad()) layer.LoraB!.weight!.normal_(0, 0.05); // B starts at zero; make the check see it
        var cases = ModelKernelCases.Create(model, tokens: 5, seed: 9);
        Assert.Equal(model.AnalogLayers.Select(l => l.Spec.Name), cases.Select(c => c.Kernel.LayerName));
        var hidden = model.AnalogLayers[0];
        var a = hidden.LoraA!.weight!.detach().t().contiguous().data<float>().ToArray();
        Assert.Equal(a.Select(Fp16.FromSingle), cases[0].Inputs.LoraA);
        var b = hidden.LoraB!.weight!.detach().t().contiguous().data<float>().ToArray();
        Assert.Equal(b.Select(Fp16.FromSingle), cases[0].Inputs.LoraB);
        Assert.Contains(cases[0].Inputs.LoraB, h => h != 0);
        AssertNoDifferences(KernelCrossCheck.Run(cases, Ahwa.Runtime.Tests.Training.TinyClassifier.Artifacts, KernelTarget.Host, WorkDirectory("model")), naive: true);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelKernelCases.Create(model, 0, 1));
    }
}
