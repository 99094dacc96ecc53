using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;
using TorchSharp;

namespace MiniLmSentiment;

/// <summary>One row of a results table: a method's accuracy over drift times on one task and hardware.</summary>
public sealed record MethodResult(string Section, string Task, string Method, string Hardware, long Trainable, IReadOnlyList<DriftPoint> Points)
{
    /// <summary>The metric of <see cref="Points"/> (the task's main one).</summary>
    public required string Metric { get; init; }

    /// <summary>The metrics the benchmark reports beside the main one (<see cref="IModelTask.Metrics"/> after the
    /// first), each over the same times as <see cref="Points"/>; empty for a task with one metric.</summary>
    public IReadOnlyList<MetricPoints> Others { get; init; } = Array.Empty<MetricPoints>();
}

/// <summary>One metric's points over the drift times.</summary>
public sealed record MetricPoints(string Metric, IReadOnlyList<DriftPoint> Points);

/// <summary>One training: what it trained, on which task, how many optimiser steps, how long.</summary>
public sealed record TrainingRun(string Label, string Task, int Steps, double Seconds);

/// <summary>One task's part of the report: its data, its metric, the digital upper bound and every method's row.
/// <see cref="Budget"/> counts the multi-task table's adapters on one programming against separately programmed models.</summary>
public sealed record TaskResults(string Title, string MainTask, string SecondTask, string Metric, string Items, string Data, int TrainCount, int TestCount,
    double MeanTestTokens, double DigitalScore, IReadOnlyList<MethodResult> Methods, AdapterBudget Budget)
{
    /// <summary>The main table's paired differences with their bootstrap intervals (<see cref="MiniLmSentiment.Comparisons"/>).</summary>
    public IReadOnlyList<Comparison> Comparisons { get; init; } = Array.Empty<Comparison>();
}

/// <summary>Everything one run measured: a section per task, the trainings, the deployment (null with --no-deploy).</summary>
public sealed record ExperimentResults(ExperimentOptions Options, IReadOnlyList<TaskResults> Tasks, long TotalParameters, long AnalogWeights,
    IReadOnlyList<TrainingRun> Trainings, DeploymentSummary? Deployment, double Seconds)
{
    public const string MainTable = "main", Readaptation = "re-adaptation", MultiTask = "multi-task";
}

/// <summary>
/// The paper's experiment with the pretrained MiniLM, for each task of the run: a digital LoRA (upper bound), that
/// model deployed unchanged on programmed PCM tiles (no adaptation), AHWA-LoRA and full AHWA training, each at the
/// drift times over repeated programmings; re-adaptation to 6-bit converters; a second task's adapter on the same
/// programming. Then deployment.
/// </summary>
public static class Experiment
{
    /// <param name="cancellation">Ctrl-C: checked at every training step and evaluated batch.</param>
    public static ExperimentResults Run(ExperimentOptions o, System.Threading.CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var pretrained = Pretrained.Load();
        var tokenizer = pretrained.Tokenizer();
        var workloads = Workloads.LoadAll(o, tokenizer);
        var phases = new Phases(o.Output, o);
        phases.CheckAll(); // the command line refuses this earlier; a caller that skipped it is refused here
        string weights = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pretrained.OnnxBytes));
        // Only now, with the model and data read, does the run create (or take) its folder. It removes nothing: an earlier
        // run's report stays until this run's complete report replaces it.
        RunFolder.Claim(o.Output);
        foreach (var w in workloads)
            AnsiConsole.MarkupLine($"Data: {Markup.Escape(w.Data)}: {w.Main.Examples} training and {w.Main.TestCount} test {w.Main.Items} " +
                                   $"({Format(w.Main.MeanTestTokens, "0.0")} tokens on average), seed {o.Seed}.");

        using var model = new MiniLm((long)o.Seed);
        var run = TaskRun.Open(model, o, pretrained, phases, weights, cancellation);
        long total = run.Total, analog = run.Analog;
        var tasks = new List<TaskResults>();
        Adapter? firstAdapter = null;
        foreach (var workload in workloads)
        {
            var (results, adapter) = run.Protocol(workload);
            tasks.Add(results);
            firstAdapter ??= adapter;
        }
        // The first task's adapter is the one deployed (every layer's kernel checked with its own LoRA matrices).
        AdapterFiles.Apply(model, firstAdapter!);
        var deployment = o.Deploy ? Deployment.Run(model, o.Output, o.Seed) : null;
        var experiment = new ExperimentResults(o, tasks, total, analog, run.Trainer.Runs, deployment, clock.Elapsed.TotalSeconds);
        Report.Write(experiment);
        return experiment;
    }

    /// <summary>The protocol for one workload on the shared model; adapters already saved by an earlier task of the run
    /// (the era task's sentiment adapter is the sentiment task's) are not written twice.</summary>
    internal sealed class TaskRun(MiniLm model, ExperimentOptions o, Trainer trainer, IReadOnlyDictionary<string, NamedTensor> checkpoint, string source, Adapter untrained, long total, long adapterSize,
        long analog, System.Threading.CancellationToken cancellation)
    {
        readonly HashSet<string> saved = new(StringComparer.Ordinal);

        public Trainer Trainer => trainer;

        public long Total => total;

        public long AdapterSize => adapterSize;

        public long Analog => analog;

        /// <summary>The pretrained weights loaded into <paramref name="model"/>, the run's chip set, the untrained
        /// adapter captured: what every task's protocol starts from (the main job's and the suite's).</summary>
        public static TaskRun Open(MiniLm model, ExperimentOptions o, Pretrained pretrained, Phases phases, string weights, System.Threading.CancellationToken cancellation)
        {
            var (checkpoint, untrained) = Start(model, o, pretrained);
            long total = model.parameters().Sum(p => p.numel());
            long adapterSize = model.AdapterParameters().Sum(p => p.Parameter.numel());
            var groups = model.ParameterGroups();
            long analog = groups.Count(groups.MetaWeights);
            AnsiConsole.MarkupLine($"Model: all-MiniLM-L6-v2 from {Markup.Escape(Path.GetFileName(pretrained.Source))}, {total:N0} parameters; {analog:N0} analog meta-weights " +
                                   $"({Format(100.0 * analog / total, "0.0")} %) on {MiniLm.Spec.Layers.Count(l => l.IsAnalog)} layers; adapter {adapterSize:N0} ({Format(100.0 * adapterSize / total, "0.00")} %).");
            return new TaskRun(model, o, new Trainer(model, o, phases, weights, cancellation), checkpoint, pretrained.Source, untrained, total, adapterSize, analog, cancellation);
        }

        /// <summary>The digital LoRA, its one digital evaluation (with per-item predictions) and the AHWA-LoRA adapter,
        /// each training from the untrained adapter.</summary>
        /// <param name="evaluate">False where the digital evaluation is already kept (a resumed suite task): null then.</param>
        public (Adapter Digital, ProbeEvaluation DigitalEvaluation, Adapter Ahwa) TrainAdapters(IModelTask task, string mainName, int? epochs = null, bool evaluate = true)
        {
            var digital = trainer.Train(task, "digital LoRA", mainName + "-digital", untrained, AnalogExecution.Digital, epochs);
            model.SetExecution(AnalogExecution.Digital);
            var digitalEvaluation = evaluate ? task.Evaluate(model) : null!;
            var ahwa = trainer.Train(task, "AHWA-LoRA", mainName, untrained, AnalogExecution.HardwareAware, epochs);
            return (digital, digitalEvaluation, ahwa);
        }

        /// <summary>Sets the converters and applies the adapter: a probe's preparation on a shared programming.</summary>
        public Action Use(Adapter adapter, int bits) => () =>
        {
            model.ChangeConverters(bits, bits);
            AdapterFiles.Apply(model, adapter);
        };

        /// <summary>Full AHWA changes the meta-weights (and the learned output scales), so it needs a programming of
        /// its own and the pretrained state back afterwards (with <paramref name="restore"/> applied).</summary>
        public SweepResults FullAhwa(IModelTask task, string mainName, Adapter restore, int? epochs = null)
        {
            var outputScales = model.AnalogLayers.Select(l => l.output_scale.detach().clone()).ToList();
            trainer.Train(task, "full AHWA", mainName + "-full", untrained, AnalogExecution.HardwareAware, epochs, regime: TrainingRegime.FullAhwa);
            var fullSweep = Sweep($"{task.Name}: evaluating on programmed tiles (full AHWA weights)",
                new[] { new TaskProbe("full AHWA", task, KeepItems: true) });
            BertCheckpoint.LoadInto(model, checkpoint, source);
            using (torch.no_grad())
                foreach (var (layer, scale) in model.AnalogLayers.Zip(outputScales)) layer.output_scale.copy_(scale);
            foreach (var scale in outputScales) scale.Dispose();
            AdapterFiles.Apply(model, restore);
            return fullSweep;
        }

        public (TaskResults Results, Adapter Adapter) Protocol(Workload workload)
        {
            var (task, other) = (workload.Main, workload.Second);
            string mainName = workload.MainAdapter, secondName = workload.SecondAdapter;
            var chip = o.ChipFor(MiniLm.Spec.Chip);
            var results = new List<MethodResult>();

            // Training: every adapter starts from the same untrained state.
            var (digital, digitalEvaluation, ahwa) = TrainAdapters(task, mainName);
            var digitalScores = digitalEvaluation.Metrics;
            double digitalScore = digitalScores[task.Metric];
            Adapter? second = other is null ? null : trainer.Train(other, $"AHWA-LoRA, {secondName} task", secondName, untrained, AnalogExecution.HardwareAware);
            model.ChangeConverters(6, 6);
            var sixBit = trainer.Train(task, "LoRA retrained for 6-bit DAC/ADC", mainName + "-6bit", ahwa, AnalogExecution.HardwareAware, o.ReadaptationEpochs);
            model.ChangeConverters(chip.DacBits, chip.AdcBits);
            SaveAdapters(second is null ? new[] { (ahwa, task), (sixBit, task) } : new[] { (ahwa, task), (sixBit, task), (second, other!) });

            // One programming of the pretrained meta-weights serves every adapter and both converter settings.
            var probes = new List<TaskProbe>
            {
                new("no adaptation", task, Use(digital, chip.AdcBits), KeepItems: true),
                new("AHWA-LoRA", task, Use(ahwa, chip.AdcBits), KeepItems: true),
                new("no adaptation, 6-bit hardware", task, Use(digital, 6), o.SecondaryRepetitions),
                new("8-bit adapter, 6-bit hardware", task, Use(ahwa, 6), o.SecondaryRepetitions),
                new("6-bit LoRA, 6-bit hardware", task, Use(sixBit, 6), o.SecondaryRepetitions),
            };
            if (other is not null && second is not null)
                probes.Add(new($"{secondName} adapter", other, Use(second, chip.AdcBits), o.SecondaryRepetitions));
            var sharedSweep = Sweep($"{task.Name}: evaluating on programmed tiles (pretrained meta-weights)", probes);
            var shared = sharedSweep.Points;
            model.ChangeConverters(chip.DacBits, chip.AdcBits);

            var fullSweep = FullAhwa(task, mainName, ahwa);
            var fullPoints = fullSweep.Points["full AHWA"];

            string bits8 = $"{chip.DacBits}-bit DAC/ADC", bits6 = "6-bit DAC/ADC";
            IReadOnlyList<DriftPoint> Flat(double value) => o.Times.Select(t => new DriftPoint(t.Seconds, t.Label, value, 0, new[] { value })).ToList();
            var digitalFlat = digitalScores.ToDictionary(s => s.Key, s => Flat(s.Value));
            MethodResult Row(string section, IModelTask scored, string method, string hardware, long trainable, IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> points) =>
                new(section, scored.Name, method, hardware, trainable, points[scored.Metric])
                {
                    Metric = scored.Metric,
                    Others = scored.Metrics.Skip(1).Select(m => new MetricPoints(m, points[m])).ToList(),
                };
            results.Add(Row(ExperimentResults.MainTable, task, "Digital LoRA (upper bound)", "digital", adapterSize, digitalFlat));
            results.Add(Row(ExperimentResults.MainTable, task, "Digital LoRA on analog hardware (no adaptation)", bits8, adapterSize, shared["no adaptation"]));
            results.Add(Row(ExperimentResults.MainTable, task, "AHWA-LoRA", bits8, adapterSize, shared["AHWA-LoRA"]));
            results.Add(Row(ExperimentResults.MainTable, task, "Full AHWA", bits8, total, fullPoints));
            results.Add(Row(ExperimentResults.Readaptation, task, "Digital LoRA (no adaptation)", bits6, adapterSize, shared["no adaptation, 6-bit hardware"]));
            results.Add(Row(ExperimentResults.Readaptation, task, "AHWA-LoRA trained for 8 bits", bits6, adapterSize, shared["8-bit adapter, 6-bit hardware"]));
            results.Add(Row(ExperimentResults.Readaptation, task, "LoRA retrained for 6 bits", bits6, adapterSize, shared["6-bit LoRA, 6-bit hardware"]));
            results.Add(Row(ExperimentResults.MultiTask, task, $"AHWA-LoRA, {mainName} adapter", bits8, adapterSize, shared["AHWA-LoRA"]));
            if (other is not null && second is not null)
                results.Add(Row(ExperimentResults.MultiTask, other, $"AHWA-LoRA, {secondName} adapter", bits8, adapterSize, shared[$"{secondName} adapter"]));
            var budget = AdapterBudget.Of(MiniLm.Spec, total, results.Count(m => m.Section == ExperimentResults.MultiTask));
            var comparisons = Comparisons.Of(task.Subset(), o.Times, o.Seed, sharedSweep.Items["AHWA-LoRA"], sharedSweep.Items["no adaptation"],
                fullSweep.Items["full AHWA"], digitalEvaluation.Items!);
            var taskResults = new TaskResults(workload.Title, mainName, secondName, task.Metric, task.Items, workload.Data, task.Examples, task.TestCount,
                task.MeanTestTokens, digitalScore, results, budget)
            { Comparisons = comparisons };
            return (taskResults, ahwa);
        }

        public void SaveAdapters(IEnumerable<(Adapter Adapter, IModelTask Task)> adapters)
        {
            foreach (var (adapter, task) in adapters)
            {
                if (!saved.Add(adapter.Name)) continue;
                AdapterFiles.Apply(model, adapter);
                AdapterFiles.Save(model, Path.Combine(o.Output, "adapters", adapter.Name), adapter.Name, task is SquadTask ? "QUESTION_ANS" : "SEQ_CLS");
            }
        }

        /// <summary>A sweep's probe: its task scores it, after <see cref="Prepare"/> (an adapter, converters) on up to
        /// <see cref="Repetitions"/> programmings; <see cref="KeepItems"/> keeps its per-item predictions for the
        /// paired comparisons (only the main table's methods: the others would hold memory for nothing).</summary>
        internal sealed record TaskProbe(string Name, IModelTask Task, Action? Prepare = null, int? Repetitions = null, bool KeepItems = false);

        /// <summary>The probes on one sweep, each scored with every metric of its task: probe, then metric, to the points,
        /// and the kept per-item predictions.</summary>
        public SweepResults Sweep(string label, IReadOnlyList<TaskProbe> probes)
        {
            SweepResults? points = null;
            long items = probes.Sum(p => (long)Math.Min(o.Repetitions, p.Repetitions ?? o.Repetitions) * o.Times.Count * p.Task.EvaluatedCount);
            Progress.Run(label, items, advance =>
            {
                // Each probe advances the bar per evaluated batch, so long evaluations still move it.
                var counted = probes.Select(p => new EvaluationProbe(p.Name, () =>
                {
                    var evaluation = p.Task.Evaluate(model, n => advance(n));
                    return p.KeepItems ? evaluation : evaluation with { Items = null };
                }, p.Prepare, p.Repetitions)).ToList();
                points = DriftSweep.RunEvaluations(model, o.Device(), counted, o.Repetitions, o.Seed, o.Times);
            }, cancellation);
            // The next phase (a training) needs none of this programming: its tiles and the sweep's freed activations
            // would otherwise stay resident under it (a quick SQuAD run's full AHWA peaked 1.8 GiB above the phase alone).
            model.ReleaseProgramming();
            NativeAllocator.GiveBackFreeMemory();
            return points!;
        }
    }

    /// <summary>The pretrained weights loaded into <paramref name="model"/> and the run's chip set; returns the checkpoint
    /// (to restore after full AHWA) and the untrained adapter every training starts from.</summary>
    internal static (IReadOnlyDictionary<string, NamedTensor> Checkpoint, Adapter Untrained) Start(MiniLm model, ExperimentOptions o, Pretrained pretrained)
    {
        if (o.ReturnsLargeBlocks && NativeAllocator.ReturnLargeBlocks() && !NativeAllocator.HugePages)
            AnsiConsole.MarkupLine($"[yellow]Sequences of {o.MaxTokens} tokens with GLIBC_TUNABLES lacking {NativeAllocator.HugePagesTunable}=1 (run-main.sh sets it):[/] " +
                                   "every large activation is faulted in 4 KiB pages, and evaluation on programmed tiles runs about 3 times slower.");
        var checkpoint = BertCheckpoint.FromOnnx(pretrained.Onnx());
        BertCheckpoint.LoadInto(model, checkpoint, pretrained.Source);
        o.ApplyChip(model);
        return (checkpoint, AdapterFiles.Capture(model, "untrained"));
    }

    internal static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Trains adapters (or, for full AHWA, every weight) with the run's options and times each run.</summary>
    internal sealed class Trainer
    {
        readonly MiniLm model;
        readonly ExperimentOptions o;
        readonly List<TrainingRun> runs = new();
        readonly Phases phases;
        readonly string weights;
        readonly System.Threading.CancellationToken cancellation;

        /// <param name="weights">SHA-256 (hex) of the pretrained weights every phase starts from.</param>
        public Trainer(MiniLm model, ExperimentOptions o, Phases phases, string weights, System.Threading.CancellationToken cancellation) =>
            (this.model, this.o, this.phases, this.weights, this.cancellation) = (model, o, phases, weights, cancellation);

        public IReadOnlyList<TrainingRun> Runs => runs;

        public Adapter Train(IModelTask task, string label, string adapterName, Adapter start, AnalogExecution execution, int? epochs = null,
            TrainingRegime regime = TrainingRegime.AhwaLora)
        {
            // A phase a previous run with these options finished on the same data is loaded, not trained again (full
            // AHWA changes every weight, so it is not kept and always trains).
            var content = new PhaseContent(task.Digest(), weights);
            if (regime != TrainingRegime.FullAhwa)
            {
                var kept = phases.TryLoad(adapterName, content, out string? why);
                if (why is not null) AnsiConsole.MarkupLine($"{Markup.Escape(label)}: {Markup.Escape(why)}.");
                if (kept is not null)
                {
                    AdapterFiles.Apply(model, kept);
                    model.SetExecution(execution);
                    model.eval();
                    runs.Add(new TrainingRun(label + " (resumed)", task.Name, 0, 0));
                    return kept;
                }
            }
            AdapterFiles.Apply(model, start);
            var options = new TrainingOptions(
                LearningRate: regime == TrainingRegime.FullAhwa ? o.FullLearningRate : o.LoraLearningRate,
                Epochs: epochs ?? o.Epochs, Seed: o.Seed, Regime: regime, Execution: execution);
            options = options with { MicroBatchSize = o.MicroBatchSize(options.BatchSize) };
            var clock = Stopwatch.StartNew();
            int steps = options.TotalSteps(task.Examples);
            Progress.Run(label, steps, advance =>
            {
                var progress = new ImmediateProgress<TrainingStep>(step =>
                {
                    if (o.ReturnsLargeBlocks) NativeAllocator.GiveBackFreeHeapPages();
                    advance(1, $"{label}: loss {Format(step.Loss, "0.000")}, {Format(step.StepsPerSecond, "0.00")} steps/s");
                });
                AhwaTrainer.Train(model, task.Examples, batch => task.Loss(model, batch), options, progress, cancellation);
            }, cancellation);
            runs.Add(new TrainingRun(label, task.Name, steps, clock.Elapsed.TotalSeconds));
            NativeAllocator.GiveBackFreeMemory(); // the optimiser's state and the last batches' activations, before the next phase
            if (regime != TrainingRegime.FullAhwa) phases.Save(model, adapterName, content);
            return AdapterFiles.Capture(model, adapterName);
        }
    }
}
