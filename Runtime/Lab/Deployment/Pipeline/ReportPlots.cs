using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Pipeline;

/// <summary>PNG plots of the latency model for each distinct analog layer shape of a model: overhead over an
/// all-analog layer versus integration time (one line per token count) and versus token count (one line per
/// integration time).</summary>
public static class ReportPlots
{
    public static readonly IReadOnlyList<double> IntegrationTimes = new[] { 128.0, 192.0, 256.0, 384.0, 512.0 };
    public static readonly IReadOnlyList<int> TokenCounts = new[] { 1, 8, 16, 32, 64, 128, 256 };

    public static IReadOnlyList<string> Write(ModelSpec model, string directory, ClusterTiming? cluster = null)
    {
        cluster ??= ClusterTiming.From(model.Cluster);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var shapes = model.Layers.Where(l => l.IsAnalog).Select(l => (l.InFeatures, l.OutFeatures, Rank: l.Lora?.Rank ?? 0)).Distinct().ToList();
        foreach (var (ins, outs, rank) in shapes)
        {
            string name = $"{ins}x{outs}_r{rank}";
            double Overhead(double t, int tokens) => 100 * LatencyModel.Layer(ins, outs, rank, model.Chip.TileRows, tokens, new AnalogTiming(t), cluster).Overhead;

            var byIntegration = new ScottPlot.Plot();
            foreach (int tokens in new[] { 16, 64, 128 })
            {
                var line = byIntegration.Add.Scatter(IntegrationTimes.ToArray(), IntegrationTimes.Select(t => Overhead(t, tokens)).ToArray());
                line.LegendText = tokens.ToString(CultureInfo.InvariantCulture) + " tokens";
            }
            byIntegration.Title($"{ins} x {outs}, rank {rank}: overhead vs integration time");
            byIntegration.XLabel("tile integration time (ns)");
            byIntegration.YLabel("overhead over all-analog (%)");
            byIntegration.ShowLegend();
            written.Add(PlotFiles.Save(byIntegration, Path.Combine(directory, $"overhead-vs-integration-{name}.png")));

            var byTokens = new ScottPlot.Plot();
            foreach (double t in new[] { 128.0, 256.0, 512.0 })
            {
                var line = byTokens.Add.Scatter(TokenCounts.Select(n => (double)n).ToArray(), TokenCounts.Select(n => Overhead(t, n)).ToArray());
                line.LegendText = t.ToString("0", CultureInfo.InvariantCulture) + " ns";
            }
            byTokens.Title($"{ins} x {outs}, rank {rank}: overhead vs tokens");
            byTokens.XLabel("tokens per layer call");
            byTokens.YLabel("overhead over all-analog (%)");
            byTokens.ShowLegend();
            written.Add(PlotFiles.Save(byTokens, Path.Combine(directory, $"overhead-vs-tokens-{name}.png")));
        }
        return written;
    }
}
