using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Deployment;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Spectre.Console;
using static MiniLmSentiment.Experiment;

namespace MiniLmSentiment;

/// <summary>The run's outputs for people and programs: tables in the terminal, report.md with PNG plots, results.json.</summary>
public static class Report
{
    public const string MarkdownFile = "report.md", JsonFile = "results.json";

    static (string Section, string Title)[] Sections(ExperimentResults r) =>
    [
        (ExperimentResults.MainTable, $"{r.Title}: accuracy on programmed PCM tiles (%)"),
        (ExperimentResults.Readaptation, "Re-adaptation: DAC/ADC dropped from 8 to 6 bits on the same meta-weights (%)"),
        (ExperimentResults.MultiTask, "Multi-task: two adapters on one programming of the meta-weights (%)"),
    ];

    public static void Write(ExperimentResults r)
    {
        var plots = new List<string>();
        foreach (var (section, title) in Sections(r))
        {
            var rows = r.Methods.Where(m => m.Section == section).ToList();
            if (rows.Count == 0) continue;
            AnsiConsole.Write(TerminalTable(title, rows, r.TotalParameters));
            string file = Path.Combine("plots", $"accuracy-vs-drift-{section}.png");
            DriftPlot.Write(Path.Combine(r.Options.Output, file), title.Replace(" (%)", "", StringComparison.Ordinal),
                rows.Select(m => ($"{m.Method} ({m.Task})", m.Points)).ToList());
            plots.Add(file);
        }
        AtomicFile.WriteText(Path.Combine(r.Options.Output, MarkdownFile), Markdown(r, plots));
        AtomicFile.WriteText(Path.Combine(r.Options.Output, JsonFile), Json(r, plots));
        AnsiConsole.MarkupLine($"Report: {Markup.Escape(Path.Combine(r.Options.Output, MarkdownFile))}, {JsonFile} and {plots.Count + r.Deployment.Plots.Count} plots; " +
                               $"run time {Format(r.Seconds / 60, "0.0")} min.");
    }

    static string Cell(DriftPoint p) => $"{Format(100 * p.Mean, "0.0")} ± {Format(100 * p.Std, "0.0")}";

    static string Percent(long part, long whole) => Format(100.0 * part / whole, "0.00") + " %";

    static Table TerminalTable(string title, IReadOnlyList<MethodResult> rows, long total)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("method (task, hardware)").AddColumn(new TableColumn("trainable").RightAligned());
        foreach (var p in rows[0].Points) table.AddColumn(new TableColumn(Markup.Escape(p.Label)).RightAligned());
        foreach (var m in rows)
            table.AddRow(new[] { $"{m.Method} ({m.Task}, {m.Hardware})", Percent(m.Trainable, total) }.Concat(m.Points.Select(Cell)).Select(Markup.Escape).ToArray());
        return table;
    }

    static string Markdown(ExperimentResults r, IReadOnlyList<string> plots)
    {
        var o = r.Options;
        var d = r.Deployment;
        var md = new StringBuilder();
        md.Append("# AHWA-LoRA on all-MiniLM-L6-v2\n\n");
        md.Append($"Data: {r.Data}; {r.TrainSentences} training and {r.TestSentences} test sentences ({Format(r.MeanTestTokens, "0.0")} tokens on average, at most {o.MaxTokens}). ");
        md.Append($"Seed {o.Seed}; {o.Epochs} epochs; LoRA lr {Format(o.LoraLearningRate, "0.#####")}, full AHWA lr {Format(o.FullLearningRate, "0.#####")}; ");
        md.Append($"{o.Repetitions} programmings for the {r.MainTask} table, {o.SecondaryRepetitions} for re-adaptation and the {r.SecondTask} task{(o.IsQuick ? " (--quick preset)" : "")}. ");
        md.Append($"Run time {Format(r.Seconds / 60, "0.0")} minutes.\n\n");
        md.Append($"Model: {r.TotalParameters:N0} parameters, {r.AnalogWeights:N0} analog meta-weights ({Percent(r.AnalogWeights, r.TotalParameters)}) on PCM tiles; ");
        md.Append($"digital accuracy of the digital LoRA: {Format(100 * r.DigitalAccuracy, "0.0")} %.\n\n");
        md.Append("Every entry is the test accuracy in %, mean ± standard deviation over programmings; each programming is read at every time after it, ");
        md.Append("with fresh drift and read noise and global drift compensation.\n\n");
        foreach (var (section, title) in Sections(r))
        {
            var rows = r.Methods.Where(m => m.Section == section).ToList();
            if (rows.Count == 0) continue;
            md.Append($"## {title}\n\n");
            md.Append("| method | task | hardware | trainable parameters | " + string.Join(" | ", rows[0].Points.Select(p => p.Label)) + " |\n");
            md.Append("|---|---|---|---:|" + string.Concat(rows[0].Points.Select(_ => "---:|")) + "\n");
            foreach (var m in rows)
                md.Append($"| {m.Method} | {m.Task} | {m.Hardware} | {m.Trainable:N0} ({Percent(m.Trainable, r.TotalParameters)}) | " + string.Join(" | ", m.Points.Select(Cell)) + " |\n");
            var plot = plots.FirstOrDefault(p => p.Contains(section, StringComparison.Ordinal));
            if (plot is not null) md.Append($"\n![{title}]({plot})\n");
            md.Append('\n');
        }
        md.Append("## Training\n\n| training | task | steps | seconds |\n|---|---|---:|---:|\n");
        foreach (var t in r.Trainings) md.Append($"| {t.Label} | {t.Task} | {t.Steps} | {Format(t.Seconds, "0")} |\n");
        md.Append("\n## Deployment\n\n");
        md.Append($"- Artifacts: {d.ArtifactFiles} files in `{Path.GetRelativePath(o.Output, d.Folder)}/` (C kernels, cluster runtime, tile map, manifest, Makefile); adapters in PEFT layout in `adapters/`.\n");
        md.Append($"- Tiles: {d.TilesUsed} of {d.Tiles} used, utilisation {Format(100 * d.TileUtilisation, "0.0")} %.\n");
        md.Append($"- Kernel cross-check on the host compiler: {d.CheckedLayers} layers ({d.Kernels} distinct kernels), each with its own trained adapter, {d.CheckedElements:N0} outputs, {d.Differences} differing from the managed reference.\n");
        md.Append($"- Pipeline at {d.PipelineTokens} tokens: {Format(d.PipelineNs / 1000, "0.0")} µs against {Format(d.AllAnalogNs / 1000, "0.0")} µs all-analog ");
        md.Append($"({Format((d.PipelineNs / d.AllAnalogNs - 1) * 100, "0.0")} % overhead); largest L1 working set {Format(d.MaxL1Bytes / 1024.0, "0.0")} KiB. Per layer: [pipeline.md](pipeline.md).\n\n");
        foreach (var plot in d.Plots) md.Append($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})\n");
        return md.ToString();
    }

    static string Json(ExperimentResults r, IReadOnlyList<string> plots)
    {
        var (o, d) = (r.Options, r.Deployment);
        return JsonFiles.Write(new ResultsDocument("all-MiniLM-L6-v2", r.Data, r.TrainSentences, r.TestSentences, r.MeanTestTokens,
            new OptionsDocument(o.Epochs, o.Seed, o.Repetitions, o.SecondaryRepetitions, o.LoraLearningRate, o.FullLearningRate, o.MaxTokens, o.IsQuick),
            r.TotalParameters, r.AnalogWeights, r.DigitalAccuracy,
            r.Methods.Select(m => new MethodDocument(m.Section, m.Task, m.Method, m.Hardware, m.Trainable, 100.0 * m.Trainable / r.TotalParameters, m.Points)).ToList(),
            r.Trainings,
            new DeploymentDocument(d.ArtifactFiles, d.TilesUsed, d.CheckedLayers, d.Kernels, d.CheckedElements, d.Differences, d.PipelineNs, d.AllAnalogNs),
            plots.Concat(d.Plots).Select(p => p.Replace('\\', '/')).ToList(), r.Seconds));
    }

    // results.json's shape: what a program reading the run needs, in the order the report tells it.
    sealed record ResultsDocument(string Model, string Data, int TrainSentences, int TestSentences, double MeanTestTokens, OptionsDocument Options,
        long TotalParameters, long AnalogWeights, double DigitalAccuracy, IReadOnlyList<MethodDocument> Methods, IReadOnlyList<TrainingRun> Trainings,
        DeploymentDocument Deployment, IReadOnlyList<string> Plots, double Seconds);

    sealed record OptionsDocument(int Epochs, ulong Seed, int Repetitions, int SecondaryRepetitions, double LoraLearningRate, double FullLearningRate,
        int MaxTokens, bool Quick);

    sealed record MethodDocument(string Section, string Task, string Method, string Hardware, long Trainable, double TrainablePercent,
        IReadOnlyList<DriftPoint> Points);

    sealed record DeploymentDocument(int ArtifactFiles, int TilesUsed, int CheckedLayers, int Kernels, long CheckedElements, long Differences,
        double PipelineNs, double AllAnalogNs);
}
