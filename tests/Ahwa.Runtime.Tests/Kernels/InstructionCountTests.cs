using System;
using System.IO;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Ahwa.Lab.Kernels;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Kernels;

/// <summary>Dynamic instruction counts under qemu-riscv64 (deterministic, so they can be asserted).</summary>
public class InstructionCountTests
{
    readonly ITestOutputHelper output;

    public InstructionCountTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void TheTiledKernelNeedsAtLeastThreeTimesFewerInstructionsThanTheNaiveLoops()
    {
        var layer = new LayerSpec("count.dense", LayerKind.Analog, 384, 384, true, LoraSpec.Default);
        var kernel = MemoryPlanner.Plan(layer, ChipSpec.Default, ClusterSpec.Default).Kernel!;
        var directory = Path.Combine(Path.GetTempPath(), "ahwa-icount-" + Guid.NewGuid().ToString("N")[..8]);
        var counts = InstructionCounter.Measure(kernel, KernelArtifacts.ClusterFiles(new[] { kernel }, kernel.L1Bytes), KernelInputs.Random(kernel, 16, 8, 3), directory);
        output.WriteLine($"down {counts.Down.InstructionsPerMac:F2}, up {counts.Up.InstructionsPerMac:F2}, with setup {counts.LoraInstructionsPerMacWithSetup:F2}, " +
                         $"naive {counts.NaiveInstructionsPerMac:F2} instructions per MAC; {counts.Speedup:F2}x");
        Assert.Equal(16L * 384 * 8, counts.Down.MultiplyAccumulates);
        // Every multiply-accumulate is at least one instruction; the naive loops spend several on loads and conversions.
        Assert.True(counts.Down.InstructionsPerMac >= 1 && counts.Up.InstructionsPerMac >= 1);
        Assert.True(counts.NaiveDown.Instructions > 0 && counts.NaiveUp.Instructions > 0);
        Assert.True(counts.Speedup >= 3, $"only {counts.Speedup:F2}x fewer instructions than the naive baseline");
        Directory.Delete(directory, recursive: true);
    }
}
