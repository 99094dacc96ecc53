using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Spectre.Console;
using static MiniLmSentiment.Experiment;

namespace MiniLmSentiment;

/// <summary>The GLUE suite's table in the paper's layout (a column per task, the average; digital LoRA, then no
/// adaptation, AHWA-LoRA and full AHWA at each drift time), its paired comparisons, the budget and the adapter count:
/// suite.md and suite.json.</summary>
public static class SuiteReport
{
    public const string Digital = "Digital LoRA", NoAdaptation = "No adaptation", AhwaLora = "AHWA-LoRA", FullAhwa = "Full AHWA";

    /// <summary>The paper's drift times of its GLUE and SQuAD tables.</summary>
    public static readonly string[] TableTimes = ["0 s", "1 year", "10 years"];

    /// <summary>One row of the table: a method at a time (null for the digital LoRA), a cell per task and the average.</summary>
    public sealed record Row(string Method, string? Time, IReadOnlyList<DriftPoint> Cells, DriftPoint Average);

    /// <summary>The times the table shows: the paper's three where the run has them, otherwise every time of the run.</summary>
    public static IReadOnlyList<string> Times(ExperimentOptions o)
    {
        var shown = o.Times.Select(t => t.Label).Where(TableTimes.Contains).ToList();
        return shown.Count > 0 ? shown : o.Times.Select(t => t.Label).ToList();
    }

    public static IReadOnlyList<Row> Rows(SuiteResults r)
    {
        var rows = new List<Row>();
        var digital = r.Tasks.Select(t => Flat(t.Kept.Digital[t.Kept.Metric])).ToList();
        rows.Add(new Row(Digital, null, digital, Flat(digital.Average(p => p.Mean))));
        foreach (var time in Times(r.Options))
            foreach (var (method, points) in new (string, Func<SuiteTask, IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>>)[]
                     { (NoAdaptation, t => t.NoAdaptation), (AhwaLora, t => t.AhwaLora), (FullAhwa, t => t.Kept.FullAhwa) })
            {
                var cells = r.Tasks.Select(t => points(t)[t.Kept.Metric].First(p => p.Label == time)).ToList();
                rows.Add(new Row(method, time, cells, Average(cells)));
            }
        return rows;
    }

    static DriftPoint Flat(double value) => new(0, "", value, 0, new[] { value });

    /// <summary>The task average per programming (every task read the same programmings), then mean and std over them.</summary>
    static DriftPoint Average(IReadOnlyList<DriftPoint> cells)
    {
        int programmings = cells.Min(c => c.Values.Count);
        var values = Enumerable.Range(0, programmings).Select(p => cells.Average(c => c.Values[p])).ToList();
        var (mean, std) = SampleStatistics.MeanAndStd(values);
        return new DriftPoint(cells[0].Seconds, cells[0].Label, mean, std, values);
    }

    static string Cell(DriftPoint p, bool single) => single ? Format(100 * p.Mean, "0.0") : Report.Cell(p);

    static string Heading(SuiteTask t) => $"{t.Kept.Task} ({t.Kept.Metric})";

    public static void Write(SuiteResults r)
    {
        var rows = Rows(r);
        var table = new Table().Title("GLUE suite: dev metric x 100 on programmed PCM tiles").AddColumn("method").AddColumn("time");
        foreach (var t in r.Tasks) table.AddColumn(new TableColumn(Markup.Escape(Heading(t))).RightAligned());
        table.AddColumn(new TableColumn("average").RightAligned());
        foreach (var row in rows)
            table.AddRow(new[] { row.Method, row.Time ?? "digital" }.Concat(row.Cells.Select(c => Cell(c, row.Time is null)))
                .Append(Cell(row.Average, row.Time is null)).Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        AtomicFile.WriteText(Path.Combine(r.Options.Output, GlueSuite.MarkdownFile), Markdown(r, rows));
        AtomicFile.WriteText(Path.Combine(r.Options.Output, GlueSuite.JsonFile), Json(r, rows));
        AnsiConsole.MarkupLine($"Suite report: {Markup.Escape(Path.Combine(r.Options.Output, GlueSuite.MarkdownFile))} and {GlueSuite.JsonFile}; " +
                               $"run time {Format(r.Seconds / 60, "0.0")} min.");
    }

    /// <summary>The budget as the report states it: what each task was trained and evaluated on.</summary>
    static string Budget(ExperimentOptions o) =>
        $"at most {(o.TrainLimit == int.MaxValue ? "every" : o.TrainLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} training examples per task " +
        $"(a seeded subset where a task has more), {o.Epochs} epochs or more to reach {o.MinSteps} optimiser steps of 32, LoRA lr {Format(o.LoraLearningRate, "0.#####")} " +
        $"(full AHWA {Format(o.FullLearningRate, "0.#####")}), linear decay, at most {o.MaxTokens} tokens with dynamic padding; " +
        $"{(o.TestLimit == int.MaxValue ? "every dev item" : $"at most {o.TestLimit} dev items per task")} for evaluation";

    static string Markdown(SuiteResults r, IReadOnlyList<Row> rows)
    {
        var o = r.Options;
        var md = new StringBuilder();
        md.Append("# GLUE suite: AHWA-LoRA on all-MiniLM-L6-v2\n\n");
        md.Append($"Seed {o.Seed}; {o.Repetitions} programming{(o.Repetitions == 1 ? "" : "s")}; drift times {string.Join(", ", o.Times.Select(t => t.Label))}");
        md.Append(o.IsSmoke ? " (--smoke preset: a check that every phase runs; these numbers are not results)" : o.IsQuick ? " (--quick preset)" : "");
        md.Append($". Run time {Format(r.Seconds / 60, "0.0")} minutes (tasks kept from an earlier sitting count their own time in the training table).\n\n");
        if (o.ChipKnobs is not null) md.Append($"Chip knobs changed from the model's declaration for this run: {o.ChipKnobs}.\n\n");
        md.Append($"Budget (the paper's recipe of 15 epochs at lr 2e-4 does not fit 2 cores): {Budget(o)}.\n\n");
        md.Append("| task | metric | training examples (of available) | epochs | steps per training | dev items | tokens on average | kept result |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---|\n");
        foreach (var t in r.Tasks)
        {
            var k = t.Kept;
            md.Append($"| {k.Task} | {k.Metric} | {k.TrainCount:N0} ({k.TrainAvailable:N0}) | {k.Epochs} | {k.StepsPerTraining} | {k.TestCount:N0} | " +
                      $"{Format(k.MeanTestTokens, "0.0")} | {(t.Resumed ? "resumed" : "this sitting")} |\n");
        }
        if (r.Skipped.Count > 0)
            md.Append("\nSkipped: " + string.Join("; ", r.Skipped.Select(s => $"{s.Glue.Name} ({s.Skipped})")) + ".\n");

        md.Append("\n## Dev metric x 100 on programmed PCM tiles\n\n");
        md.Append("Mean ± standard deviation over programmings. No adaptation (the digital LoRA on the tiles) and AHWA-LoRA: every task's adapter on the ");
        md.Append("same programmings of the pretrained meta-weights (the same seeds, conductances and drift for every task; each task's adapters swept and kept when the task finishes); full AHWA: its own meta-weights per task, programmed with the same seeds. ");
        md.Append("The average is taken per programming over the tasks.\n\n");
        md.Append("| method | time | " + string.Join(" | ", r.Tasks.Select(Heading)) + " | average |\n");
        md.Append("|---|---|" + string.Concat(r.Tasks.Select(_ => "---:|")) + "---:|\n");
        foreach (var row in rows)
            md.Append($"| {row.Method} | {row.Time ?? "digital"} | " + string.Join(" | ", row.Cells.Select(c => Cell(c, row.Time is null))) +
                      $" | {Cell(row.Average, row.Time is null)} |\n");
        var paper = r.Tasks.SelectMany(t => PaperResults.For(t.Kept.Task).Select(p => (t.Kept.Task, p))).ToList();
        if (paper.Count == 0)
            md.Append("\nThe paper's per-task GLUE scores (MobileBERT, and BERT-base) are not among the figures in HARDWARE-MODEL.md, so none stand beside " +
                      "this table; its multi-task count does, below.\n");
        else
            foreach (var (task, p) in paper) md.Append($"\nPaper ({PaperResults.SquadModel}), {task}, {p.Method} at {p.Time}: {Format(p.Value, "0.00")}.\n");

        md.Append("\n## Paired comparisons\n\n");
        var first = r.Tasks.SelectMany(t => t.Comparisons).FirstOrDefault()?.Difference;
        if (first is not null)
            md.Append($"AHWA-LoRA minus each method in metric points: the mean over programmings of the paired difference on the same dev items, with a " +
                      $"{Format(100 * first.Confidence, "0")} % percentile interval from {first.Resamples:N0} bootstrap resamples of programmings and items " +
                      "(seeded by the run's seed). \"Beyond noise\" only where the interval excludes zero.\n\n");
        md.Append("| task | time | AHWA-LoRA − no adaptation | AHWA-LoRA − full AHWA | AHWA-LoRA − digital |\n|---|---|---:|---:|---:|\n");
        foreach (var t in r.Tasks)
            foreach (var time in Times(o))
            {
                string Against(string b) => t.Comparisons.FirstOrDefault(c => c.Time == time && c.B == b) is { } c ? Report.Difference(c.Difference) : "";
                md.Append($"| {t.Kept.Task} | {time} | {Against(Comparisons.NoAdaptation)} | {Against(Comparisons.FullAhwa)} | {Against(Comparisons.Digital)} |\n");
            }

        var b = r.Budget;
        md.Append("\n## One programming, one adapter per task\n\n");
        md.Append("| parameters | adapters | one programming, adapters swapped | separately programmed models |\n|---|---:|---:|---:|\n");
        md.Append($"| this run (all-MiniLM-L6-v2, adapter {b.AdapterParameters:N0} from the layer spec) | {b.Adapters} | {Report.Millions(b.OneProgramming)} | {Report.Millions(b.Separate)} |\n");
        md.Append($"| paper (MobileBERT, GLUE) | {PaperResults.MultiTaskAdapters} | {Report.Millions(PaperResults.MultiTaskOneChip)} | {Report.Millions(PaperResults.MultiTaskSeparate)} |\n");

        md.Append($"\nThe probes read on those programmings: {string.Join(", ", r.SharedProbes)}; programming seeds {string.Join(", ", r.Programmings)}.\n");
        md.Append("\n## Training\n\n| training | task | steps | seconds |\n|---|---|---:|---:|\n");
        foreach (var t in r.Trainings) md.Append($"| {t.Label} | {t.Task} | {t.Steps} | {Format(t.Seconds, "0")} |\n");
        if (r.Deployment is { } d)
            md.Append($"\nDeployment of the first task's adapter: {d.ArtifactFiles} files in `{Path.GetRelativePath(o.Output, d.Folder)}/`; kernel cross-check " +
                      $"{d.CheckedLayers} layers, {d.Differences} differences.\n");
        else md.Append("\nDeployment skipped (--no-deploy).\n");
        return md.ToString();
    }

    static string Json(SuiteResults r, IReadOnlyList<Row> rows)
    {
        var o = r.Options;
        return JsonFiles.Write(new SuiteDocument("all-MiniLM-L6-v2", o.Suite!, Budget(o),
            new BudgetOptions(o.TrainLimit == int.MaxValue ? null : o.TrainLimit, o.Epochs, o.MinSteps, o.LoraLearningRate, o.FullLearningRate, o.MaxTokens,
                o.TestLimit == int.MaxValue ? null : o.TestLimit, o.Repetitions, o.Seed, o.IsQuick, o.IsSmoke),
            r.Tasks.Select(t => new TaskColumn(t.Kept.Task, t.Kept.Metric, t.Kept.TrainCount, t.Kept.TrainAvailable, t.Kept.Epochs, t.Kept.StepsPerTraining,
                t.Kept.TestCount, t.Resumed, t.Comparisons.Select(c => new ComparisonRow(c.A, c.B, c.Time, c.Difference.Estimate, c.Difference.Low,
                    c.Difference.High, c.Difference.BeyondNoise)).ToList())).ToList(),
            r.Skipped.Select(s => new SkippedTask(s.Glue.Name, s.Skipped!)).ToList(),
            rows.Select(row => new TableRow(row.Method, row.Time, row.Cells.Select(c => new TableCell(100 * c.Mean, 100 * c.Std, c.Values.Select(v => 100 * v).ToList())).ToList(),
                new TableCell(100 * row.Average.Mean, 100 * row.Average.Std, row.Average.Values.Select(v => 100 * v).ToList()))).ToList(),
            new SharedSweep(r.SharedProbes, r.Programmings),
            new BudgetCount(r.Budget.Adapters, r.Budget.AdapterParameters, r.Budget.OneProgramming, r.Budget.Separate, PaperResults.MultiTaskOneChip, PaperResults.MultiTaskSeparate),
            r.TotalParameters, r.AnalogWeights, r.Trainings, r.Seconds));
    }

    // suite.json's shape. Table values are the metric x 100 as in the table; comparisons keep fractions as results.json.
    sealed record SuiteDocument(string Model, string Suite, string Budget, BudgetOptions Options, IReadOnlyList<TaskColumn> Tasks, IReadOnlyList<SkippedTask> Skipped,
        IReadOnlyList<TableRow> Table, SharedSweep SharedSweep, BudgetCount Adapters, long TotalParameters, long AnalogWeights, IReadOnlyList<TrainingRun> Trainings,
        double Seconds);

    sealed record BudgetOptions(int? TrainCap, int Epochs, int MinSteps, double LoraLearningRate, double FullLearningRate, int MaxTokens, int? DevCap,
        int Programmings, ulong Seed, bool Quick, bool Smoke);

    sealed record TaskColumn(string Task, string Metric, int TrainCount, int TrainAvailable, int Epochs, int StepsPerTraining, int DevItems, bool Resumed,
        IReadOnlyList<ComparisonRow> Comparisons);

    sealed record ComparisonRow(string A, string B, string Time, double Difference, double Low, double High, bool BeyondNoise);

    sealed record SkippedTask(string Task, string Reason);

    /// <summary><see cref="Time"/> is null for the digital LoRA (evaluated once, without hardware).</summary>
    sealed record TableRow(string Method, string? Time, IReadOnlyList<TableCell> Cells, TableCell Average);

    sealed record TableCell(double Mean, double Std, IReadOnlyList<double> Values);

    sealed record SharedSweep(IReadOnlyList<string> Probes, IReadOnlyList<ulong> Programmings);

    sealed record BudgetCount(int Adapters, long AdapterParameters, long OneProgramming, long Separate, double PaperOneProgramming, double PaperSeparate);
}
