using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Tasks;
using Ahwa.Simulator;

namespace MiniLmSentiment;

/// <summary>Method <see cref="A"/> minus method <see cref="B"/> in the task's main metric at one drift time, over the
/// same programmings and test items, with its bootstrap interval.</summary>
public sealed record Comparison(string A, string B, string Time, double Seconds, PairedDifference Difference);

/// <summary>The statistics that decide the main table: AHWA-LoRA against no adaptation and against full AHWA at
/// every drift time, and against the digital LoRA at 0 s (<see cref="PairedBootstrap"/>).</summary>
public static class Comparisons
{
    public const string AhwaLora = "AHWA-LoRA", NoAdaptation = "no adaptation", FullAhwa = "full AHWA", Digital = "digital";

    /// <param name="ahwa">AHWA-LoRA's per-item predictions, [time][programming].</param>
    /// <param name="noAdaptation">The digital LoRA's on the same programmings.</param>
    /// <param name="full">Full AHWA's: its own meta-weights, programmed with the same repetition seeds.</param>
    /// <param name="digital">The digital LoRA's, evaluated once without hardware.</param>
    public static IReadOnlyList<Comparison> Of(SubsetMetric metric, IReadOnlyList<(double Seconds, string Label)> times, ulong seed,
        IReadOnlyList<IReadOnlyList<float[]>> ahwa, IReadOnlyList<IReadOnlyList<float[]>> noAdaptation, IReadOnlyList<IReadOnlyList<float[]>> full,
        float[] digital, int resamples = PairedBootstrap.DefaultResamples)
    {
        var comparisons = new List<Comparison>();
        for (int t = 0; t < times.Count; t++)
        {
            // Each comparison and time has its own stream, so adding a comparison or a time leaves the others' intervals.
            PairedDifference Run(IReadOnlyList<float[]> b, int kind) =>
                PairedBootstrap.Run(ahwa[t], b, metric, RandomStream.Derive(seed, StreamPurpose.Bootstrap, ((long)kind << 16) | (long)t), resamples);
            var (seconds, label) = times[t];
            comparisons.Add(new Comparison(AhwaLora, NoAdaptation, label, seconds, Run(noAdaptation[t], 0)));
            comparisons.Add(new Comparison(AhwaLora, FullAhwa, label, seconds, Run(full[t], 1)));
            // The digital model has no programming: its one evaluation stands beside every programming of AHWA-LoRA.
            if (seconds == 0) comparisons.Add(new Comparison(AhwaLora, Digital, label, seconds, Run(Enumerable.Repeat(digital, ahwa[t].Count).ToList(), 2)));
        }
        return comparisons;
    }
}
