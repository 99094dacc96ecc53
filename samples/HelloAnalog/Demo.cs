using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Lab.Deployment;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace HelloAnalog;

/// <summary>A short AHWA-LoRA run on a synthetic task: hardware-aware training with a progress bar, a drift sweep
/// on programmed PCM tiles, adapters and deployment files written to disk.</summary>
static class Demo
{
    public static void Run(TinyEncoder model, string outputFolder, int epochs, ulong seed)
    {
        var synthetic = new SyntheticTask(seed);
        double Accuracy() => synthetic.Evaluate(model);
        const int Examples = SyntheticTask.Count;

        var options = new TrainingOptions(LearningRate: 1e-2, BatchSize: 32, Epochs: epochs, Seed: seed);
        AnsiConsole.MarkupLine($"[bold]AHWA-LoRA[/] on a synthetic 3-class task: {Examples} examples, {epochs} epochs, Adam lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} decaying to 0");
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("training", maxValue: 1);
                var progress = new ImmediateProgress<TrainingStep>(step =>
                {
                    task.MaxValue = step.TotalSteps;
                    task.Value = step.Step;
                    task.Description = $"step {step.Step}/{step.TotalSteps} loss {step.Loss.ToString("0.000", CultureInfo.InvariantCulture)} {step.StepsPerSecond.ToString("0.0", CultureInfo.InvariantCulture)} steps/s";
                });
                AhwaTrainer.Train(model, Examples, batch => synthetic.Loss(model, batch), options, progress);
            });

        var adapters = Path.Combine(outputFolder, "adapter");
        AdapterFiles.Save(model, adapters);
        var points = DriftSweep.Run(model, model.DeclaredDevice(), Accuracy, repetitions: 3, seed: seed);
        var table = new Table().Title("Accuracy on programmed PCM tiles (3 programmings)").AddColumns("time", "mean", "std");
        foreach (var p in points)
            table.AddRow(p.Label, p.Mean.ToString("0.000", CultureInfo.InvariantCulture), p.Std.ToString("0.000", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AtomicFile.WriteText(Path.Combine(outputFolder, "drift.json"), DriftSweep.ToJson("accuracy", points));
        var files = ArtifactWriter.Write(TinyEncoder.Artifacts, Path.Combine(outputFolder, "deploy"));
        AnsiConsole.MarkupLine($"Wrote {files.Count} deployment files to {Markup.Escape(Path.Combine(outputFolder, "deploy"))}, adapters to {Markup.Escape(adapters)}, results to drift.json");
    }
}
