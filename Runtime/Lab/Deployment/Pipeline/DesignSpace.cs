using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Pipeline;

/// <summary>One point of a sweep: the swept value and each distinct layer shape's best overhead there.</summary>
public sealed record SweepPoint(double Value, IReadOnlyList<double> Overheads);

/// <summary>A sweep of one parameter over an encoder's distinct layer shapes.</summary>
public sealed record Sweep(string Parameter, string Unit, IReadOnlyList<string> Shapes, IReadOnlyList<SweepPoint> Points);

/// <summary>The cheapest digital capacity that keeps every layer of an encoder at or under the overhead target.</summary>
public sealed record CheapestConfiguration(double IntegrationNs, int ClustersPerLayer, int BlockTokens, double WorstLayerOverhead, EncoderLayerLatency Encoder);

/// <summary>The design space of an encoder on the hybrid pipeline (docs/pipeline.md): overhead per layer shape against
/// rank, tokens per block, integration time and clusters (engines) per layer, with the parameter set stated; and the
/// cheapest configuration reaching the target. Defaults: rank 8, 128 tokens, 256 ns, one cluster per layer.</summary>
public static class DesignSpace
{
    public const double Target = 0.05;
    public static readonly IReadOnlyList<int> Ranks = new[] { 1, 2, 4, 8, 16, 32, 64 };
    public static readonly IReadOnlyList<int> BlockSizes = new[] { 1, 2, 4, 8, 16, 32, 64, 128 };
    public static readonly IReadOnlyList<double> IntegrationTimes = new[] { 128.0, 192.0, 256.0, 384.0, 512.0 };
    public static readonly IReadOnlyList<int> Clusters = new[] { 1, 2, 3, 4, 6, 8 };

    static IReadOnlyList<(int In, int Out)> Shapes(EncoderShape encoder) => encoder.Linears.Select(l => (l.InFeatures, l.OutFeatures)).Distinct().ToList();

    static double Overhead(int ins, int outs, int rank, int tokens, double t, ClusterTiming c, int? block = null)
    {
        var l = LatencyModel.Layer(ins, outs, rank, 512, tokens, new AnalogTiming(t), c);
        if (block is null) return l.Overhead;
        int b = Math.Min(block.Value, tokens);
        return l.Strategies.Where(s => s.Strategy == PipelineStrategy.ParallelBranches && s.BlockTokens == b).Min(s => s.TotalNs) / l.AnalogNs - 1;
    }

    public static IReadOnlyList<Sweep> Sweeps(EncoderShape encoder, ClusterTiming cluster, int tokens = 128)
    {
        var shapes = Shapes(encoder);
        var names = shapes.Select(s => $"{s.In} x {s.Out}").ToList();
        Sweep Make(string parameter, string unit, IEnumerable<double> values, Func<(int In, int Out), double, double> overhead) =>
            new(parameter, unit, names, values.Select(v => new SweepPoint(v, shapes.Select(s => overhead(s, v)).ToList())).ToList());
        return new[]
        {
            Make("rank", "", Ranks.Select(r => (double)r), (s, r) => Overhead(s.In, s.Out, (int)r, tokens, 256, cluster)),
            Make("tokens per block", "", BlockSizes.Select(b => (double)b), (s, b) => Overhead(s.In, s.Out, 8, tokens, 256, cluster, (int)b)),
            Make("integration time", "ns", IntegrationTimes, (s, t) => Overhead(s.In, s.Out, 8, tokens, t, cluster)),
            Make("clusters per layer", "", Clusters.Select(c => (double)c), (s, c) => Overhead(s.In, s.Out, 8, tokens, 256, cluster with { ClustersPerLayer = (int)c })),
        };
    }

    /// <summary>For each integration time, the fewest clusters per layer (up to 16) with every layer shape at or under
    /// <see cref="Target"/>; null where none reaches it.</summary>
    public static IReadOnlyList<CheapestConfiguration?> Cheapest(EncoderShape encoder, ClusterTiming cluster, int tokens = 128, int rank = 8)
    {
        var results = new List<CheapestConfiguration?>();
        foreach (double t in new[] { 128.0, 256.0, 512.0 })
        {
            CheapestConfiguration? found = null;
            for (int clusters = 1; clusters <= 16 && found is null; clusters++)
            {
                var c = cluster with { ClustersPerLayer = clusters };
                var layers = Shapes(encoder).Select(s => LatencyModel.Layer(s.In, s.Out, rank, 512, tokens, new AnalogTiming(t), c)).ToList();
                double worst = layers.Max(l => l.Overhead);
                if (worst <= Target)
                    found = new CheapestConfiguration(t, clusters, layers.Max(l => l.Best.BlockTokens), worst, EncoderLayerModel.Layer(encoder, rank, tokens, new AnalogTiming(t), c));
            }
            results.Add(found);
        }
        return results;
    }

    public static string Markdown(EncoderShape encoder, ClusterTiming cluster, int tokens = 128)
    {
        var b = new StringBuilder();
        foreach (var sweep in Sweeps(encoder, cluster, tokens))
        {
            b.Append($"Overhead per layer against {sweep.Parameter} ({encoder.Name}, {tokens} tokens):\n\n| {sweep.Parameter} | ");
            b.Append(string.Join(" | ", sweep.Shapes)).Append(" |\n|---|").Append(string.Concat(sweep.Shapes.Select(_ => "---|"))).Append('\n');
            foreach (var p in sweep.Points)
                b.Append($"| {F(p.Value, "0.##")}{(sweep.Unit.Length > 0 ? " " + sweep.Unit : "")} | ").Append(string.Join(" | ", p.Overheads.Select(o => F(o * 100, "0.0") + " %"))).Append(" |\n");
            b.Append('\n');
        }
        b.Append($"Cheapest configuration with every layer at or under {F(Target * 100, "0")} % ({encoder.Name}, rank 8, {tokens} tokens):\n\n");
        b.Append("| t_int | clusters per layer | worst layer overhead | largest best block | encoder layer: hybrid ns | all-analog + attention ns | LoRA overhead |\n|---|---|---|---|---|---|---|\n");
        var times = new[] { 128.0, 256.0, 512.0 };
        var cheapest = Cheapest(encoder, cluster, tokens);
        for (int i = 0; i < times.Length; i++)
        {
            var c = cheapest[i];
            if (c is null) b.Append($"| {F(times[i], "0")} ns | more than 16 | | | | | |\n");
            else b.Append($"| {F(c.IntegrationNs, "0")} ns | {c.ClustersPerLayer} | {F(c.WorstLayerOverhead * 100, "0.0")} % | {c.BlockTokens} | {F(c.Encoder.HybridNs, "0")} | " +
                          $"{F(c.Encoder.AllAnalogNs + c.Encoder.AttentionNs, "0")} | {F(c.Encoder.Overhead * 100, "0.0")} % |\n");
        }
        return b.ToString();
    }

    /// <summary>A PNG per sweep: overhead (%) against the swept parameter, one line per layer shape.</summary>
    public static IReadOnlyList<string> Plots(EncoderShape encoder, ClusterTiming cluster, string directory, int tokens = 128)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var sweep in Sweeps(encoder, cluster, tokens))
        {
            var plot = new ScottPlot.Plot();
            for (int s = 0; s < sweep.Shapes.Count; s++)
            {
                var line = plot.Add.Scatter(sweep.Points.Select(p => p.Value).ToArray(), sweep.Points.Select(p => p.Overheads[s] * 100).ToArray());
                line.LegendText = sweep.Shapes[s];
            }
            plot.Title($"{encoder.Name}: overhead per layer vs {sweep.Parameter}");
            plot.XLabel(sweep.Parameter + (sweep.Unit.Length > 0 ? $" ({sweep.Unit})" : ""));
            plot.YLabel("overhead over all-analog (%)");
            plot.ShowLegend();
            string file = $"design-{encoder.Name.ToLowerInvariant().Replace(' ', '-')}-{sweep.Parameter.Replace(' ', '-')}.png";
            written.Add(PlotFiles.Save(plot, Path.Combine(directory, file)));
        }
        return written;
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
