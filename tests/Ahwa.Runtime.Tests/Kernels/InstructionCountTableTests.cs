using System;
using System.IO;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Ahwa.Lab.Kernels;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Kernels;

/// <summary>The README's instruction-count table (one core, 64 tokens, rank 8), rounded up to two decimals, so a kernel change that costs
/// instructions shows up as a failure rather than a stale table. The naive baseline is not run here (it would triple the
/// traced instructions); InstructionCountTests holds the kernel against it.</summary>
public class InstructionCountTableTests
{
    readonly ITestOutputHelper output;

    public InstructionCountTableTests(ITestOutputHelper output) => this.output = output;

    [Theory]
    [InlineData(384, 384, 2.96)]
    [InlineData(384, 1536, 3.46)]
    [InlineData(1536, 384, 2.83)]
    public void KernelInstructionsPerMacStayAtOrBelowTheReadmeTable(int ins, int outs, double withSetup)
    {
        var layer = new LayerSpec("table.dense", LayerKind.Analog, ins, outs, true, LoraSpec.Default);
        var kernel = MemoryPlanner.Plan(layer, ChipSpec.Default, ClusterSpec.Default).Kernel!;
        var directory = Path.Combine(Path.GetTempPath(), "ahwa-icount-" + Guid.NewGuid().ToString("N")[..8]);
        var counts = InstructionCounter.Measure(kernel, KernelArtifacts.ClusterFiles(new[] { kernel }, kernel.L1Bytes), KernelInputs.Random(kernel, 64, 8, 3), directory, naive: false);
        output.WriteLine($"{ins}x{outs} tile {kernel.TokenTile}: down {counts.Down.InstructionsPerMac:F3}, up {counts.Up.InstructionsPerMac:F3}, " +
                         $"with setup {counts.LoraInstructionsPerMacWithSetup:F3}");
        Assert.True(counts.LoraInstructionsPerMacWithSetup <= withSetup, $"{counts.LoraInstructionsPerMacWithSetup:F3} instructions per MAC, the table says {withSetup}");
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>The engine kernel's de-scale phase on the cores, per output element (the latency model's
    /// <c>DescaleInstructionsPerOutput</c> and <c>DescaleInstructionsPerBlock</c>); the engine jobs are not counted,
    /// their C is an emulation.</summary>
    [Theory]
    [InlineData(384, 384, 512, 13.1)]
    [InlineData(384, 384, 128, 21.1)]
    public void EngineKernelDescaleInstructionsPerOutputStayAtOrBelowTheLatencyModel(int ins, int outs, int tileRows, double perOutput)
    {
        var layer = new LayerSpec("engine.dense", LayerKind.Analog, ins, outs, true, LoraSpec.Default);
        var kernel = MemoryPlanner.Plan(layer, ChipSpec.Default with { TileRows = tileRows }, ClusterSpec.Default with { MatrixEngine = true }).Kernel!;
        var directory = Path.Combine(Path.GetTempPath(), "ahwa-icount-" + Guid.NewGuid().ToString("N")[..8]);
        var counts = InstructionCounter.Measure(kernel, KernelArtifacts.ClusterFiles(new[] { kernel }, kernel.L1Bytes), KernelInputs.Random(kernel, 16, 8, 3), directory, naive: false);
        output.WriteLine($"{ins}x{outs}, {kernel.InputBlocks} blocks: de-scale {counts.DescaleInstructionsPerOutput:F3} instructions per output");
        Assert.True(counts.DescaleInstructionsPerOutput <= perOutput, $"{counts.DescaleInstructionsPerOutput:F3} instructions per output, the model says {perOutput}");
        Directory.Delete(directory, recursive: true);
    }
}
