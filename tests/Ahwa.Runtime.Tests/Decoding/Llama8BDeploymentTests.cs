using System;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Kernels;
using Ahwa.Lab.Pipeline;
using Llama3;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>Issue 16, item 4: LLaMA-3.1-8B deployed, from its generated plan alone (the model is never built: its
/// 8 B parameters would take 32 GB): tiles at 512 x 512 and 256 x 256, the four shared LoRA kernels through the memory
/// planner and the host cross-check, and the pipeline report per layer.</summary>
public class Llama8BDeploymentTests
{
    readonly ITestOutputHelper output;

    public Llama8BDeploymentTests(ITestOutputHelper output) => this.output = output;

    static readonly (string Name, int In, int Out)[] Projections =
    [
        ("self_attn.q_proj", 4096, 4096), ("self_attn.k_proj", 4096, 1024), ("self_attn.v_proj", 4096, 1024), ("self_attn.o_proj", 4096, 4096),
        ("mlp.gate_proj", 4096, 14336), ("mlp.up_proj", 4096, 14336), ("mlp.down_proj", 14336, 4096),
    ];

    /// <summary>By hand: a layer of in x out takes ceil(in / rows) x ceil(out / cols) tiles. At 512: q and o 8 x 8 = 64,
    /// k and v 8 x 2 = 16, gate and up 8 x 28 = 224, down 28 x 8 = 224; 832 per layer, 26624 for 32 layers. At 256:
    /// 256, 64, 896: 3328 per layer, 106496. Every size is a multiple of the tile, so every tile is full.</summary>
    [Theory]
    [InlineData(512, 26624)]
    [InlineData(256, 106496)]
    public void TileCountsAreTheHandCountedOnes(int tile, int total)
    {
        var (spec, plan) = tile == 512 ? (Llama31_8B.Spec, Llama31_8B.Plan) : (Llama31_8BOn256.Spec, Llama31_8BOn256.Plan);
        int Blocks(int n) => (n + tile - 1) / tile;
        Assert.Equal(total, 32 * Projections.Sum(p => Blocks(p.In) * Blocks(p.Out)));
        Assert.Equal(total, plan.TileMap.TilesUsed);
        Assert.Equal(224, spec.Layers.Count(l => l.IsAnalog));
        foreach (var (name, ins, outs) in Projections)
        {
            var tiles = plan.TileMap.Layer("model.layers.17." + name);
            Assert.Equal(Blocks(ins) * Blocks(outs), tiles.TileCount);
            Assert.Equal(1.0, tiles.Utilisation(plan.TileMap.Geometry));
        }
        Assert.Equal(1.0, plan.TileMap.Utilisation);
        // The embeddings and the LM head stay digital: no tiles, no adapter (the paper's 0.52 % is the seven projections).
        Assert.DoesNotContain(spec.Layers, l => l.Name.Contains("lm_head", StringComparison.Ordinal) || l.Name.Contains("embed", StringComparison.Ordinal));
        Assert.Equal(32L * Projections.Sum(p => 16L * (p.In + p.Out)), spec.Layers.Sum(l => l.LoraParameterCount));
        output.WriteLine($"{tile} x {tile}: {plan.TileMap.TilesUsed} tiles, utilisation {plan.TileMap.Utilisation:P0}, LoRA parameters {spec.Layers.Sum(l => l.LoraParameterCount)}");
    }

    [Fact]
    public void TheFourSharedKernelsFitTheirL1AndMatchTheReferenceOnTheHost()
    {
        var plan = Llama31_8B.Plan;
        Assert.Equal(new[] { "ahwa_14336x4096_r16", "ahwa_4096x1024_r16", "ahwa_4096x14336_r16", "ahwa_4096x4096_r16" },
            plan.Kernels.Select(k => k.Symbol).OrderBy(s => s, StringComparer.Ordinal).ToArray());
        Assert.Equal(224, plan.Layers.Count);
        Assert.Equal("ahwa_4096x1024_r16", plan.KernelOf("model.layers.31.self_attn.v_proj").Symbol);
        foreach (var k in plan.Kernels)
        {
            output.WriteLine($"{k.Symbol}: {k.InputBlocks} input blocks, token tile {k.TokenTile}, L1 {k.L1Used} of {k.L1Bytes} bytes");
            Assert.True(k.L1Used <= k.L1Bytes, $"{k.Symbol} uses {k.L1Used} bytes of {k.L1Bytes}");
            // The planner picks the largest token tile that fits: twice it would not.
            if (k.TokenTile < MemoryPlanner.MaxTokenTile)
                Assert.True(MemoryPlanner.WorkingSet(Llama31_8B.Spec.Layers.First(l => l.Name == plan.Layers.First(e => e.Kernel == k.Symbol).Layer),
                    Llama31_8B.Spec.Chip, Llama31_8B.Spec.Cluster, k.TokenTile * 2) > k.L1Bytes);
        }
        // Two tokens per kernel keep the check to seconds; the LoRA matrices, inputs and ADC codes are seeded at random.
        var cases = ModelKernelCases.FromPlan(Llama31_8B.Spec, plan, tokens: 2, seed: 7);
        Assert.Equal(4, cases.Count);
        var directory = Directory.CreateTempSubdirectory("ahwa-llama8b-kernels-").FullName;
        try
        {
            var results = KernelCrossCheck.Run(cases, Llama31_8B.Artifacts, KernelTarget.Host, directory, checkNaive: false);
            Assert.Equal(4, results.Count);
            foreach (var r in results)
            {
                output.WriteLine($"{r.Case.Kernel.Symbol}: {r.Differences} of {r.Elements} outputs differ from the managed reference");
                Assert.True(r.Elements == 2 * r.Case.Kernel.OutFeatures && r.Differences == 0, $"{r.Case.Kernel.Symbol}: {r.Differences} of {r.Elements} differ");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>`ahwa deploy Llama31_8B` and `ahwa report Llama31_8B` on the sample's assembly: the deploy command checks
    /// the kernels from the plan (it cannot build 8 B parameters here) and the report lists every layer.</summary>
    [Fact]
    public void TheDeployAndReportCommandsRunOnTheEightBillionParameterModel()
    {
        var folder = Directory.CreateTempSubdirectory("ahwa-llama8b-deploy-").FullName;
        try
        {
            string assembly = typeof(Llama31_8B).Assembly.Location;
            var (code, stdout, stderr) = Command(["deploy", "Llama31_8B", "--assembly", assembly, "--out", Path.Combine(folder, "deploy"), "--json"]);
            Assert.True(code == 0, stderr);
            var deployed = System.Text.Json.JsonDocument.Parse(stdout).RootElement[0];
            Assert.Equal(Llama31_8B.Artifacts.Count, deployed.GetProperty("files").GetInt32());
            Assert.Equal(4, deployed.GetProperty("checkedLayers").GetInt32());
            Assert.Equal(0, deployed.GetProperty("differences").GetInt64());
            Assert.True(File.Exists(Path.Combine(folder, "deploy", "tile_map.json")));
            (code, _, stderr) = Command(["report", "Llama31_8B", "--assembly", assembly, "--out", Path.Combine(folder, "report")]);
            Assert.True(code == 0, stderr);
            Assert.Contains("model.layers.31.mlp.down_proj", File.ReadAllText(Path.Combine(folder, "report", "report.md")), StringComparison.Ordinal);
            output.WriteLine($"deploy: {deployed}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    static (int Code, string Output, string Error) Command(string[] args)
    {
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Ansi = Spectre.Console.AnsiSupport.No,
            Interactive = Spectre.Console.InteractionSupport.No,
            Out = new Spectre.Console.AnsiConsoleOutput(new StringWriter()),
        });
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = global::Ahwa.Lab.CommandLine.AhwaCli.Run(args, console: console, output: stdout, error: stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void ThePipelineReportHasEveryLayerAndTheDecoderLayerSchedule()
    {
        var report = DeploymentReport.Build(Llama31_8B.Spec, Llama31_8B.Plan, tokens: 128);
        Assert.Equal(224, report.Layers.Count);
        Assert.Equal(26624, report.Layers.Sum(l => l.Tiles));
        Assert.Equal(41_943_040, report.LoraParameters);
        var down = report.Layers.Single(l => l.Layer == "model.layers.31.mlp.down_proj");
        Assert.Equal(224, down.Tiles);
        Assert.Equal(16L * (14336 + 4096), down.LoraParameters);
        Assert.True(report.TotalNs > report.AllAnalogNs, "the LoRA branch must cost something");
        var markdown = report.ToMarkdown();
        Assert.Contains("model.layers.0.self_attn.k_proj", markdown);
        var layer = EncoderLayerModel.Layer(EncoderShape.Llama31_8B, rank: 16, tokens: 128, new AnalogTiming(), ClusterTiming.From(Llama31_8B.Spec.Cluster));
        output.WriteLine($"all 224 layers at 128 tokens: {report.TotalNs / 1e3:F1} us hybrid, {report.AllAnalogNs / 1e3:F1} us all-analog ({report.Overhead:P1}); " +
                         $"one decoder layer: {layer.HybridNs / 1e3:F1} us with attention {layer.AttentionNs / 1e3:F1} us, overhead {layer.Overhead:P1}");
        Assert.True(layer.HybridNs > layer.AllAnalogNs + layer.AttentionNs && layer.AttentionNs > 0);
    }
}
