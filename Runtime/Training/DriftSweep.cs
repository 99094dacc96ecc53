using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Ahwa.Runtime.Simulation;

namespace Ahwa.Runtime.Training
{
    /// <summary>A metric at one time after programming, over repetitions.</summary>
    public sealed record DriftPoint(double Seconds, string Label, double Mean, double Std, IReadOnlyList<double> Values);

    /// <summary>The paper's evaluation protocol: program once per repetition, then for each time draw drift and read
    /// noise again, apply drift compensation, and evaluate on the programmed hardware.</summary>
    public static class DriftSweep
    {
        public static readonly IReadOnlyList<(double Seconds, string Label)> PaperTimes = new[]
        {
            (0.0, "0 s"), (3600.0, "1 h"), (86400.0, "1 day"), (604800.0, "1 week"),
            (2592000.0, "30 days"), (31536000.0, "1 year"), (315360000.0, "10 years"),
        };

        /// <param name="evaluate">The metric of the model as it now is (called with the model in programmed execution).</param>
        public static IReadOnlyList<DriftPoint> Run(AhwaModel model, IDeviceModel device, Func<double> evaluate, int repetitions, ulong seed,
            IReadOnlyList<(double Seconds, string Label)>? times = null, IProgress<(int Done, int Total)>? progress = null)
        {
            if (repetitions < 1) throw new ArgumentOutOfRangeException(nameof(repetitions), repetitions, "At least one repetition is needed.");
            times ??= PaperTimes;
            foreach (var (seconds, label) in times)
                if (!(seconds >= 0) || double.IsInfinity(seconds)) throw new ArgumentOutOfRangeException(nameof(times), seconds, $"Time '{label}' must be a finite number of seconds >= 0.");
            var values = times.Select(_ => new List<double>()).ToList();
            model.SetExecution(AnalogExecution.Programmed);
            model.eval();
            int done = 0;
            for (int r = 0; r < repetitions; r++)
            {
                model.Program(device, unchecked(seed + (ulong)r * 7919));
                for (int t = 0; t < times.Count; t++)
                {
                    model.DriftTo(times[t].Seconds, unchecked(seed * 31 + (ulong)r * 1000 + (ulong)t));
                    values[t].Add(evaluate());
                    progress?.Report((++done, repetitions * times.Count));
                }
            }
            return times.Select((time, t) =>
            {
                double mean = values[t].Average();
                double std = values[t].Count > 1 ? Math.Sqrt(values[t].Sum(v => (v - mean) * (v - mean)) / (values[t].Count - 1)) : 0;
                return new DriftPoint(time.Seconds, time.Label, mean, std, values[t]);
            }).ToList();
        }

        public static string ToJson(string metric, IReadOnlyList<DriftPoint> points)
        {
            return JsonText.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("metric", metric);
                json.WriteStartArray("points");
                foreach (var p in points)
                {
                    json.WriteStartObject();
                    json.WriteNumber("seconds", p.Seconds);
                    json.WriteString("label", p.Label);
                    json.WriteNumber("mean", p.Mean);
                    json.WriteNumber("std", p.Std);
                    json.WriteStartArray("values");
                    foreach (var v in p.Values) json.WriteNumberValue(v);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            });
        }
    }
}
