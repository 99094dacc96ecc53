using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Evaluation;

/// <summary>A PNG of accuracy (%) versus time after programming, one line with standard-deviation bars per series.
/// The times sit at evenly spaced positions labelled as in the sweep (0 s has no place on a log axis).</summary>
public static class DriftPlot
{
    public static string Write(string path, string title, IReadOnlyList<(string Label, IReadOnlyList<DriftPoint> Points)> series)
    {
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
        plot.Title(title);
        plot.XLabel("time after programming");
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return PlotFiles.Save(plot, path);
    }
}
