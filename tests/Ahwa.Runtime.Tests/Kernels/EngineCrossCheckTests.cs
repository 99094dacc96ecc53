using System;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Kernels;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Kernels;

/// <summary>The matrix-engine kernels (FP16 engine jobs emulated in C, de-scale on the cores) against the managed
/// reference, bit for bit, on the host, rv64gc (where the emulation is Zfh's own fmadd.h) and rv32imafc.</summary>
public class EngineCrossCheckTests : IDisposable
{
    readonly ITestOutputHelper output;

    public EngineCrossCheckTests(ITestOutputHelper output) => this.output = output;

    // Each test's build folders go when it ends (a bench folder holds up to 20 MB of objects and case files).
    readonly System.Collections.Generic.List<string> folders = new();

    string WorkDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "ahwa-engine", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        folders.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var folder in folders)
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void HostBuildMatchesTheReferenceOnRandomEngineLayers()
    {
        var cases = Enumerable.Range(3000, 30).Select(i => KernelCrossCheckTests.RandomCase(i, 11, 700, 40, engine: true)).ToList();
        Assert.All(cases, c => Assert.True(c.Kernel.MatrixEngine));
        Assert.Contains(cases, c => c.Kernel.InputBlocks > 1);
        KernelCrossCheckTests.AssertNoDifferences(output, KernelCrossCheck.Run(cases, KernelCrossCheckTests.Files(cases), KernelTarget.Host, WorkDirectory("host")), naive: true);
    }

    [Fact]
    public void Rv64UnderQemuMatchesTheReferenceWithHardwareFp16Fma()
    {
        var cases = Enumerable.Range(4000, 20).Select(i => KernelCrossCheckTests.RandomCase(i, 12, 400, 16, engine: true)).ToList();
        KernelCrossCheckTests.AssertNoDifferences(output, KernelCrossCheck.Run(cases, KernelCrossCheckTests.Files(cases), KernelTarget.Rv64, WorkDirectory("rv64")), naive: true);
    }

    [Fact]
    public void Rv32BareMetalUnderQemuMatchesTheReference()
    {
        var cases = Enumerable.Range(5000, 20).Select(i => KernelCrossCheckTests.RandomCase(i, 13, 300, 12, engine: true)).ToList();
        KernelCrossCheckTests.AssertNoDifferences(output, KernelCrossCheck.Run(cases, KernelCrossCheckTests.Files(cases), KernelTarget.Rv32, WorkDirectory("rv32")), naive: true);
    }

    [Fact]
    public void OneToEightCoresGiveIdenticalBitsAndDifferFromTheFp32Kernel()
    {
        var chip = ChipSpec.Default with { TileRows = 128, TileCols = 128 };
        var layer = new LayerSpec("cores.dense", LayerKind.Analog, 300, 200, true, new LoraSpec(8, 32, 0));
        var kernel = MemoryPlanner.Plan(layer, chip, ClusterSpec.Default with { MatrixEngine = true }).Kernel!;
        var inputs = KernelInputs.Random(kernel, 37, 8, 5);
        var cases = Enumerable.Range(1, 8).Select(cores => new KernelCase(kernel, inputs, cores)).ToList();
        var results = KernelCrossCheck.Run(cases, KernelCrossCheckTests.Files(cases), KernelTarget.Host, WorkDirectory("cores"), checkNaive: false);
        KernelCrossCheckTests.AssertNoDifferences(output, results, naive: false);
        Assert.Equal(8, results.Count);
        // The FP16 engine rounds after every step, so its outputs are not the FP32 kernel's.
        var scalar = MemoryPlanner.Plan(layer, chip, ClusterSpec.Default).Kernel!;
        Assert.NotEqual(DigitalReference.Forward(scalar, inputs), DigitalReference.Forward(kernel, inputs));
    }

    [Fact]
    public void ALayerWithoutAnAdapterChecksOnTheHost()
    {
        var layer = new LayerSpec("plain.dense", LayerKind.Analog, 300, 70, true, null);
        var kernel = MemoryPlanner.Plan(layer, ChipSpec.Default with { TileRows = 128 }, ClusterSpec.Default with { MatrixEngine = true }).Kernel!;
        var cases = new[] { new KernelCase(kernel, KernelInputs.Random(kernel, 11, 8, 4), 3) };
        KernelCrossCheckTests.AssertNoDifferences(output, KernelCrossCheck.Run(cases, KernelCrossCheckTests.Files(cases), KernelTarget.Host, WorkDirectory("rank0")), naive: true);
    }
}
