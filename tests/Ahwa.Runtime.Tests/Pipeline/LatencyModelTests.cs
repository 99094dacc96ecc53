using System;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Pipeline;
using Ahwa.Runtime.Tests.Training;

namespace Ahwa.Runtime.Tests.Pipeline;

public class LatencyModelTests
{
    /// <summary>Round numbers so the formulas can be checked by hand: 1 GHz, 1 core, 1 lane, 1 instruction per MAC, no
    /// de-scale or barrier cost, a DMA too fast to matter (the scalar kernel: down and up both on the cores).</summary>
    static readonly ClusterTiming Simple = new(ClockGHz: 1, Cores: 1, SimdLanes: 1, DownInstructionsPerMac: 1, UpInstructionsPerMac: 1,
        DescaleInstructionsPerOutput: 0, DescaleInstructionsPerBlock: 0, DmaBytesPerCycle: 1e9, BarrierCycles: 0);

    [Fact]
    public void StrategiesByHand()
    {
        // 100 -> 50, rank 2, 4 tokens at 200 ns: analog 4 x 200 = 800 ns; per token down 100 x 2 = 200 ns, up 50 x 2 = 100 ns.
        var l = LatencyModel.Layer(100, 50, 2, 512, 4, new AnalogTiming(200), Simple);
        Assert.Equal(800, l.AnalogNs, 3);
        Assert.Equal(1200, l.DigitalNs, 3);
        Assert.Equal(2000, l.Sequential.TotalNs, 3);
        // Blocks of 1, down i after analog block i, the next down before the current up: down0 200-400, down1 400-600,
        // up0 600-700, down2 700-900, up1 900-1000, down3 1000-1200, up2 1200-1300, up3 1300-1400.
        Assert.Equal(1400, l.Strategies.Single(s => s.Strategy == PipelineStrategy.TokenPipelined && s.BlockTokens == 1).TotalNs, 3);
        // Parallel branches, one block: down 0-800 during the analog stage, then up 800-1200.
        Assert.Equal(1200, l.Strategies.Single(s => s.Strategy == PipelineStrategy.ParallelBranches && s.BlockTokens == 4).TotalNs, 3);
        // Blocks of 1, down then up in turn: down0 0-200, up0 200-300, down1 300-500, up1 500-600, ... up3 1100-1200.
        Assert.Equal(1200, l.Strategies.Single(s => s.Strategy == PipelineStrategy.ParallelBranches && s.BlockTokens == 1).TotalNs, 3);
        Assert.Equal(PipelineStrategy.ParallelBranches, l.Best.Strategy);
        Assert.Equal(0.5, l.Overhead, 6);
    }

    [Fact]
    public void EngineJobCyclesByHand()
    {
        var c = ClusterTiming.Paper; // 8 rows x 4 FMAs, 3 pipeline registers: a row computes 16 columns of Z
        // LoRA down, 128 tokens x 128 in x rank 8, issued as Z^T (8 x 128 x 128): 1 row tile x 8 column tiles x 32 steps of
        // 4 x 16 cycles = 4096; port 53248 bytes / 32 = 1664 below it; fill and drain 16; offload 10. The other orientation
        // (16 row tiles x 1 column tile, half the columns idle) would take 8192.
        Assert.Equal(4122, EngineModel.JobCycles(128, 128, 8, c), 6);
        Assert.Equal(4122, EngineModel.JobCycles(8, 128, 128, c), 6);
        // LoRA up, 128 x 8 x 128: 16 x 8 tiles x 2 steps x 16 = 4096; port 114688 / 32 = 3584; + 16 + 10.
        Assert.Equal(4122, EngineModel.JobCycles(128, 8, 128, c), 6);
        // A tiny job bound by the port: 8 x 4 x 16 computes in 16 cycles but moves 704 bytes (22 cycles); + 16 + 10.
        Assert.Equal(48, EngineModel.JobCycles(8, 4, 16, c), 6);
        // A large GEMM keeps the 32 FMAs busy (the RedMulE paper reports 31.6 MAC/cycle).
        double macs = EngineModel.MacsPerCycle(256, 256, 256, c);
        Assert.InRange(macs, 31.5, 32.0);
        Assert.Equal(0, EngineModel.JobCycles(8, 0, 8, c));
    }

    [Fact]
    public void BlockCostsByHand()
    {
        // 128 x 128, rank 8, 128 tokens on the engine, de-scale on 8 cores: 128 x 128 x (9 + 4 x 1) / 8 + 8 barrier = 26632;
        // DMA x 128 x 256 / 64 = 512, codes 128 x (256 + 4) / 64 = 520, y 512.
        var costs = LatencyModel.BlockCost(128, 128, 8, 1, 128, ClusterTiming.Paper with { TileDescales = false });
        Assert.Equal(new BlockCosts(4122, 26632, 4122, 512, 520, 512), costs);
        // The tiles de-scale (one input block): nothing left on the cores; codes become FP16 outputs.
        var paper = LatencyModel.BlockCost(128, 128, 8, 1, 128, ClusterTiming.Paper);
        Assert.Equal(new BlockCosts(4122, 0, 4122, 512, 512, 512), paper);
        // Two clusters share the block: 64 tokens each.
        var two = LatencyModel.BlockCost(128, 128, 8, 1, 128, ClusterTiming.Paper with { ClustersPerLayer = 2 });
        Assert.Equal(LatencyModel.BlockCost(128, 128, 8, 1, 64, ClusterTiming.Paper), two);
        // The scalar kernel: 128 x 128 x 8 x 2.01 / 8 + 8 down; 128 x 128 x (8 x 2.0 + 13) / 8 + 8 up (de-scale inside).
        var scalar = LatencyModel.BlockCost(128, 128, 8, 1, 128, new ClusterTiming());
        Assert.Equal(128 * 128 * 8 * 2.01 / 8 + 8, scalar.Down, 6);
        Assert.Equal(128 * 128 * (8 * 2.0 + 13) / 8.0 + 8, scalar.Up, 6);
        Assert.Equal(0, scalar.Descale);
    }

    [Fact]
    public void BoundManagementRerunsLengthenTheAnalogStage()
    {
        var l = LatencyModel.Layer(100, 50, 2, 512, 4, new AnalogTiming(200, BoundManagementReruns: 0.5), Simple);
        Assert.Equal(1200, l.AnalogNs, 6);
    }

    [Fact]
    public void MoreCoresClustersOrEngineRowsAreNeverSlowerAndTheBestIsNeverSlowerThanSequential()
    {
        foreach (var baseline in new[] { new ClusterTiming(), ClusterTiming.Paper, ClusterTiming.Paper with { TileDescales = false } })
            foreach (var (ins, outs) in new[] { (128, 128), (512, 128), (384, 1536), (1536, 384) })
                foreach (int tokens in new[] { 1, 7, 64, 128 })
                {
                    double previous = double.MaxValue, previousBest = double.MaxValue;
                    foreach (int cores in new[] { 1, 2, 4, 8, 16 })
                    {
                        var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(128), baseline with { Cores = cores });
                        Assert.True(l.DigitalNs <= previous + 1e-9);
                        Assert.True(l.Best.TotalNs <= previousBest + 1e-9);
                        Assert.True(l.Best.TotalNs <= l.Sequential.TotalNs + 1e-9);
                        previous = l.DigitalNs;
                        previousBest = l.Best.TotalNs;
                    }
                    previousBest = double.MaxValue;
                    foreach (int clusters in new[] { 1, 2, 3, 4, 8 })
                    {
                        var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(128), baseline with { ClustersPerLayer = clusters });
                        Assert.True(l.Best.TotalNs <= previousBest + 1e-9, $"{clusters} clusters per layer slower");
                        previousBest = l.Best.TotalNs;
                    }
                    previousBest = double.MaxValue;
                    foreach (int width in new[] { 1, 2, 4, 8, 12 })
                    {
                        var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(128), baseline with { EngineWidth = width });
                        Assert.True(l.Best.TotalNs <= previousBest + 1e-9, $"{width} engine rows slower");
                        previousBest = l.Best.TotalNs;
                    }
                    double analog = 0;
                    foreach (double t in new[] { 128.0, 256.0, 512.0 })
                    {
                        var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(t), baseline);
                        Assert.True(l.AnalogNs >= analog);
                        analog = l.AnalogNs;
                    }
                }
    }

    [Fact]
    public void InvalidParametersAreRejectedWithTheValue()
    {
        Assert.Contains("0", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 4, new AnalogTiming(), new ClusterTiming(Cores: 0))).Message);
        Assert.Contains("-5", Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 4, new AnalogTiming(-5), new ClusterTiming())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 0, new AnalogTiming(), new ClusterTiming()));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 4, new AnalogTiming(BoundManagementReruns: -1), new ClusterTiming()));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 4, new AnalogTiming(), new ClusterTiming(ClustersPerLayer: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LatencyModel.Layer(8, 8, 2, 512, 4, new AnalogTiming(), new ClusterTiming(EngineHeight: 0)));
    }

    [Fact]
    public void TheReportIsWellFormedAndStable()
    {
        var report = DeploymentReport.Build(TinyClassifier.Spec, TinyClassifier.Plan, tokens: 64);
        var markdown = report.ToMarkdown();
        Assert.Equal(markdown, DeploymentReport.Build(TinyClassifier.Spec, TinyClassifier.Plan, tokens: 64).ToMarkdown());
        var approved = Path.Combine(AppContext.BaseDirectory, "Pipeline", "TinyClassifier.report.md");
        Assert.True(File.Exists(approved), approved);
        Assert.Equal(File.ReadAllText(approved).Replace("\r\n", "\n"), markdown);
        using var json = System.Text.Json.JsonDocument.Parse(report.ToJson());
        Assert.Equal(2, json.RootElement.GetProperty("layers").GetArrayLength());
        Assert.Equal(report.TileMap.TilesUsed, json.RootElement.GetProperty("tilesUsed").GetInt32());
        Assert.True(report.Layers.All(l => l.Latency.Overhead >= 0));
    }

    [Fact]
    public void TheGeneratedPlanIsThePlannersPlanAndTheReportReadsIt()
    {
        // The emitted Plan must round-trip the planner's result exactly (floats, buffers, sharing).
        Assert.Equal(DeploymentPlanner.Plan(TinyClassifier.Spec).Plan, TinyClassifier.Plan);
        using var model = new TinyClassifier(seed: 1);
        Assert.Same(TinyClassifier.Plan, model.DeploymentPlan);
        var report = DeploymentReport.Build(TinyClassifier.Spec, TinyClassifier.Plan, tokens: 64);
        foreach (var layer in report.Layers)
            Assert.Equal(TinyClassifier.Plan.KernelOf(layer.Layer).L1Used, layer.L1Bytes);
        var error = Assert.Throws<ArgumentException>(() =>
            DeploymentReport.Build(TinyClassifier.Spec, TinyClassifier.Plan, 64, cluster: new ClusterTiming(L1KiB: TinyClassifier.Spec.Cluster.L1KiB * 2)));
        Assert.Contains("was made for", error.Message);
    }
}
