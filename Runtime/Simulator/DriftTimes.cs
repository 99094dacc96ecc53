using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Simulator;

/// <summary>The times after programming at which the paper's protocol evaluates (0 s to 10 years), with their labels;
/// the drift sweep, the commands and the PyTorch package (generated from here) read this one list.</summary>
public static class DriftTimes
{
    public static IReadOnlyList<(double Seconds, string Label)> Paper { get; } = new[]
    {
        (0.0, "0 s"), (3600.0, "1 h"), (86400.0, "1 day"), (604800.0, "1 week"),
        (2592000.0, "30 days"), (31536000.0, "1 year"), (315360000.0, "10 years"),
    };

    /// <summary>The paper's times with these labels, in the order given; a label the paper lacks is an error naming the known ones.</summary>
    public static IReadOnlyList<(double Seconds, string Label)> Labelled(params string[] labels) => labels.Select(label =>
    {
        foreach (var time in Paper)
            if (time.Label == label) return time;
        throw new ArgumentException($"No paper drift time is labelled '{label}'; the labels are {string.Join(", ", Paper.Select(t => t.Label))}.", nameof(labels));
    }).ToList();
}
