using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Lab.Pipeline;

/// <summary>One of the paper's layer shapes at one integration time, under one parameter set.</summary>
public sealed record PaperShapeRow(int InFeatures, int OutFeatures, double IntegrationNs, LayerLatency Latency, long PaperBytes8, long PaperBytes128,
    long KernelBytes, int KernelTokenTile);

/// <summary>The paper's layer shapes (MobileBERT's bottlenecks), which no model of this repository has: the one place
/// outside the generator that plans, because these layers are hypothetical.</summary>
public static class PaperShapes
{
    public static readonly IReadOnlyList<(int In, int Out)> Shapes = new[] { (128, 128), (512, 128) };
    public static readonly IReadOnlyList<double> IntegrationTimes = new[] { 128.0, 256.0, 512.0 };

    /// <summary>The paper's results (HARDWARE-MODEL.md): best case 4 % per layer, worst case up to 2.72x (512 x 128 at 128 ns).</summary>
    public const double PaperBestOverhead = 0.04, PaperWorstRatio = 2.72;

    public static IReadOnlyList<PaperShapeRow> Rows(ClusterTiming cluster, int tokens = 128, int rank = 8)
    {
        var rows = new List<PaperShapeRow>();
        var spec = new ClusterSpec(cluster.Cores, cluster.L1KiB, Dsl.ClusterDataType.Fp16, cluster.MatrixEngine, cluster.EngineWidth, cluster.EngineHeight, cluster.EnginePipeRegs);
        foreach (var (ins, outs) in Shapes)
        {
            var layer = new LayerSpec("paper", LayerKind.Analog, ins, outs, true, new LoraSpec(rank, 4 * rank, 0));
            var plan = MemoryPlanner.Plan(layer, ChipSpec.Default, spec);
            foreach (var t in IntegrationTimes)
                rows.Add(new PaperShapeRow(ins, outs, t, LatencyModel.Layer(ins, outs, rank, ChipSpec.Default.TileRows, tokens, new AnalogTiming(t), cluster),
                    MemoryPlanner.PaperWorkingSet(ins, outs, rank, 8), MemoryPlanner.PaperWorkingSet(ins, outs, rank, 128),
                    plan.Kernel?.L1Used ?? plan.BytesNeeded, plan.Kernel?.TokenTile ?? 0));
        }
        return rows;
    }

    /// <summary>The comparison table for one parameter set (Markdown).</summary>
    public static string Comparison(ClusterTiming? cluster = null, int tokens = 128, int rank = 8)
    {
        var b = new StringBuilder();
        b.Append("| layer | t_int | analog ns | digital ns | sequential | best strategy (block) | best overhead | paper memory 8 / 128 tokens | Ahwa kernel L1 (token tile) |\n");
        b.Append("|---|---|---|---|---|---|---|---|---|\n");
        foreach (var r in Rows(cluster ?? ClusterTiming.Paper, tokens, rank))
        {
            var l = r.Latency;
            b.Append($"| {r.InFeatures} x {r.OutFeatures} | {F(r.IntegrationNs, "0")} ns | {F(l.AnalogNs, "0")} | {F(l.DigitalNs, "0")} | {F(l.SequentialRatio, "0.00")}x | ");
            b.Append($"{l.Best.Strategy} ({l.Best.BlockTokens}) | {F(l.Overhead * 100, "0.0")} % | {F(r.PaperBytes8 / 1024.0, "0.0")} / {F(r.PaperBytes128 / 1024.0, "0.0")} KiB | ");
            b.Append($"{F(r.KernelBytes / 1024.0, "0.0")} KiB ({r.KernelTokenTile}) |\n");
        }
        return b.ToString();
    }

    internal static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
