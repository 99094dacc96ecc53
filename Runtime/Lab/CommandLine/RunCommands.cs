using System;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Threading;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

public sealed class TrainSettings : TaskSettings
{
    [CommandOption("--epochs <N>")]
    [PositiveIntOption("Training epochs", 3, 1000)]
    public string? Epochs { get; init; }

    [CommandOption("--steps <N>")]
    [PositiveIntOption("Train only N steps: one epoch over the first N x batch examples (a quick check)", 1_000_000)]
    public string? Steps { get; init; }

    [CommandOption("--lr <X>")]
    [PositiveNumberOption("Adam learning rate, decaying linearly to 0", 1e-2)]
    public string? LearningRate { get; init; }

    [CommandOption("--batch <N>")]
    [PositiveIntOption("Batch size", 32, 65536)]
    public string? Batch { get; init; }

    public override ValidationResult Validate() => Read(out _) is string e ? ValidationResult.Error(e) : ValidationResult.Success();

    public string? Read(out (int Epochs, int? Steps, double Lr, int Batch, ulong Seed) values)
    {
        // Every value is read (each out is assigned), then the first problem is reported.
        var problems = new[]
        {
            OptionValues.Read(this, nameof(Epochs), out int epochs),
            OptionValues.Read(this, nameof(Steps), out int? steps),
            OptionValues.Read(this, nameof(LearningRate), out double lr),
            OptionValues.Read(this, nameof(Batch), out int batch),
            OptionValues.Read(this, nameof(Seed), out ulong seed),
            Output is null ? null : OptionValues.OutputFolder("--out", Output),
            AdapterProblem(),
            DataProblem(),
            Steps is not null && Epochs is not null ? $"--steps and --epochs exclude each other, got --steps '{Steps}' and --epochs '{Epochs}'." : null,
        };
        var problem = problems.FirstOrDefault(p => p is not null);
        values = (epochs, steps, lr, batch, seed);
        return problem;
    }
}

public sealed class TrainCommand(CliHost host) : AhwaCommand<TrainSettings>(host)
{
    protected override int Run(TrainSettings settings, CancellationToken cancellation)
    {
        settings.Read(out var v);
        var assembly = Resolve.Assembly(Host, settings);
        var registered = Resolve.Model(assembly, settings.Model);
        var task = Resolve.Task(assembly, registered, settings, v.Seed);
        using var model = Resolve.Create(registered, v.Seed);
        DataTasks.CheckHead(task, registered, model);
        if (settings.Adapter is string adapter) AdapterFiles.LoadInto(model, adapter);
        int examples = v.Steps is int steps ? Math.Min(task.Examples, steps * v.Batch) : task.Examples;
        var options = new TrainingOptions(LearningRate: v.Lr, BatchSize: v.Batch, Epochs: v.Steps is null ? v.Epochs : 1, Seed: v.Seed);
        var losses = ProgressLines.Run(Host, settings.Json, "training", report =>
            AhwaTrainer.Train(model, examples, batch => task.Loss(model, batch), options,
                new ImmediateProgress<TrainingStep>(s => report(s.Step, s.TotalSteps, $"loss {F(s.Loss, "0.000")}")), cancellation));
        string folder = settings.Output ?? Path.Combine("out", registered.Name);
        string adapters = Path.Combine(folder, "adapter");
        AdapterFiles.Save(model, adapters);
        double metric = task.Score(model);
        var result = new TrainResult(registered.Name, task.Name, losses.Count, losses.Count == 0 ? double.NaN : losses[^1], task.Metric, metric, adapters);
        if (settings.Json) Host.Output.WriteLine(JsonFiles.Write(result));
        else
            Host.Console.WriteLine($"Trained {registered.Name} on {task.Name}: {I(result.Steps)} steps, last loss {F(result.LastLoss, "0.000")}, " +
                                   $"{task.Metric} {F(metric, "0.000")} (digital); adapters in {adapters}");
        return ExitCodes.Done;
    }

    sealed record TrainResult(string Model, string Task, int Steps, double LastLoss, string Metric, double Value, string Adapter);
}

public sealed class EvaluateSettings : TaskSettings
{
    [CommandOption("--repetitions <N>")]
    [PositiveIntOption("Programmings of the meta-weights", 3, 1000)]
    public string? Repetitions { get; init; }

    [CommandOption("--quick")]
    [Description("Only 0 s, 1 year and 10 years instead of the paper's seven drift times")]
    public bool Quick { get; init; }

    public override ValidationResult Validate() =>
        (OptionValues.Problem(this)
         ?? (Output is null ? null : OptionValues.OutputFolder("--out", Output)) ?? AdapterProblem() ?? DataProblem()) is string e ? ValidationResult.Error(e) : ValidationResult.Success();
}

public sealed class EvaluateCommand(CliHost host) : AhwaCommand<EvaluateSettings>(host)
{
    protected override int Run(EvaluateSettings settings, CancellationToken cancellation)
    {
        int repetitions = OptionValues.Value<int>(settings, nameof(settings.Repetitions));
        ulong seed = OptionValues.Value<ulong>(settings, nameof(settings.Seed));
        var assembly = Resolve.Assembly(Host, settings);
        var registered = Resolve.Model(assembly, settings.Model);
        var task = Resolve.Task(assembly, registered, settings, seed);
        using var model = Resolve.Create(registered, seed);
        DataTasks.CheckHead(task, registered, model);
        if (settings.Adapter is string adapter) AdapterFiles.LoadInto(model, adapter);
        var times = settings.Quick ? DriftTimes.Labelled("0 s", "1 year", "10 years") : DriftTimes.Paper;
        var points = ProgressLines.Run(Host, settings.Json, "drift sweep", report =>
        {
            cancellation.ThrowIfCancellationRequested();
            return DriftSweep.Run(model, model.DeclaredDevice(), () => task.Score(model), repetitions, seed, times,
                new ImmediateProgress<(int Done, int Total)>(p => report(p.Done, p.Total, "")));
        });
        string folder = settings.Output ?? Path.Combine("out", registered.Name);
        Directory.CreateDirectory(folder);
        string json = DriftSweep.ToJson(task.Metric, points);
        AtomicFile.WriteText(Path.Combine(folder, "drift.json"), json);
        if (settings.Json)
        {
            Host.Output.WriteLine(json);
            return ExitCodes.Done;
        }
        var table = new Table().Title($"{Markup.Escape(task.Metric)} of {Markup.Escape(registered.Name)} on programmed PCM tiles ({I(repetitions)} programmings)")
            .AddColumns("time", "mean", "std");
        foreach (var p in points) table.AddRow(p.Label, F(p.Mean, "0.000"), F(p.Std, "0.000"));
        Host.Console.Write(table);
        Host.Console.WriteLine($"drift.json in {folder}");
        return ExitCodes.Done;
    }
}

/// <summary>Progress: a bar on an interactive terminal, plain lines (about every tenth) otherwise or with --json.</summary>
static class ProgressLines
{
    public static T Run<T>(CliHost host, bool json, string label, Func<Action<int, int, string>, T> work)
    {
        bool bar = !json && host.Console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        if (bar)
            return host.Console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn()).Start(context =>
            {
                var task = context.AddTask(label, maxValue: 1);
                return work((done, total, text) =>
                {
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    task.Description = text.Length == 0 ? label : $"{label} {Markup.Escape(text)}";
                });
            });
        int lastTenth = -1;
        // With --json, standard output is the document's; progress goes to standard error.
        var writer = json ? Console.Error : null;
        return work((done, total, text) =>
        {
            int tenth = total <= 0 ? 10 : done * 10 / total;
            if (tenth == lastTenth && done != total) return;
            lastTenth = tenth;
            string line = $"{label}: {done}/{total}" + (text.Length == 0 ? "" : " " + text);
            if (writer is not null) writer.WriteLine(line);
            else host.Console.WriteLine(line);
        });
    }
}
