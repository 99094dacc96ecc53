using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Spectre.Console;
using static MiniLmSentiment.Experiment;

namespace MiniLmSentiment;

/// <summary>A GLUE task folder the suite found under <c>--data</c>: run, or skipped with the reason.</summary>
public sealed record SuiteFolder(GlueTask Glue, string Folder, string? Skipped);

/// <summary>What one task of the suite keeps when it finishes (<c>{out}/suite-tasks/{task}.json</c>): its whole protocol,
/// its adapters' sweep on the suite's programmings included, so a resumed run neither trains nor evaluates it again.
/// <see cref="Identity"/> is what it was produced from (the options, the training items, the dev files, the pretrained
/// weights): a kept result with another identity is produced again. It is first kept once the task's trainings and
/// full AHWA's sweep are done, without <see cref="NoAdaptation"/> and <see cref="AhwaLora"/> (as are results kept before
/// the sweep was kept per task): a run that resumes it sweeps the adapters and keeps it again.</summary>
public sealed record SuiteTaskDocument(string Task, string Name, string Metric, IReadOnlyList<string> Metrics, string Items, string Data,
    int TrainCount, int TrainAvailable, int TestCount, double MeanTestTokens, int Epochs, int StepsPerTraining,
    IReadOnlyDictionary<string, string> Identity, IReadOnlyDictionary<string, double> Digital, float[] DigitalItems,
    IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> FullAhwa, IReadOnlyList<IReadOnlyList<float[]>> FullAhwaItems,
    IReadOnlyList<TrainingRun> Trainings, double Seconds,
    IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>? NoAdaptation = null, IReadOnlyList<IReadOnlyList<float[]>>? NoAdaptationItems = null,
    IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>>? AhwaLora = null, IReadOnlyList<IReadOnlyList<float[]>>? AhwaLoraItems = null)
{
    /// <summary>Whether the task's adapters were swept on the suite's programmings when it was kept.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Swept => NoAdaptation is not null && NoAdaptationItems is not null && AhwaLora is not null && AhwaLoraItems is not null;
}

/// <summary>One task's row set in the suite table: its kept (swept) result, with the comparisons.</summary>
public sealed record SuiteTask(SuiteTaskDocument Kept, bool Resumed, IReadOnlyList<Comparison> Comparisons)
{
    public IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> NoAdaptation => Kept.NoAdaptation!;

    public IReadOnlyDictionary<string, IReadOnlyList<DriftPoint>> AhwaLora => Kept.AhwaLora!;
}

/// <summary>Everything a suite run measured. <see cref="SharedProbes"/> are the probes read on the programmings of the
/// pretrained meta-weights (every task's no-adaptation and AHWA-LoRA), <see cref="Programmings"/> those programmings'
/// seeds (full AHWA's sweeps use the same seeds on their own meta-weights).</summary>
public sealed record SuiteResults(ExperimentOptions Options, IReadOnlyList<SuiteTask> Tasks, IReadOnlyList<SuiteFolder> Skipped, long TotalParameters,
    long AnalogWeights, AdapterBudget Budget, IReadOnlyList<string> SharedProbes, IReadOnlyList<ulong> Programmings, IReadOnlyList<TrainingRun> Trainings,
    DeploymentSummary? Deployment, double Seconds);

/// <summary>
/// <c>--suite glue --data DIR</c>: the paper's GLUE experiment. The pretrained model is loaded once; per task found under
/// DIR the digital LoRA, the AHWA-LoRA adapter and full AHWA are trained (the main job's <see cref="Experiment.TaskRun"/>,
/// so phases resume as there); full AHWA is evaluated on its own programmings per task; then the task's digital LoRA (no
/// adaptation) and AHWA-LoRA adapter are evaluated on the suite's programmings of the pretrained meta-weights. Those are
/// the same for every task (repetition r programs with the seed's r-th stream, time t drifts with its own), so one
/// programmed chip serves every adapter, as on the paper's chip, and a task's sweep (its read-noise draws included) does
/// not depend on which tasks were swept before it. Each finished task is kept as JSON with all of it, so an interrupted
/// suite resumes with the tasks left and a suite can be completed over several sittings.
/// </summary>
public static class GlueSuite
{
    public const string Glue = "glue", TasksFolder = "suite-tasks", MarkdownFile = "suite.md", JsonFile = "suite.json";

    public const string NoAdaptation = "no adaptation", AhwaLora = "AHWA-LoRA";

    /// <summary>GLUE's WNLI is left out of the paper's eight tasks and of the usual GLUE average.</summary>
    public const string WnliSkipped = "not among the paper's eight GLUE tasks (its dev set is adversarial to train.tsv; GLUE averages usually leave it out)";

    /// <summary>Every GLUE task folder under <paramref name="data"/>, in GLUE's order, matched by name ignoring case and
    /// hyphens (SST-2, sst2); a folder without train.tsv or a dev file is listed as skipped, with that reason.</summary>
    public static IReadOnlyList<SuiteFolder> Find(string data)
    {
        var folders = Directory.GetDirectories(data).Order(StringComparer.Ordinal).ToList();
        var found = new List<SuiteFolder>();
        foreach (var glue in GlueTask.All)
        {
            var folder = folders.FirstOrDefault(f => GlueTask.Find(Path.GetFileName(f)) == glue);
            if (folder is null) continue;
            var absent = glue.Files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();
            string? skipped = glue.Name == "WNLI" ? WnliSkipped : absent.Count > 0 ? $"no {string.Join(" or ", absent)} in '{folder}'" : null;
            found.Add(new SuiteFolder(glue, folder, skipped));
        }
        return found;
    }

    /// <summary>What is wrong with <c>--suite</c> and <c>--data</c>, or null; read before any work.</summary>
    public static string? Problem(string suite, string? data)
    {
        if (suite != Glue) return $"--suite must be {Glue}, got '{suite}'.";
        if (data is null) return $"--suite {Glue} reads the GLUE task folders (CoLA, SST-2, ...) from a folder: give --data DIR.";
        if (!Directory.Exists(data)) return $"--data folder '{data}' does not exist.";
        var found = Find(data);
        if (found.Any(f => f.Skipped is null)) return null;
        string skipped = found.Count == 0 ? "" : "; " + string.Join("; ", found.Select(f => $"{f.Glue.Name} skipped: {f.Skipped}"));
        return $"--data folder '{data}' holds no GLUE task folder with {GlueTask.TrainFile} and its dev files (looked for folders named " +
               $"{string.Join(", ", GlueTask.All.Select(t => t.Name))}){skipped}.";
    }

    /// <param name="taskKept">Called with a task's name once its result is kept (tests interrupt the run there).</param>
    /// <param name="taskTrained">Called with a task's name once its trainings and full AHWA's sweep are kept, before its
    /// adapters are swept (tests interrupt the run there).</param>
    public static SuiteResults Run(ExperimentOptions o, System.Threading.CancellationToken cancellation = default, Action<string>? taskKept = null,
        Action<string>? taskTrained = null)
    {
        var clock = Stopwatch.StartNew();
        if (o.Suite is null || Problem(o.Suite, o.DataFolder) is string problem)
            throw new InvalidDataException(o.Suite is null ? "The options name no suite." : Problem(o.Suite, o.DataFolder));
        var folders = Find(o.DataFolder!);
        var pretrained = Pretrained.Load();
        var tokenizer = pretrained.Tokenizer();
        var tasks = folders.Where(f => f.Skipped is null).Select(f =>
        {
            var (task, data) = Workloads.LoadGlue(o, tokenizer, f.Glue, f.Folder);
            int available = f.Glue.Read(Path.Combine(f.Folder, GlueTask.TrainFile)).Count;
            return (Folder: f, Task: task, Data: data, Available: available);
        }).ToList();
        var phases = new Phases(o.Output, o);
        phases.CheckAll();
        string weights = Convert.ToHexStringLower(SHA256.HashData(pretrained.OnnxBytes));
        RunFolder.Claim(o.Output);
        foreach (var f in folders.Where(f => f.Skipped is not null))
            AnsiConsole.MarkupLine($"[yellow]Skipped[/] {Markup.Escape(f.Glue.Name)}: {Markup.Escape(f.Skipped!)}.");
        foreach (var t in tasks)
            AnsiConsole.MarkupLine($"Data: {Markup.Escape(t.Data)}: {t.Task.Examples} of {t.Available} training and {t.Task.TestCount} dev {t.Task.Items}, " +
                                   $"{o.EpochsFor(t.Task.Examples)} epochs.");

        using var model = new MiniLm((long)o.Seed);
        var run = TaskRun.Open(model, o, pretrained, phases, weights, cancellation);
        var chip = o.ChipFor(MiniLm.Spec.Chip);
        var kept = new List<(SuiteTaskDocument Kept, bool Resumed, IModelTask Task, Adapter Ahwa)>();
        foreach (var (folder, task, data, available) in tasks)
        {
            string name = folder.Glue.Name.ToLowerInvariant();
            int epochs = o.EpochsFor(task.Examples);
            var identity = Identity(o, task, folder, weights);
            string path = Path.Combine(o.Output, TasksFolder, name + ".json");
            var previous = TryLoad(path, identity);
            var taskClock = Stopwatch.StartNew();
            int runsBefore = run.Trainer.Runs.Count;
            var (digital, digitalEvaluation, ahwa) = run.TrainAdapters(task, name, epochs, evaluate: previous is null);
            run.SaveAdapters(new[] { (ahwa, task) });
            if (previous is { Swept: true })
            {
                kept.Add((previous, true, task, ahwa));
                continue;
            }
            var document = previous;
            if (document is null)
            {
                var full = run.FullAhwa(task, name, ahwa, epochs);
                int steps = new TrainingOptions(Epochs: epochs).TotalSteps(task.Examples);
                document = new SuiteTaskDocument(folder.Glue.Name, name, task.Metric, task.Metrics, task.Items, data, task.Examples, available, task.TestCount,
                    task.MeanTestTokens, epochs, steps, identity, digitalEvaluation.Metrics, digitalEvaluation.Items!, full.Points["full AHWA"], full.Items["full AHWA"],
                    run.Trainer.Runs.Skip(runsBefore).ToList(), taskClock.Elapsed.TotalSeconds);
                // Kept before the adapters' sweep (a third of a task's time), so a sitting stopped there resumes with
                // the sweep alone: full AHWA is not kept as a phase and would otherwise train again.
                Keep(path, document, " with its trainings and full AHWA; its adapters' sweep follows");
                taskTrained?.Invoke(name);
            }
            // This task's adapters on the suite's programmings of the pretrained meta-weights: the same conductances and
            // drift every other task's adapters are read from.
            string none = Probe(folder.Glue.Name, NoAdaptation), lora = Probe(folder.Glue.Name, AhwaLora);
            var swept = run.Sweep($"{folder.Glue.Name}: adapters on the suite's programmings of the pretrained meta-weights", new[]
            {
                new TaskRun.TaskProbe(none, task, run.Use(digital, chip.AdcBits), KeepItems: true),
                new TaskRun.TaskProbe(lora, task, run.Use(ahwa, chip.AdcBits), KeepItems: true),
            });
            model.ChangeConverters(chip.DacBits, chip.AdcBits);
            document = document with
            {
                NoAdaptation = swept.Points[none],
                NoAdaptationItems = swept.Items[none],
                AhwaLora = swept.Points[lora],
                AhwaLoraItems = swept.Items[lora],
                Seconds = (previous?.Seconds ?? 0) + taskClock.Elapsed.TotalSeconds,
            };
            Keep(path, document, "");
            kept.Add((document, previous is not null, task, ahwa));
            taskKept?.Invoke(name);
        }

        var results = kept.Select(k =>
        {
            var comparisons = Comparisons.Of(k.Task.Subset(), o.Times, o.Seed, k.Kept.AhwaLoraItems!, k.Kept.NoAdaptationItems!, k.Kept.FullAhwaItems, k.Kept.DigitalItems);
            return new SuiteTask(k.Kept, k.Resumed, comparisons);
        }).ToList();
        var sharedProbes = kept.SelectMany(k => new[] { Probe(k.Kept.Task, NoAdaptation), Probe(k.Kept.Task, AhwaLora) }).ToList();

        // The first task's adapter is the one deployed, as in the main job.
        DeploymentSummary? deployment = null;
        if (o.Deploy)
        {
            AdapterFiles.Apply(model, kept[0].Ahwa);
            deployment = Deployment.Run(model, o.Output, o.Seed);
        }
        var programmings = Enumerable.Range(0, o.Repetitions).Select(r => RandomStream.Derive(o.Seed, StreamPurpose.Repetition, r)).ToList();
        var suite = new SuiteResults(o, results, folders.Where(f => f.Skipped is not null).ToList(), run.Total, run.Analog,
            AdapterBudget.Of(MiniLm.Spec, run.Total, results.Count), sharedProbes, programmings,
            results.SelectMany(t => t.Kept.Trainings).ToList(), deployment, clock.Elapsed.TotalSeconds);
        SuiteReport.Write(suite);
        return suite;
    }

    public static string Probe(string task, string method) => $"{task}: {method}";

    /// <summary>Writes a task's document atomically and says so.</summary>
    static void Keep(string path, SuiteTaskDocument document, string stage)
    {
        AtomicFile.WriteText(path, JsonFiles.Write(document));
        AnsiConsole.MarkupLine($"{Markup.Escape(document.Task)}: kept in {Markup.Escape(path)}{Markup.Escape(stage)}.");
    }

    /// <summary>What a kept task result was produced from: the options' fingerprint, the training items as the model
    /// sees them, the dev files' bytes and the pretrained weights.</summary>
    static SortedDictionary<string, string> Identity(ExperimentOptions o, IModelTask task, SuiteFolder folder, string weights)
    {
        var identity = new SortedDictionary<string, string>(Phases.Fingerprint(o).ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal)
        {
            [Phases.TrainingDataKey] = task.Digest(),
            [Phases.WeightsKey] = weights,
            ["devFiles"] = Convert.ToHexStringLower(SHA256.HashData(folder.Glue.DevFiles.SelectMany(f => SHA256.HashData(File.ReadAllBytes(Path.Combine(folder.Folder, f)))).ToArray())),
            ["times"] = string.Join(",", o.Times.Select(t => t.Seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            ["repetitions"] = o.Repetitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return identity;
    }

    /// <summary>The kept result at <paramref name="path"/> when it was produced from <paramref name="identity"/>, else null
    /// (saying why when a kept one is not reused).</summary>
    static SuiteTaskDocument? TryLoad(string path, IReadOnlyDictionary<string, string> identity)
    {
        if (!File.Exists(path)) return null;
        SuiteTaskDocument? kept;
        try
        {
            kept = JsonSerializer.Deserialize<SuiteTaskDocument>(File.ReadAllText(path), JsonFiles.Reports);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{path}' is not a kept suite task result: {error.Message}", error);
        }
        if (kept is null) throw new InvalidDataException($"'{path}' is not a kept suite task result: it is empty.");
        var differs = identity.FirstOrDefault(p => !kept.Identity.TryGetValue(p.Key, out var v) || v != p.Value);
        if (differs.Key is not null)
        {
            AnsiConsole.MarkupLine($"{Markup.Escape(kept.Task)}: the kept result in '{Markup.Escape(path)}' was produced with another {Markup.Escape(differs.Key)}; producing it again.");
            return null;
        }
        AnsiConsole.MarkupLine($"{Markup.Escape(kept.Task)}: resumed from '{Markup.Escape(path)}'.");
        return kept;
    }
}
