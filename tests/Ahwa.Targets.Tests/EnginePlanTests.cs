using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;

namespace Ahwa.Targets.Tests;

/// <summary>The memory planner's FP16 working sets and the engine kernel's plan and files.</summary>
public class EnginePlanTests
{
    static LayerSpec Layer(int ins, int outs, int rank) => new("m.dense", LayerKind.Analog, ins, outs, true, new LoraSpec(rank, 4 * rank, 0));

    [Theory]
    // 2 (in r + r out + T in + T r + T out) bytes: the paper's figures.
    [InlineData(128, 128, 128, 71680)]  // 70.0 KiB
    [InlineData(512, 128, 128, 176128)] // 172.0 KiB
    [InlineData(128, 128, 8, 8320)]     // 8.1 KiB
    [InlineData(512, 128, 8, 20608)]    // 20.1 KiB
    public void ThePapersAccountingByHand(int ins, int outs, int tokens, long bytes)
    {
        Assert.Equal(bytes, MemoryPlanner.PaperWorkingSet(ins, outs, 8, tokens));
    }

    [Fact]
    public void EngineKernelWorkingSetsByHand()
    {
        var engine = ClusterSpec.Default with { MatrixEngine = true };
        // 128 x 128, rank 8, one block: resident A 2048 + s B 2048 (FP16) + bias 512 + column scale 512 (FP32) = 5120;
        // per token x 2 x 256 + codes 2 x 256 + input scale 2 x 4 + h 16 + y 256 = 1304 (all multiples of 8).
        var layer = Layer(128, 128, 8);
        Assert.Equal(5120 + 1304, MemoryPlanner.WorkingSet(layer, ChipSpec.Default, engine, 1));
        Assert.Equal(5120 + 64 * 1304, MemoryPlanner.WorkingSet(layer, ChipSpec.Default, engine, 64));
        var plan = MemoryPlanner.Plan(layer, ChipSpec.Default, engine).Kernel!;
        Assert.True(plan.MatrixEngine);
        Assert.Equal(64, plan.TokenTile);
        Assert.Equal(5120 + 64 * 1304, plan.L1Used);
        Assert.Equal(2 * 128 * 8, plan.Buffer("a").Bytes);
        // The scalar kernel keeps A, s B and h in FP32.
        var scalar = MemoryPlanner.Plan(layer, ChipSpec.Default, ClusterSpec.Default).Kernel!;
        Assert.Equal(4 * 128 * 8, scalar.Buffer("a").Bytes);
        Assert.Equal(scalar.L1Used, MemoryPlanner.WorkingSet(layer, ChipSpec.Default, ClusterSpec.Default, scalar.TokenTile));
        // 512 x 128 at 32 tokens: resident 8192 + 2048 + 1024 = 11264; per token 2048 + 512 + 8 + 16 + 256 = 2840.
        var wide = MemoryPlanner.Plan(Layer(512, 128, 8), ChipSpec.Default, engine).Kernel!;
        Assert.Equal(32, wide.TokenTile);
        Assert.Equal(11264 + 32 * 2840, wide.L1Used);
    }

    [Fact]
    public void EngineKernelsShipTheEmulationAndTheEngineTemplates()
    {
        var engine = MemoryPlanner.Plan(Layer(64, 48, 4), ChipSpec.Default, ClusterSpec.Default with { MatrixEngine = true }).Kernel!;
        var files = KernelArtifacts.ClusterFiles(new[] { engine }, engine.L1Bytes);
        Assert.Contains(files, f => f.Path == CFiles.EngineHeader);
        var source = files.Single(f => f.Path == engine.Symbol + ".c").Text;
        Assert.Contains("ahwa_engine_gemm", source);
        Assert.Contains(engine.Symbol + "_descale", source);
        Assert.DoesNotContain("{{", source);
        var scalar = MemoryPlanner.Plan(Layer(64, 48, 4), ChipSpec.Default, ClusterSpec.Default).Kernel!;
        Assert.DoesNotContain(KernelArtifacts.ClusterFiles(new[] { scalar }, scalar.L1Bytes), f => f.Path == CFiles.EngineHeader);
    }

    [Fact]
    public void EngineGeometryFollowsRedMulEsRule()
    {
        Assert.Empty(HardwareRules.Check(ClusterSpec.Default with { MatrixEngine = true }));
        Assert.Equal(32, ClusterSpec.Default.EngineFmas);
        // ARRAY_WIDTH at most ARRAY_HEIGHT x PIPE_REGS: 12 is the largest for 4 x 3.
        Assert.Empty(HardwareRules.Check(ClusterSpec.Default with { EngineWidth = 12 }));
        var violation = Assert.Single(HardwareRules.Check(ClusterSpec.Default with { EngineWidth = 13 }));
        Assert.Equal("EngineWidth", violation.Name);
        Assert.Contains("EngineHeight x EnginePipeRegs", violation.Message);
        Assert.Single(HardwareRules.Check(ClusterSpec.Default with { EngineHeight = 0 }));
    }
}
