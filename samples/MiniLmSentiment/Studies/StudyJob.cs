using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;

namespace MiniLmSentiment.Studies;

/// <summary>
/// <c>--study NAME</c>: a diagnostic of the training recipe on the run's first task instead of the main job (issue 32).
/// <c>layer-errors</c> compares each layer's output error under the training-time noise model with the programmed chip's;
/// <c>learning-curves</c> trains the digital LoRA and AHWA-LoRA with the run's options and evaluates both along the way.
/// Each writes <c>study-NAME.md</c>, <c>.json</c> (and a plot) to the output folder.
/// </summary>
public static class StudyJob
{
    public const string LayerErrorsStudy = "layer-errors", LearningCurvesStudy = "learning-curves";

    public static readonly IReadOnlyList<string> Names = new[] { LayerErrorsStudy, LearningCurvesStudy };

    /// <summary>Noise draws and programmings per mode of the layer-error study.</summary>
    public const int LayerErrorDraws = 4;

    /// <summary>Evaluations along each training of the learning-curve study.</summary>
    public const int Checkpoints = 8;

    public static string? Problem(string? study) =>
        study is null || Names.Contains(study) ? null : $"--study must be one of {string.Join(", ", Names)}, got '{study}'.";

    public static void Run(ExperimentOptions o, System.Threading.CancellationToken cancellation = default)
    {
        var pretrained = Pretrained.Load();
        var workload = Workloads.Load(o, pretrained.Tokenizer());
        var task = workload.Main;
        RunFolder.Claim(o.Output);
        using var model = new MiniLm((long)o.Seed);
        var (_, untrained) = Experiment.Start(model, o, pretrained);
        var device = o.Device();
        AnsiConsole.MarkupLine($"Study {Markup.Escape(o.Study!)} on {Markup.Escape(workload.Data)}: {task.Examples} training and {task.TestCount} test {task.Items}, seed {o.Seed}{(o.ChipKnobs is null ? "" : ", chip knobs " + Markup.Escape(o.ChipKnobs))}.");
        string stem = Path.Combine(o.Output, "study-" + o.Study);
        if (o.Study == LayerErrorsStudy)
        {
            var modes = LayerMode.Standard;
            var errors = LayerErrors.Measure(model, () => task.Score(model), modes, device, LayerErrorDraws, o.Seed);
            AtomicFile.WriteText(stem + ".json", JsonFiles.Write(new { task = task.Name, draws = LayerErrorDraws, modes = modes.Select(m => m.Name.Trim()), layers = errors }));
            AtomicFile.WriteText(stem + ".md", LayerErrorTable(task.Name, modes, errors));
        }
        else
        {
            var curves = new List<LearningCurve>();
            ulong programming = RandomStream.Derive(o.Seed, StreamPurpose.Repetition, 0);
            foreach (var (method, execution) in new[] { ("digital LoRA", AnalogExecution.Digital), ("AHWA-LoRA", AnalogExecution.HardwareAware) })
            {
                var options = new TrainingOptions(LearningRate: o.LoraLearningRate, Epochs: o.Epochs, Seed: o.Seed, Regime: TrainingRegime.AhwaLora);
                curves.Add(LearningCurves.Train(model, task, untrained, method, execution, options, Checkpoints, device, programming,
                    line => AnsiConsole.MarkupLine(Markup.Escape(line)), cancellation));
            }
            AtomicFile.WriteText(stem + ".json", JsonFiles.Write(new { task = task.Name, metric = task.Metric, curves }));
            AtomicFile.WriteText(stem + ".md", CurveTable(task, curves));
            CurvePlot.Write(stem + ".png", $"{task.Name}: {task.Metric} while training ({task.Examples} {task.Items}, lr {F(o.LoraLearningRate, "G3")})", task.Metric, curves);
        }
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(stem)}.md");
    }

    static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    static string LayerErrorTable(string task, IReadOnlyList<LayerMode> modes, IReadOnlyList<LayerError> errors)
    {
        var md = new StringBuilder();
        md.Append($"# Output error per layer: training-time noise against the programmed chip ({task})\n\n");
        md.Append($"||y - y_digital|| / ||W x|| over each layer's recorded input tokens (mean ± std over {LayerErrorDraws} noise draws or programmings), %.\n\n");
        md.Append("| layer | tokens | " + string.Join(" | ", modes.Select(m => m.Name.Trim())) + " | training / chip 0 s |\n");
        md.Append("|---|---:|" + string.Concat(modes.Select(_ => "---:|")) + "---:|\n");
        int training = 0, chip = modes.ToList().FindIndex(m => m.IsProgrammed && m.Seconds == 0);
        foreach (var e in errors)
        {
            md.Append($"| {e.Layer} | {e.Tokens} | ");
            md.Append(string.Join(" | ", e.Mean.Select((m, i) => $"{F(100 * m, "0.00")} ± {F(100 * e.Std[i], "0.00")}")));
            md.Append($" | {(chip >= 0 ? F(e.Mean[training] / e.Mean[chip], "0.0") + "x" : "-")} |\n");
        }
        return md.ToString();
    }

    static string CurveTable(IModelTask task, IReadOnlyList<LearningCurve> curves)
    {
        var md = new StringBuilder();
        md.Append($"# Learning curves ({task.Name}, {task.Metric} on {task.TestCount} test {task.Items}, x 100)\n\n");
        md.Append("Evaluated digitally, under the training-time noise model (one draw) and on the programmed chip at 0 s (one programming).\n\n");
        md.Append("| step | " + string.Join(" | ", curves.Select(c => $"{c.Method}: digital | training noise | chip 0 s")) + " |\n");
        md.Append("|---:|" + string.Concat(curves.Select(_ => "---:|---:|---:|")) + "\n");
        foreach (int i in Enumerable.Range(0, curves[0].Points.Count))
        {
            md.Append($"| {curves[0].Points[i].Step} | ");
            md.Append(string.Join(" | ", curves.Select(c => c.Points[i]).Select(p => $"{F(100 * p.Digital, "0.0")} | {F(100 * p.TrainingNoise, "0.0")} | {F(100 * p.Chip, "0.0")}")));
            md.Append(" |\n");
        }
        return md.ToString();
    }
}

/// <summary>The learning curves as one PNG: the metric (x 100) against optimiser steps, a line per method and evaluation.</summary>
static class CurvePlot
{
    public static string Write(string path, string title, string metric, IReadOnlyList<LearningCurve> curves)
    {
        var plot = new ScottPlot.Plot();
        for (int c = 0; c < curves.Count; c++)
        {
            var curve = curves[c];
            var steps = curve.Points.Select(p => (double)p.Step).ToArray();
            foreach (var (name, values, pattern) in new (string, Func<CurvePoint, double>, ScottPlot.LinePattern)[]
                     {
                         ("digital", p => p.Digital, ScottPlot.LinePattern.Solid),
                         ("training noise", p => p.TrainingNoise, ScottPlot.LinePattern.Dotted),
                         ("chip 0 s", p => p.Chip, ScottPlot.LinePattern.Dashed),
                     })
            {
                var line = plot.Add.Scatter(steps, curve.Points.Select(p => 100 * values(p)).ToArray());
                line.LegendText = $"{curve.Method}, {name}";
                line.LinePattern = pattern;
                line.Color = new ScottPlot.Palettes.Category10().GetColor(c);
            }
        }
        plot.Title(string.Join("\n", Ahwa.Lab.Evaluation.DriftPlot.TitleLines(title)));
        plot.XLabel("optimiser steps");
        plot.YLabel(Ahwa.Lab.Evaluation.DriftPlot.AxisLabel(new[] { metric }));
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return PlotFiles.Save(plot, path, 800, 600);
    }
}
