using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Simulator;

namespace Ahwa.Lab.Evaluation;

/// <summary>A metric at one time after programming, over repetitions.</summary>
public sealed record DriftPoint(double Seconds, string Label, double Mean, double Std, IReadOnlyList<double> Values);

/// <summary>One metric measured at every drift time of a sweep. <see cref="Prepare"/> runs before each measurement
/// (apply an adapter, change converters), so several probes share one programming and one drift draw.
/// <see cref="Repetitions"/> caps how many of the sweep's programmings this probe is measured on.</summary>
public sealed record SweepProbe(string Name, Func<double> Evaluate, Action? Prepare = null, int? Repetitions = null);

/// <summary>A probe whose one evaluation gives several metrics (F1 and accuracy of the same predictions; MNLI's matched
/// and mismatched sets): every call must give the same metric names, the first call's set.</summary>
public sealed record MetricsProbe(string Name, Func<IReadOnlyDictionary<string, double>> Evaluate, Action? Prepare = null, int? Repetitions = null);

/// <summary>A <see cref="MetricsProbe"/> whose evaluations may keep per-item predictions.</summary>
public sealed record EvaluationProbe(string Name, Func<ProbeEvaluation> Evaluate, Action? Prepare = null, int? Repetitions = null);

/// <summary>A sweep's points (probe, then metric, to the points) and the per-item predictions of the probes that keep
/// them: probe to [time][programming] to one array per evaluation.</summary>
public sealed record SweepResults(IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>> Points,
    IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<float[]>>> Items);

/// <summary>The paper's evaluation protocol: program once per repetition, then for each time draw drift and read
/// noise again, apply drift compensation, and evaluate on the programmed hardware.</summary>
public static class DriftSweep
{
    public static readonly IReadOnlyList<(double Seconds, string Label)> PaperTimes = DriftTimes.Paper;

    /// <param name="evaluate">The metric of the model as it now is (called with the model in programmed execution).</param>
    public static IReadOnlyList<DriftPoint> Run(AhwaModel model, IDeviceModel device, Func<double> evaluate, int repetitions, ulong seed,
        IReadOnlyList<(double Seconds, string Label)>? times = null, IProgress<(int Done, int Total)>? progress = null) =>
        Run(model, device, new[] { new SweepProbe("metric", evaluate) }, repetitions, seed, times, progress)["metric"];

    /// <summary>Every probe on the same programmings and drift draws: repetition r programs with one seed, time t
    /// draws drift and seeds read noise with one seed, whatever the probes are. Read noise is then drawn per analog call
    /// in order, so a probe's draws depend on how many calls the probes before it made at that time.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> Run(AhwaModel model, IDeviceModel device, IReadOnlyList<SweepProbe> probes,
        int repetitions, ulong seed, IReadOnlyList<(double Seconds, string Label)>? times = null, IProgress<(int Done, int Total)>? progress = null)
    {
        const string Value = "value";
        if (probes is null || probes.Count == 0) throw new ArgumentException("At least one probe is needed.", nameof(probes));
        var metrics = probes.Select(p => new MetricsProbe(p.Name, () => new Dictionary<string, double> { [Value] = p.Evaluate() }, p.Prepare, p.Repetitions)).ToList();
        return RunMetrics(model, device, metrics, repetitions, seed, times, progress).ToDictionary(p => p.Key, p => p.Value[Value]);
    }

    /// <summary><see cref="Run(AhwaModel, IDeviceModel, IReadOnlyList{SweepProbe}, int, ulong, IReadOnlyList{ValueTuple{double, string}}?, IProgress{ValueTuple{int, int}}?)"/>
    /// with several metrics per probe: probe name, then metric name, to the points.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>> RunMetrics(AhwaModel model, IDeviceModel device,
        IReadOnlyList<MetricsProbe> probes, int repetitions, ulong seed, IReadOnlyList<(double Seconds, string Label)>? times = null,
        IProgress<(int Done, int Total)>? progress = null)
    {
        if (probes is null || probes.Count == 0) throw new ArgumentException("At least one probe is needed.", nameof(probes));
        var evaluations = probes.Select(p => new EvaluationProbe(p.Name, () => new ProbeEvaluation(p.Evaluate()), p.Prepare, p.Repetitions)).ToList();
        return RunEvaluations(model, device, evaluations, repetitions, seed, times, progress).Points;
    }

    /// <summary><see cref="RunMetrics"/> keeping the per-item predictions of the probes that give them, for paired
    /// statistics over the same programmings and items.</summary>
    public static SweepResults RunEvaluations(AhwaModel model, IDeviceModel device, IReadOnlyList<EvaluationProbe> probes, int repetitions, ulong seed,
        IReadOnlyList<(double Seconds, string Label)>? times = null, IProgress<(int Done, int Total)>? progress = null)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (device is null) throw new ArgumentNullException(nameof(device));
        if (probes is null || probes.Count == 0) throw new ArgumentException("At least one probe is needed.", nameof(probes));
        if (repetitions < 1) throw new ArgumentOutOfRangeException(nameof(repetitions), repetitions, "At least one repetition is needed.");
        foreach (var group in probes.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            throw new ArgumentException($"Two probes are named '{group.Key}'.", nameof(probes));
        foreach (var probe in probes)
            if (probe.Repetitions is < 1) throw new ArgumentOutOfRangeException(nameof(probes), probe.Repetitions, $"Probe '{probe.Name}' needs at least one repetition.");
        times ??= PaperTimes;
        foreach (var (seconds, label) in times)
            if (!(seconds >= 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(times), seconds, $"Time '{label}' must be a finite number of seconds >= 0.");
        int RepetitionsOf(EvaluationProbe probe) => Math.Min(repetitions, probe.Repetitions ?? repetitions);
        // Probe -> metric -> time -> values; a probe's metrics are fixed by its first evaluation.
        var values = new Dictionary<string, Dictionary<string, List<double>[]>>();
        // Probe -> time -> one prediction array per programming, for the probes that keep them.
        var items = new Dictionary<string, List<float[]>[]>();
        model.SetExecution(AnalogExecution.Programmed);
        model.eval();
        int done = 0, total = times.Count * probes.Sum(RepetitionsOf);
        for (int r = 0; r < repetitions; r++)
        {
            var active = probes.Where(p => r < RepetitionsOf(p)).ToList();
            if (active.Count == 0) break;
            ulong repetition = RandomStream.Derive(seed, StreamPurpose.Repetition, r);
            model.Program(device, repetition);
            for (int t = 0; t < times.Count; t++)
            {
                model.DriftTo(times[t].Seconds, RandomStream.Derive(repetition, StreamPurpose.Drift, t));
                foreach (var probe in active)
                {
                    probe.Prepare?.Invoke();
                    var evaluation = probe.Evaluate() ?? throw new InvalidOperationException($"Probe '{probe.Name}' gave no evaluation.");
                    Record(values, probe.Name, evaluation.Metrics, t, times.Count);
                    KeepItems(items, probe.Name, evaluation.Items, r, t, times.Count);
                    progress?.Report((++done, total));
                }
            }
        }
        var points = probes.ToDictionary(p => p.Name, p => (IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>)values[p.Name].ToDictionary(
            m => m.Key, m => (IReadOnlyList<DriftPoint>)times.Select((time, t) => Point(time, m.Value[t])).ToList()));
        return new SweepResults(points, items.ToDictionary(p => p.Key, p => (IReadOnlyList<IReadOnlyList<float[]>>)p.Value.ToList<IReadOnlyList<float[]>>()));
    }

    static void KeepItems(Dictionary<string, List<float[]>[]> items, string probe, float[]? predictions, int r, int t, int times)
    {
        bool kept = items.TryGetValue(probe, out var byTime);
        if (r == 0 && t == 0 && predictions is not null)
        {
            byTime = Enumerable.Range(0, times).Select(_ => new List<float[]>()).ToArray();
            items[probe] = byTime;
            kept = true;
        }
        if (kept != predictions is not null)
            throw new InvalidOperationException($"Probe '{probe}' gave per-item predictions on {(kept ? "its first evaluation but not on a later one" : "a later evaluation but not on its first")}.");
        if (predictions is null) return;
        if (byTime![0].Count > 0 && predictions.Length != byTime[0][0].Length)
            throw new InvalidOperationException($"Probe '{probe}' gave {predictions.Length} per-item predictions; its first evaluation gave {byTime[0][0].Length}.");
        byTime[t].Add(predictions);
    }

    static void Record(Dictionary<string, Dictionary<string, List<double>[]>> values, string probe, IReadOnlyDictionary<string, double> scores, int t, int times)
    {
        if (scores is null || scores.Count == 0) throw new InvalidOperationException($"Probe '{probe}' gave no metric.");
        if (!values.TryGetValue(probe, out var metrics))
        {
            metrics = scores.Keys.ToDictionary(k => k, _ => Enumerable.Range(0, times).Select(_ => new List<double>()).ToArray());
            values[probe] = metrics;
        }
        if (scores.Count != metrics.Count || scores.Keys.Any(k => !metrics.ContainsKey(k)))
            throw new InvalidOperationException($"Probe '{probe}' gave the metrics {string.Join(", ", scores.Keys.OrderBy(k => k, StringComparer.Ordinal))}; " +
                                                $"its first evaluation gave {string.Join(", ", metrics.Keys.OrderBy(k => k, StringComparer.Ordinal))}.");
        foreach (var (metric, value) in scores) metrics[metric][t].Add(value);
    }

    static DriftPoint Point((double Seconds, string Label) time, List<double> values)
    {
        var (mean, std) = SampleStatistics.MeanAndStd(values);
        return new DriftPoint(time.Seconds, time.Label, mean, std, values);
    }

    /// <summary>The sweep as JSON: the metric's name and the points (seconds, label, mean, std, every repetition's value).</summary>
    public static string ToJson(string metric, IReadOnlyList<DriftPoint> points) => JsonFiles.Write(new SweepDocument(metric, points));

    sealed record SweepDocument(string Metric, IReadOnlyList<DriftPoint> Points);
}
