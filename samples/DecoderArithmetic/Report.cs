using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;

namespace DecoderArithmetic;

/// <summary>The run's report, <c>{out}/report.md</c>, written atomically: the main table (exact match in %, mean ±
/// standard deviation over every training seed and noise draw or programming), the per-seed means, the trainings and
/// the run time.</summary>
public static class Report
{
    public const string MarkdownFile = "report.md";

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => Number(100 * fraction, "0.#") + " %";

    public static string Cell(IEnumerable<IReadOnlyList<double>> runs)
    {
        var (mean, std) = SampleStatistics.MeanAndStd(runs.SelectMany(r => r).ToList());
        return $"{Number(100 * mean, "0.0")} ± {Number(100 * std, "0.0")}";
    }

    /// <summary>The main table as Markdown lines (the README carries the same table).</summary>
    public static IReadOnlyList<string> Table(DemoResults r)
    {
        var lines = new List<string>
        {
            "| method | " + string.Join(" | ", r.Conditions.Select(c => c.Name)) + " |",
            "|---|" + string.Concat(r.Conditions.Select(_ => "---:|")),
        };
        foreach (var m in r.Methods)
            lines.Add($"| {m.Method} ({m.Seeds.Count} seed{(m.Seeds.Count == 1 ? "" : "s")}) | " + string.Join(" | ", m.Values.Select(Cell)) + " |");
        return lines;
    }

    public static string Markdown(DemoResults r)
    {
        var o = r.Options;
        var s = new StringBuilder();
        void Line(string text = "") => s.Append(text).Append('\n');
        Line("# Offline decoder demonstration: TinyLlama on generated arithmetic");
        Line();
        Line($"Preset `{o.Preset}`, seed {o.Seed}. Task: {o.Digits}-digit addition and subtraction (prompt `{new ArithmeticProblem(23, '+', 58, o.Digits).Prompt}`, answer `81`), " +
             $"{r.TrainCount} training and {r.TestCount} test problems, disjoint; greedy decoding, exact match of the number. " +
             $"Model: TinyLlama, {r.Parameters:N0} parameters of which LoRA (rank 16 on every projection) {r.AdapterParameters:N0}; " +
             "the chip: ideal converters, no weight clipping (the paper's LLaMA runs).");
        Line();
        Line("Exact match (%), mean ± standard deviation over every training seed and every noise draw or programming " +
             $"({o.NoiseDraws} weight-noise draws, {o.Programmings} programmings of the PCM tiles; the digital column has one value per seed):");
        Line();
        foreach (var line in Table(r)) Line(line);
        Line();
        Line($"Run time: {Number(r.Seconds / 60, "0.0")} min ({(r.Pretraining.Cached ? "pretraining read from the cache" : "pretraining included")}).");
        Line();
        Line("## Per seed (mean over draws or programmings, %)");
        Line();
        Line("| method | seed | " + string.Join(" | ", r.Conditions.Select(c => c.Name)) + " |");
        Line("|---|---:|" + string.Concat(r.Conditions.Select(_ => "---:|")));
        foreach (var m in r.Methods)
            for (int k = 0; k < m.Seeds.Count; k++)
                Line($"| {m.Method} | {m.Seeds[k]} | " + string.Join(" | ", m.Values.Select(c => Number(100 * c[k].Average(), "0.0"))) + " |");
        Line();
        Line("## Trainings");
        Line();
        Line("| training | seed | steps | seconds | first | last |");
        Line("|---|---:|---:|---:|---:|---:|");
        foreach (var t in r.Trainings)
            Line($"| {t.Label} | {t.Seed} | {t.Steps} | {Number(t.Seconds, "0")} | {Number(t.First, "0.000")} | {Number(t.Last, "0.000")} |");
        Line();
        Line("Pretraining and instruction tuning: the loss (first and last epoch's mean for pretraining, first and last step " +
             "otherwise); GRPO: the mean reward of the first and the last fifth of the steps. " +
             string.Join("; ", r.Methods.Select(m => $"{m.Method}: {m.Training}")) + ".");
        return s.ToString();
    }

    public static string Write(DemoResults r)
    {
        string path = Path.Combine(r.Options.Output, MarkdownFile);
        AtomicFile.WriteText(path, Markdown(r));
        return path;
    }
}
