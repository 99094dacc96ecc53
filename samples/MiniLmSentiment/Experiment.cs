using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;
using TorchSharp;

namespace MiniLmSentiment;

/// <summary>One row of a results table: a method's accuracy over drift times on one task and hardware.</summary>
public sealed record MethodResult(string Section, string Task, string Method, string Hardware, long Trainable, IReadOnlyList<DriftPoint> Points);

/// <summary>One training: what it trained, on which task, how many optimiser steps, how long.</summary>
public sealed record TrainingRun(string Label, string Task, int Steps, double Seconds);

/// <summary>Everything one run measured.</summary>
public sealed record ExperimentResults(ExperimentOptions Options, string Title, string MainTask, string SecondTask, string Data, int TrainSentences, int TestSentences, double MeanTestTokens,
    long TotalParameters, long AnalogWeights, double DigitalAccuracy, IReadOnlyList<MethodResult> Methods, IReadOnlyList<TrainingRun> Trainings,
    DeploymentSummary Deployment, double Seconds)
{
    public const string MainTable = "main", Readaptation = "re-adaptation", MultiTask = "multi-task";
}

/// <summary>
/// The paper's experiment with the pretrained MiniLM: a digital LoRA (upper bound), that model deployed unchanged on
/// programmed PCM tiles (no adaptation), AHWA-LoRA and full AHWA training, each at the drift times over repeated
/// programmings; re-adaptation to 6-bit converters; a second task's adapter on the same programming; deployment.
/// </summary>
public static class Experiment
{
    /// <param name="cancellation">Ctrl-C: checked at every training step and evaluated batch.</param>
    public static ExperimentResults Run(ExperimentOptions o, System.Threading.CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var pretrained = Pretrained.Load();
        var tokenizer = pretrained.Tokenizer();
        var workload = Workloads.Load(o, tokenizer);
        var (task, other, data) = (workload.Main, workload.Second, workload.Data);
        string mainName = workload.MainAdapter, secondName = workload.SecondAdapter;
        var phases = new Phases(o.Output, o);
        phases.CheckAll(); // a rerun with other options is refused before anything is written
        // Only now, with the model and data read, does the run create its folder; a stale report from an earlier run
        // is removed before any new adapter is written, so report and adapters always belong together.
        Directory.CreateDirectory(o.Output);
        foreach (var stale in new[] { Report.MarkdownFile, Report.JsonFile }) File.Delete(Path.Combine(o.Output, stale));
        AnsiConsole.MarkupLine($"Data: {Markup.Escape(data)}: {task.TrainCount} training and {task.TestCount} test sentences " +
                               $"({Format(task.MeanTestTokens, "0.0")} tokens on average), seed {o.Seed}.");

        using var model = new MiniLm((long)o.Seed);
        var checkpoint = BertCheckpoint.FromOnnx(pretrained.Onnx());
        BertCheckpoint.LoadInto(model, checkpoint, pretrained.Source);
        var untrained = AdapterFiles.Capture(model, "untrained");
        long total = model.parameters().Sum(p => p.numel());
        long adapterSize = model.AdapterParameters().Sum(p => p.Parameter.numel());
        var groups = model.ParameterGroups();
        long analog = groups.Count(groups.MetaWeights);
        AnsiConsole.MarkupLine($"Model: all-MiniLM-L6-v2 from {Markup.Escape(Path.GetFileName(pretrained.Source))}, {total:N0} parameters; {analog:N0} analog meta-weights " +
                               $"({Format(100.0 * analog / total, "0.0")} %) on {MiniLm.Spec.Layers.Count(l => l.IsAnalog)} layers; adapter {adapterSize:N0} ({Format(100.0 * adapterSize / total, "0.00")} %).");

        var chip = MiniLm.Spec.Chip;
        var trainer = new Trainer(model, o, phases, cancellation);
        var results = new List<MethodResult>();

        // Training: every adapter starts from the same untrained state.
        var digital = trainer.Train(task, "digital LoRA", mainName + "-digital", untrained, AnalogExecution.Digital);
        model.SetExecution(AnalogExecution.Digital);
        double digitalAccuracy = task.Accuracy(model);
        var ahwa = trainer.Train(task, "AHWA-LoRA", mainName, untrained, AnalogExecution.HardwareAware);
        Adapter? second = other is null ? null : trainer.Train(other, $"AHWA-LoRA, {secondName} task", secondName, untrained, AnalogExecution.HardwareAware);
        model.ChangeConverters(6, 6);
        var sixBit = trainer.Train(task, "LoRA retrained for 6-bit DAC/ADC", mainName + "-6bit", ahwa, AnalogExecution.HardwareAware, o.ReadaptationEpochs);
        model.ChangeConverters(chip.DacBits, chip.AdcBits);
        SaveAdapters(model, o.Output, second is null ? new[] { ahwa, sixBit } : new[] { ahwa, sixBit, second });

        // One programming of the pretrained meta-weights serves every adapter and both converter settings.
        Action Use(Adapter adapter, int bits) => () =>
        {
            model.ChangeConverters(bits, bits);
            AdapterFiles.Apply(model, adapter);
        };
        var probes = new List<(SweepProbe Probe, SentenceTask Task)>
        {
            (new SweepProbe("no adaptation", () => task.Accuracy(model), Use(digital, chip.AdcBits)), task),
            (new SweepProbe("AHWA-LoRA", () => task.Accuracy(model), Use(ahwa, chip.AdcBits)), task),
            (new SweepProbe("no adaptation, 6-bit hardware", () => task.Accuracy(model), Use(digital, 6), o.SecondaryRepetitions), task),
            (new SweepProbe("8-bit adapter, 6-bit hardware", () => task.Accuracy(model), Use(ahwa, 6), o.SecondaryRepetitions), task),
            (new SweepProbe("6-bit LoRA, 6-bit hardware", () => task.Accuracy(model), Use(sixBit, 6), o.SecondaryRepetitions), task),
        };
        if (other is not null && second is not null)
            probes.Add((new SweepProbe($"{secondName} adapter", () => other.Accuracy(model), Use(second, chip.AdcBits), o.SecondaryRepetitions), other));
        var shared = Sweep(model, "evaluating on programmed tiles (pretrained meta-weights)", probes, o, cancellation);
        model.ChangeConverters(chip.DacBits, chip.AdcBits);

        // Full AHWA changes the meta-weights (and the learned output scales), so it needs a programming of its own
        // and the pretrained state back afterwards.
        var outputScales = model.AnalogLayers.Select(l => l.output_scale.detach().clone()).ToList();
        trainer.Train(task, "full AHWA", mainName + "-full", untrained, AnalogExecution.HardwareAware, regime: TrainingRegime.FullAhwa);
        var fullPoints = Sweep(model, "evaluating on programmed tiles (full AHWA weights)",
            new[] { (new SweepProbe("full AHWA", () => task.Accuracy(model)), task) }, o, cancellation)["full AHWA"];
        BertCheckpoint.LoadInto(model, checkpoint, pretrained.Source);
        using (torch.no_grad())
            foreach (var (layer, scale) in model.AnalogLayers.Zip(outputScales)) layer.output_scale.copy_(scale);
        AdapterFiles.Apply(model, ahwa);

        string bits8 = $"{chip.DacBits}-bit DAC/ADC", bits6 = "6-bit DAC/ADC";
        IReadOnlyList<DriftPoint> Flat(double value) => o.Times.Select(t => new DriftPoint(t.Seconds, t.Label, value, 0, new[] { value })).ToList();
        results.Add(new MethodResult(ExperimentResults.MainTable, task.Name, "Digital LoRA (upper bound)", "digital", adapterSize, Flat(digitalAccuracy)));
        results.Add(new MethodResult(ExperimentResults.MainTable, task.Name, "Digital LoRA on analog hardware (no adaptation)", bits8, adapterSize, shared["no adaptation"]));
        results.Add(new MethodResult(ExperimentResults.MainTable, task.Name, "AHWA-LoRA", bits8, adapterSize, shared["AHWA-LoRA"]));
        results.Add(new MethodResult(ExperimentResults.MainTable, task.Name, "Full AHWA", bits8, total, fullPoints));
        results.Add(new MethodResult(ExperimentResults.Readaptation, task.Name, "Digital LoRA (no adaptation)", bits6, adapterSize, shared["no adaptation, 6-bit hardware"]));
        results.Add(new MethodResult(ExperimentResults.Readaptation, task.Name, "AHWA-LoRA trained for 8 bits", bits6, adapterSize, shared["8-bit adapter, 6-bit hardware"]));
        results.Add(new MethodResult(ExperimentResults.Readaptation, task.Name, "LoRA retrained for 6 bits", bits6, adapterSize, shared["6-bit LoRA, 6-bit hardware"]));
        results.Add(new MethodResult(ExperimentResults.MultiTask, task.Name, $"AHWA-LoRA, {mainName} adapter", bits8, adapterSize, shared["AHWA-LoRA"]));
        if (other is not null && second is not null)
            results.Add(new MethodResult(ExperimentResults.MultiTask, other.Name, $"AHWA-LoRA, {secondName} adapter", bits8, adapterSize, shared[$"{secondName} adapter"]));

        var deployment = Deployment.Run(model, o.Output, o.Seed);
        var experiment = new ExperimentResults(o, workload.Title, mainName, secondName, data, task.TrainCount, task.TestCount, task.MeanTestTokens, total, analog, digitalAccuracy,
            results, trainer.Runs, deployment, clock.Elapsed.TotalSeconds);
        Report.Write(experiment);
        return experiment;
    }

    static void SaveAdapters(MiniLm model, string output, IEnumerable<Adapter> adapters)
    {
        foreach (var adapter in adapters)
        {
            AdapterFiles.Apply(model, adapter);
            AdapterFiles.Save(model, Path.Combine(output, "adapters", adapter.Name), adapter.Name, "SEQ_CLS");
        }
    }

    static IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> Sweep(MiniLm model, string label, IReadOnlyList<(SweepProbe Probe, SentenceTask Task)> probes, ExperimentOptions o,
        System.Threading.CancellationToken cancellation)
    {
        IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> points = new Dictionary<string, IReadOnlyList<DriftPoint>>();
        long sentences = probes.Sum(p => (long)Math.Min(o.Repetitions, p.Probe.Repetitions ?? o.Repetitions) * o.Times.Count * p.Task.TestCount);
        Progress.Run(label, sentences, advance =>
        {
            // Each probe advances the bar per evaluated batch, so long evaluations still move it.
            var counted = probes.Select(p => p.Probe with { Evaluate = () => p.Task.Accuracy(model, n => advance(n)) }).ToList();
            points = DriftSweep.Run(model, new PcmLikeDevice(), counted, o.Repetitions, o.Seed, o.Times);
        }, cancellation);
        return points;
    }

    internal static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Trains adapters (or, for full AHWA, every weight) with the run's options and times each run.</summary>
    sealed class Trainer
    {
        readonly MiniLm model;
        readonly ExperimentOptions o;
        readonly List<TrainingRun> runs = new();
        readonly Phases phases;
        readonly System.Threading.CancellationToken cancellation;

        public Trainer(MiniLm model, ExperimentOptions o, Phases phases, System.Threading.CancellationToken cancellation) =>
            (this.model, this.o, this.phases, this.cancellation) = (model, o, phases, cancellation);

        public IReadOnlyList<TrainingRun> Runs => runs;

        public Adapter Train(SentenceTask task, string label, string adapterName, Adapter start, AnalogExecution execution, int? epochs = null,
            TrainingRegime regime = TrainingRegime.AhwaLora)
        {
            // A phase a previous run with these options finished is loaded, not trained again (full AHWA changes every
            // weight, so it is not kept and always trains).
            if (regime != TrainingRegime.FullAhwa && phases.TryLoad(adapterName) is { } kept)
            {
                AdapterFiles.Apply(model, kept);
                model.SetExecution(execution);
                model.eval();
                AnsiConsole.MarkupLine($"{Markup.Escape(label)}: resumed from {Markup.Escape(Path.Combine(o.Output, Phases.Folder, adapterName))}.");
                runs.Add(new TrainingRun(label + " (resumed)", task.Name, 0, 0));
                return kept;
            }
            AdapterFiles.Apply(model, start);
            var options = new TrainingOptions(
                LearningRate: regime == TrainingRegime.FullAhwa ? o.FullLearningRate : o.LoraLearningRate,
                Epochs: epochs ?? o.Epochs, Seed: o.Seed, Regime: regime, Execution: execution);
            var clock = Stopwatch.StartNew();
            int steps = options.Epochs * ((task.TrainCount + options.BatchSize - 1) / options.BatchSize);
            Progress.Run(label, steps, advance =>
            {
                var progress = new ImmediateProgress<TrainingStep>(step => advance(1, $"{label}: loss {Format(step.Loss, "0.000")}, {Format(step.StepsPerSecond, "0.00")} steps/s"));
                AhwaTrainer.Train(model, task.TrainCount, batch => task.Loss(model, batch), options, progress, cancellation);
            }, cancellation);
            runs.Add(new TrainingRun(label, task.Name, steps, clock.Elapsed.TotalSeconds));
            if (regime != TrainingRegime.FullAhwa) phases.Save(model, adapterName);
            return AdapterFiles.Capture(model, adapterName);
        }
    }
}
