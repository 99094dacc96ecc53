using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Evaluation;

/// <summary>A PNG of a metric (accuracy, F1, a correlation, x 100) versus time after programming, one line with
/// standard-deviation bars per series. The times sit at evenly spaced positions labelled as in the sweep (0 s has no
/// place on a log axis). The y-axis names the metrics the series carry.</summary>
public static class DriftPlot
{
    /// <summary>Characters of a title line: longer titles are wrapped at spaces so the 800-pixel image shows them whole.</summary>
    public const int TitleLineLength = 56;

    /// <param name="metrics">The metrics of the series (one, or one per task of a multi-task plot), for the y-axis.</param>
    public static string Write(string path, string title, IReadOnlyList<string> metrics, IReadOnlyList<(string Label, IReadOnlyList<DriftPoint> Points)> series)
    {
        if (metrics is null || metrics.Count == 0) throw new ArgumentException("The plotted metric is needed for the y-axis.", nameof(metrics));
        if (series is null || series.Count == 0) throw new ArgumentException("At least one series is needed.", nameof(series));
        var labels = series[0].Points.Select(p => p.Label).ToArray();
        foreach (var (label, points) in series)
            if (!points.Select(p => p.Label).SequenceEqual(labels))
                throw new ArgumentException($"Series '{label}' has times {string.Join(", ", points.Select(p => p.Label))}; expected {string.Join(", ", labels)}.", nameof(series));
        var positions = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
        var plot = new ScottPlot.Plot();
        foreach (var (label, points) in series)
        {
            var means = points.Select(p => 100 * p.Mean).ToArray();
            var line = plot.Add.Scatter(positions, means);
            line.LegendText = label;
            var bars = plot.Add.ErrorBar(positions, means, points.Select(p => 100 * p.Std).ToArray());
            bars.Color = line.Color;
        }
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Title(string.Join("\n", TitleLines(title)));
        plot.XLabel("time after programming");
        plot.YLabel(AxisLabel(metrics));
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return PlotFiles.Save(plot, path);
    }

    /// <summary>"accuracy (%)", "Pearson correlation (x 100)", "F1, accuracy (%)": fractions are shown x 100, which is
    /// a percentage for accuracy and F1 but not for a correlation.</summary>
    public static string AxisLabel(IEnumerable<string> metrics)
    {
        var distinct = metrics.Distinct(StringComparer.Ordinal).ToList();
        var correlations = distinct.Where(m => m.Contains("correlation", StringComparison.OrdinalIgnoreCase)).ToList();
        var percentages = distinct.Except(correlations).ToList();
        var parts = new List<string>();
        if (percentages.Count > 0) parts.Add(string.Join(", ", percentages) + " (%)");
        if (correlations.Count > 0) parts.Add(string.Join(", ", correlations) + " (x 100)");
        // The first series' metric first, as the legend lists it.
        if (correlations.Count > 0 && distinct.Count > 0 && correlations[0] == distinct[0]) parts.Reverse();
        return string.Join("; ", parts);
    }

    /// <summary>The title in lines of at most <see cref="TitleLineLength"/> characters, broken at spaces (a longer
    /// word keeps a line of its own).</summary>
    public static IReadOnlyList<string> TitleLines(string title)
    {
        var lines = new List<string>();
        string line = "";
        foreach (var word in title.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > TitleLineLength)
            {
                lines.Add(line);
                line = word;
            }
            else line = line.Length == 0 ? word : line + " " + word;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }
}
