using System;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Pipeline;
using Ahwa.Runtime.Tests.Training;

namespace Ahwa.Runtime.Tests.Pipeline;

public class LatencyModelTests
{
    /// <summary>Round numbers so the formulas can be checked by hand: 1 GHz, 1 core, 1 lane, 1 instruction per MAC,
    /// no add-back or phase cost, a DMA too fast to matter.</summary>
    static readonly ClusterTiming Simple = new(ClockGHz: 1, Cores: 1, SimdLanes: 1, InstructionsPerMac: 1, AddBackInstructionsPerOutput: 0,
        DmaBytesPerCycle: 1e9, PhaseOverheadCycles: 0);

    [Fact]
    public void StageTimesByHand()
    {
        // 100 -> 50, rank 2, 4 tokens at 200 ns: analog 4 x 200 = 800 ns; digital 4 x (100 + 50) x 2 = 1200 cycles = 1200 ns.
        var l = LatencyModel.Layer(100, 50, 2, 512, 4, new AnalogTiming(200), Simple);
        Assert.Equal(800, l.AnalogNs, 6);
        Assert.Equal(1200, l.DigitalNs, 6);
        Assert.Equal(2000, l.Sequential.TotalNs, 6);
        // Blocks of 1: fill 200, three steps of max(200, 300), drain 300 = 1400.
        Assert.Equal(1400, l.Strategies.Single(s => s.Strategy == PipelineStrategy.TokenPipelined && s.BlockTokens == 1).TotalNs, 6);
        // Blocks of 2 (two blocks): 400 + max(400, 600) + 600 = 1600.
        Assert.Equal(1600, l.Strategies.Single(s => s.Strategy == PipelineStrategy.TokenPipelined && s.BlockTokens == 2).TotalNs, 6);
        // Parallel branches: max(800, 1200) + 0 add-back.
        Assert.Equal(1200, l.Strategies.Single(s => s.Strategy == PipelineStrategy.ParallelBranches).TotalNs, 6);
        Assert.Equal(PipelineStrategy.ParallelBranches, l.Best.Strategy);
        Assert.Equal(0.5, l.Overhead, 6);
    }

    [Fact]
    public void BoundManagementRerunsLengthenTheAnalogStage()
    {
        var l = LatencyModel.Layer(100, 50, 2, 512, 4, new AnalogTiming(200, BoundManagementReruns: 0.5), Simple);
        Assert.Equal(1200, l.AnalogNs, 6);
    }

    [Fact]
    public void MoreCoresAreNeverSlowerAndLongerIntegrationIsNeverFaster()
    {
        foreach (var (ins, outs) in new[] { (128, 128), (512, 128), (384, 1536) })
            foreach (int tokens in new[] { 1, 7, 64, 128 })
            {
                double previous = double.MaxValue;
                foreach (int cores in new[] { 1, 2, 4, 8, 16 })
                {
                    var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(), new ClusterTiming(Cores: cores));
                    Assert.True(l.DigitalNs <= previous + 1e-9);
                    Assert.True(l.Best.TotalNs <= l.Sequential.TotalNs + 1e-9);
                    previous = l.DigitalNs;
                }
                double analog = 0;
                foreach (double t in new[] { 128.0, 256.0, 512.0 })
                {
                    var l = LatencyModel.Layer(ins, outs, 8, 512, tokens, new AnalogTiming(t), new ClusterTiming());
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
