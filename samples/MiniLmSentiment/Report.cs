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

/// <summary>The run's outputs for people and programs: tables in the terminal, report.md with PNG plots, results.json.
/// Each task of the run gets its own section (main table, re-adaptation, multi-task, the paper beside it).</summary>
public static class Report
{
    public const string MarkdownFile = "report.md", JsonFile = "results.json";

    static (string Section, string Title)[] Sections(TaskResults t) =>
    [
        (ExperimentResults.MainTable, $"{t.Title}: {t.Metric} on programmed PCM tiles (%)"),
        (ExperimentResults.Readaptation, $"Re-adaptation ({t.Title}): DAC/ADC dropped from 8 to 6 bits on the same meta-weights, {t.Metric} (%)"),
        (ExperimentResults.MultiTask, $"Multi-task ({t.Title}): two adapters on one programming of the meta-weights (%)"),
    ];

    static string Slug(string text) => new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());

    public static void Write(ExperimentResults r)
    {
        var plots = new List<(TaskResults Task, string Section, string File)>();
        foreach (var t in r.Tasks)
            foreach (var (section, title) in Sections(t))
            {
                var rows = t.Methods.Where(m => m.Section == section).ToList();
                if (rows.Count == 0) continue;
                AnsiConsole.Write(TerminalTable(title, rows, r.TotalParameters));
                if (section == ExperimentResults.MainTable && t.Comparisons.Count > 0) AnsiConsole.Write(TerminalComparisons(t));
                string file = Path.Combine("plots", $"{Slug(t.MainTask)}-vs-drift-{section}.png");
                DriftPlot.Write(Path.Combine(r.Options.Output, file), title.Replace(" (%)", "", StringComparison.Ordinal), rows.Select(m => m.Metric).ToList(),
                    rows.Select(m => ($"{m.Method} ({m.Task})", m.Points)).ToList());
                plots.Add((t, section, file));
            }
        AtomicFile.WriteText(Path.Combine(r.Options.Output, MarkdownFile), Markdown(r, plots));
        AtomicFile.WriteText(Path.Combine(r.Options.Output, JsonFile), Json(r, plots.Select(p => p.File).ToList()));
        AnsiConsole.MarkupLine($"Report: {Markup.Escape(Path.Combine(r.Options.Output, MarkdownFile))}, {JsonFile} and {plots.Count + (r.Deployment?.Plots.Count ?? 0)} plots; " +
                               $"run time {Format(r.Seconds / 60, "0.0")} min.");
    }

    internal static string Cell(DriftPoint p) => $"{Format(100 * p.Mean, "0.0")} ± {Format(100 * p.Std, "0.0")}";

    static string Percent(long part, long whole) => Format(100.0 * part / whole, "0.00") + " %";

    internal static string Millions(double parameters) => Format(parameters / 1e6, "0.0") + " M";

    static Table TerminalTable(string title, IReadOnlyList<MethodResult> rows, long total)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("method (task, hardware)").AddColumn(new TableColumn("trainable").RightAligned());
        foreach (var p in rows[0].Points) table.AddColumn(new TableColumn(Markup.Escape(p.Label)).RightAligned());
        foreach (var m in rows)
            table.AddRow(new[] { $"{m.Method} ({m.Task}, {m.Hardware})", Percent(m.Trainable, total) }.Concat(m.Points.Select(Cell)).Select(Markup.Escape).ToArray());
        return table;
    }

    static string Markdown(ExperimentResults r, IReadOnlyList<(TaskResults Task, string Section, string File)> plots)
    {
        var o = r.Options;
        var md = new StringBuilder();
        md.Append("# AHWA-LoRA on all-MiniLM-L6-v2\n\n");
        md.Append($"Seed {o.Seed}; {o.Epochs} epochs; LoRA lr {Format(o.LoraLearningRate, "0.#####")}, full AHWA lr {Format(o.FullLearningRate, "0.#####")}; at most {o.MaxTokens} tokens; ");
        md.Append($"{o.Repetitions} programmings for each main table, {o.SecondaryRepetitions} for re-adaptation and the second task{(o.IsSmoke ? " (--smoke preset: a check that every phase runs; these numbers are not results)" : o.IsQuick ? " (--quick preset)" : "")}. ");
        md.Append($"Run time {Format(r.Seconds / 60, "0.0")} minutes.\n\n");
        if (o.IsQuick && !o.IsSmoke && r.Trainings.FirstOrDefault(t => t.Steps > 0) is { } first)
            md.Append($"What this budget can show: each adapter trains for {first.Steps} optimiser steps, with the learning rate decaying to zero. AHWA-LoRA " +
                      "learns more slowly than the digital LoRA under the training-time noise (docs/training.md: on 320 STS-B pairs at lr 1e-3 it trailed " +
                      "by 18 points after 40 steps and matched it from about 60 of 160), so with fewer than about a hundred steps the gaps between methods " +
                      "measure the budget, not the hardware; the default preset gives the comparison the steps it needs.\n\n");
        if (o.ChipKnobs is not null) md.Append($"Chip knobs changed from the model's declaration for this run: {o.ChipKnobs}.\n\n");
        md.Append($"Model: {r.TotalParameters:N0} parameters, {r.AnalogWeights:N0} analog meta-weights ({Percent(r.AnalogWeights, r.TotalParameters)}) on PCM tiles.\n\n");
        md.Append("Every entry is the test metric in %, mean ± standard deviation over programmings; each programming is read at every time after it, ");
        md.Append("with fresh drift and read noise and global drift compensation.\n\n");
        foreach (var t in r.Tasks)
        {
            md.Append($"Task {t.MainTask}: {t.Data}; {t.TrainCount} training and {t.TestCount} test {t.Items} ({Format(t.MeanTestTokens, "0.0")} tokens on average); ");
            md.Append($"metric {t.Metric}; digital score of the digital LoRA {Format(100 * t.DigitalScore, "0.0")} %.\n\n");
            foreach (var (section, title) in Sections(t))
            {
                var rows = t.Methods.Where(m => m.Section == section).ToList();
                if (rows.Count == 0) continue;
                md.Append($"## {title}\n\n");
                md.Append("| method | task | hardware | trainable parameters | " + string.Join(" | ", rows[0].Points.Select(p => p.Label)) + " |\n");
                md.Append("|---|---|---|---:|" + string.Concat(rows[0].Points.Select(_ => "---:|")) + "\n");
                foreach (var m in rows)
                    md.Append($"| {m.Method} | {m.Task} | {m.Hardware} | {m.Trainable:N0} ({Percent(m.Trainable, r.TotalParameters)}) | " + string.Join(" | ", m.Points.Select(Cell)) + " |\n");
                Others(md, rows);
                if (section == ExperimentResults.MainTable) Comparisons(md, t);
                if (section == ExperimentResults.MultiTask) Budget(md, t.Budget);
                var plot = plots.FirstOrDefault(p => p.Task == t && p.Section == section);
                if (plot.File is not null) md.Append($"\n![{title}]({plot.File})\n");
                md.Append('\n');
            }
            Paper(md, t);
        }
        md.Append("## Training\n\n| training | task | steps | seconds |\n|---|---|---:|---:|\n");
        foreach (var t in r.Trainings) md.Append($"| {t.Label} | {t.Task} | {t.Steps} | {Format(t.Seconds, "0")} |\n");
        if (r.Deployment is { } d)
        {
            md.Append("\n## Deployment\n\n");
            md.Append($"- Artifacts: {d.ArtifactFiles} files in `{Path.GetRelativePath(o.Output, d.Folder)}/` (C kernels, cluster runtime, tile map, manifest, Makefile); adapters in PEFT layout in `adapters/`.\n");
            md.Append($"- Tiles: {d.TilesUsed} of {d.Tiles} used, utilisation {Format(100 * d.TileUtilisation, "0.0")} %.\n");
            md.Append($"- Kernel cross-check on the host compiler: {d.CheckedLayers} layers ({d.Kernels} distinct kernels), each with its own trained adapter, {d.CheckedElements:N0} outputs, {d.Differences} differing from the managed reference.\n");
            md.Append($"- Pipeline at {d.PipelineTokens} tokens: {Format(d.PipelineNs / 1000, "0.0")} µs against {Format(d.AllAnalogNs / 1000, "0.0")} µs all-analog ");
            md.Append($"({Format((d.PipelineNs / d.AllAnalogNs - 1) * 100, "0.0")} % overhead); largest L1 working set {Format(d.MaxL1Bytes / 1024.0, "0.0")} KiB. Per layer: [pipeline.md](pipeline.md).\n\n");
            foreach (var plot in d.Plots) md.Append($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})\n");
        }
        else md.Append("\nDeployment skipped (--no-deploy).\n");
        return md.ToString();
    }

    /// <summary>The comparisons' columns in the order the tables show them.</summary>
    static readonly string[] Against = [MiniLmSentiment.Comparisons.NoAdaptation, MiniLmSentiment.Comparisons.FullAhwa, MiniLmSentiment.Comparisons.Digital];

    /// <summary>A difference in metric points with its interval and what it decides: "+1.2 [-0.4, +2.9] within noise".</summary>
    internal static string Difference(PairedDifference d) =>
        $"{Points(d.Estimate)} [{Points(d.Low)}, {Points(d.High)}] {(d.BeyondNoise ? "beyond noise" : "within noise")}";

    static string Points(double fraction) => Format(100 * fraction, "+0.0;-0.0;0.0");

    /// <summary>Time, then the difference against each method (empty where not measured: the digital model at 0 s only).</summary>
    static IEnumerable<(string Time, string[] Cells)> ComparisonRows(TaskResults t) =>
        t.Comparisons.GroupBy(c => c.Time).Select(g => (g.Key, Against.Select(b => g.FirstOrDefault(c => c.B == b) is { } c ? Difference(c.Difference) : "").ToArray()));

    static Table TerminalComparisons(TaskResults t)
    {
        var first = t.Comparisons[0].Difference;
        var table = new Table().Title(Markup.Escape($"{t.Title}: AHWA-LoRA minus each method, {t.Metric} points, {Format(100 * first.Confidence, "0")} % bootstrap interval"))
            .AddColumn("time");
        foreach (var b in Against) table.AddColumn(Markup.Escape($"AHWA-LoRA − {b}"));
        foreach (var (time, cells) in ComparisonRows(t)) table.AddRow(new[] { time }.Concat(cells).Select(Markup.Escape).ToArray());
        return table;
    }

    /// <summary>The statistics that decide the main table: AHWA-LoRA minus no adaptation and minus full AHWA at every
    /// time, minus the digital LoRA at 0 s, each with its paired bootstrap interval.</summary>
    static void Comparisons(StringBuilder md, TaskResults t)
    {
        if (t.Comparisons.Count == 0) return;
        var d = t.Comparisons[0].Difference;
        md.Append($"\nAHWA-LoRA minus each method, in {t.Metric} points, from the same evaluations: the mean over programmings of the paired difference on the same ");
        md.Append($"{d.Items} test items, with a {Format(100 * d.Confidence, "0")} % percentile interval from {d.Resamples:N0} bootstrap resamples of programmings and items ");
        md.Append("(the same resample for both methods; seeded by the run's seed). Full AHWA has meta-weights of its own, programmed with the same seeds; ");
        md.Append("the digital LoRA is evaluated once. \"Beyond noise\" only where the interval excludes zero.\n\n");
        md.Append("| time | " + string.Join(" | ", Against.Select(b => $"AHWA-LoRA − {b}")) + " |\n|---|" + string.Concat(Against.Select(_ => "---:|")) + "\n");
        foreach (var (time, cells) in ComparisonRows(t)) md.Append($"| {time} | " + string.Join(" | ", cells) + " |\n");
    }

    /// <summary>The metrics the benchmark reports beside the main one, for the same rows (same programmings and times).</summary>
    static void Others(StringBuilder md, IReadOnlyList<MethodResult> rows)
    {
        if (rows.All(m => m.Others.Count == 0)) return;
        md.Append("\nBeside it, from the same evaluations:\n\n| method | task | metric | " + string.Join(" | ", rows[0].Points.Select(p => p.Label)) + " |\n");
        md.Append("|---|---|---|" + string.Concat(rows[0].Points.Select(_ => "---:|")) + "\n");
        foreach (var m in rows)
            foreach (var other in m.Others)
                md.Append($"| {m.Method} | {m.Task} | {other.Metric} | " + string.Join(" | ", other.Points.Select(Cell)) + " |\n");
    }

    /// <summary>The paper's count beside this run's: adapters on one programming against separately programmed models.</summary>
    static void Budget(StringBuilder md, AdapterBudget b)
    {
        md.Append($"\n| parameters | adapters | one programming, adapters swapped | separately programmed models |\n|---|---:|---:|---:|\n");
        md.Append($"| this run (all-MiniLM-L6-v2, adapter {b.AdapterParameters:N0} from the layer spec) | {b.Adapters} | {Millions(b.OneProgramming)} | {Millions(b.Separate)} |\n");
        md.Append($"| paper (MobileBERT, GLUE) | {PaperResults.MultiTaskAdapters} | {Millions(PaperResults.MultiTaskOneChip)} | {Millions(PaperResults.MultiTaskSeparate)} |\n");
    }

    /// <summary>The paper's figures for the task beside this run's at the same drift time (SQuAD only; the paper's model
    /// is MobileBERT, this run's all-MiniLM-L6-v2, so the pattern compares, not the values).</summary>
    static void Paper(StringBuilder md, TaskResults t)
    {
        var figures = PaperResults.For(t.Title);
        if (figures.Count == 0) return;
        md.Append($"## {t.Title} beside the paper ({PaperResults.SquadModel}, {t.Metric} %)\n\n| method | time | paper | this run |\n|---|---|---:|---:|\n");
        foreach (var f in figures)
        {
            var point = t.Methods.FirstOrDefault(m => m.Method == f.Method)?.Points.FirstOrDefault(p => p.Label == f.Time);
            md.Append($"| {f.Method} | {f.Time} | {Format(f.Value, "0.00")} | {(point is null ? "not measured" : Cell(point))} |\n");
        }
        md.Append($"\nThe paper's BERT-base and BERT-large lose {Format(PaperResults.BertBaseTenYearDrop, "0.00")} and {Format(PaperResults.BertLargeTenYearDrop, "0.00")} F1 points over 10 years with AHWA-LoRA.\n\n");
    }

    static string Json(ExperimentResults r, IReadOnlyList<string> plots)
    {
        var o = r.Options;
        var d = r.Deployment;
        return JsonFiles.Write(new ResultsDocument("all-MiniLM-L6-v2",
            new OptionsDocument(o.Epochs, o.Seed, o.Repetitions, o.SecondaryRepetitions, o.LoraLearningRate, o.FullLearningRate, o.MaxTokens, o.IsQuick, o.Task),
            r.TotalParameters, r.AnalogWeights,
            r.Tasks.Select(t => new TaskDocument(t.MainTask, t.Title, t.SecondTask, t.Metric, t.Items, t.Data, t.TrainCount, t.TestCount, t.MeanTestTokens, t.DigitalScore,
                new BudgetDocument(t.Budget.Adapters, t.Budget.AdapterParameters, t.Budget.OneProgramming, t.Budget.Separate), PaperResults.For(t.Title),
                t.Comparisons.Select(c => new ComparisonDocument(c.A, c.B, c.Time, c.Seconds, c.Difference.Estimate, c.Difference.Low, c.Difference.High,
                    c.Difference.Confidence, c.Difference.Resamples, c.Difference.Programmings, c.Difference.Items, c.Difference.BeyondNoise)).ToList())).ToList(),
            r.Tasks.SelectMany(t => t.Methods.Select(m => new MethodDocument(t.MainTask, m.Section, m.Task, m.Method, m.Hardware, m.Trainable, 100.0 * m.Trainable / r.TotalParameters,
                    m.Points, m.Others)))
                .ToList(),
            r.Trainings,
            d is null ? null : new DeploymentDocument(d.ArtifactFiles, d.TilesUsed, d.CheckedLayers, d.Kernels, d.CheckedElements, d.Differences, d.PipelineNs, d.AllAnalogNs),
            plots.Concat(d?.Plots ?? Array.Empty<string>()).Select(p => p.Replace('\\', '/')).ToList(), r.Seconds));
    }

    // results.json's shape: what a program reading the run needs, in the order the report tells it.
    sealed record ResultsDocument(string Model, OptionsDocument Options, long TotalParameters, long AnalogWeights, IReadOnlyList<TaskDocument> Tasks,
        IReadOnlyList<MethodDocument> Methods, IReadOnlyList<TrainingRun> Trainings, DeploymentDocument? Deployment, IReadOnlyList<string> Plots, double Seconds);

    sealed record OptionsDocument(int Epochs, ulong Seed, int Repetitions, int SecondaryRepetitions, double LoraLearningRate, double FullLearningRate,
        int MaxTokens, bool Quick, string Task);

    sealed record TaskDocument(string Name, string Title, string SecondTask, string Metric, string Items, string Data, int TrainCount, int TestCount,
        double MeanTestTokens, double DigitalScore, BudgetDocument Budget, IReadOnlyList<PaperPoint> Paper, IReadOnlyList<ComparisonDocument> Comparisons);

    /// <summary><see cref="A"/> minus <see cref="B"/> in the main metric (a fraction, as the points' means) with its interval.</summary>
    sealed record ComparisonDocument(string A, string B, string Time, double Seconds, double Difference, double Low, double High, double Confidence,
        int Resamples, int Programmings, int Items, bool BeyondNoise);

    sealed record BudgetDocument(int Adapters, long AdapterParameters, long OneProgramming, long Separate);

    /// <summary><see cref="Workload"/> names the task section the row belongs to (its main task's adapter name);
    /// <see cref="Others"/> holds the metrics beside the main one.</summary>
    sealed record MethodDocument(string Workload, string Section, string Task, string Method, string Hardware, long Trainable, double TrainablePercent,
        IReadOnlyList<DriftPoint> Points, IReadOnlyList<MetricPoints> Others);

    sealed record DeploymentDocument(int ArtifactFiles, int TilesUsed, int CheckedLayers, int Kernels, long CheckedElements, long Differences,
        double PipelineNs, double AllAnalogNs);
}
