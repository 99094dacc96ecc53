using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Runtime.Tests.Tasks;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 29, item 2: <c>--suite glue</c> on tiny subsets of the real GLUE files (8 training and 8 dev items of
/// CoLA, STS-B and RTE; one epoch, one programming, one drift time, no deployment), in process.</summary>
[StartsEarly(3)]
public sealed class GlueSuiteTests : IDisposable
{
    readonly string scratch = Directory.CreateTempSubdirectory("ahwa-suite-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    /// <summary>A GLUE folder holding the first lines of the real files of <paramref name="tasks"/>, and QNLI's dev file
    /// alone (as in ../shared/data: QNLI has no train.tsv).</summary>
    string Subsets(params string[] tasks)
    {
        var data = Directory.CreateDirectory(Path.Combine(scratch, "glue")).FullName;
        foreach (var task in tasks)
        {
            var folder = Directory.CreateDirectory(Path.Combine(data, task)).FullName;
            foreach (var file in new[] { "train.tsv", "dev.tsv" })
                File.WriteAllLines(Path.Combine(folder, file), File.ReadLines(SharedData.Glue(task, file)).Take(41));
        }
        var qnli = Directory.CreateDirectory(Path.Combine(data, "QNLI")).FullName;
        File.WriteAllLines(Path.Combine(qnli, "dev.tsv"), File.ReadLines(SharedData.Glue("QNLI", "dev.tsv")).Take(9));
        return data;
    }

    ExperimentOptions Tiny(string data) => ExperimentOptions.Smoke(Path.Combine(scratch, "out")).ForSuite(GlueSuite.Glue) with
    {
        DataFolder = data,
        Epochs = 1,
        MinSteps = 0,
        Repetitions = 1,
        TrainLimit = 8,
        TestLimit = 8,
        Times = new[] { (315360000.0, "10 years") },
        Deploy = false,
    };

    static JsonElement Json(string output) => JsonDocument.Parse(File.ReadAllText(Path.Combine(output, GlueSuite.JsonFile))).RootElement;

    /// <summary>Interrupted once STS-B is kept: the rerun reuses STS-B's result as it was (no second training or sweep)
    /// and trains RTE; interrupted again in RTE's adapter sweep, RTE's trainings and full AHWA are kept, and the next run
    /// only sweeps its adapters. A kept result without its adapters' sweep (also as kept before the sweep was kept per
    /// task) is swept again on the same programmings, to the same numbers, and nothing else of it is produced again.</summary>
    [Fact]
    public void InterruptedSuiteResumesWithTheTasksLeft()
    {
        var o = Tiny(Subsets("STS-B", "RTE"));
        string kept = Path.Combine(o.Output, GlueSuite.TasksFolder);
        using (var cancel = new System.Threading.CancellationTokenSource())
        {
            // The next task's first training step sees the cancellation.
            Assert.ThrowsAny<OperationCanceledException>(() => GlueSuite.Run(o, cancel.Token, _ => cancel.Cancel()));
        }
        Assert.Equal(new[] { "sts-b.json" }, Directory.GetFiles(kept).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(o.Output, GlueSuite.MarkdownFile)));
        var stsb = File.ReadAllText(Path.Combine(kept, "sts-b.json"));

        // Stopped in RTE's adapter sweep: its trainings and full AHWA's sweep are kept, not yet its adapters' sweep.
        string rtePath = Path.Combine(kept, "rte.json");
        string[] sweep = { "noAdaptation", "noAdaptationItems", "ahwaLora", "ahwaLoraItems" };
        using (var cancel = new System.Threading.CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => GlueSuite.Run(o, cancel.Token, taskTrained: _ => cancel.Cancel()));
        var trained = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(rtePath))!.AsObject();
        Assert.All(sweep, field => Assert.Null(trained[field]));
        Assert.NotNull(trained["fullAhwa"]);
        Assert.False(File.Exists(Path.Combine(o.Output, GlueSuite.MarkdownFile)));

        var finished = new List<string>();
        var suite = GlueSuite.Run(o, taskKept: finished.Add);
        Assert.Equal(new[] { "rte" }, finished);
        Assert.Equal(stsb, File.ReadAllText(Path.Combine(kept, "sts-b.json")));
        Assert.Equal(new[] { ("STS-B", true), ("RTE", true) }, suite.Tasks.Select(t => (t.Kept.Task, t.Resumed)));
        // Each task's trainings once, from the sitting that produced it: two full AHWA trainings in all.
        Assert.Equal(2, suite.Trainings.Count(t => t.Label == "full AHWA"));
        Assert.DoesNotContain(suite.Trainings, t => t.Label.EndsWith("(resumed)", StringComparison.Ordinal));
        Assert.Equal(new[] { "STS-B: no adaptation", "STS-B: AHWA-LoRA", "RTE: no adaptation", "RTE: AHWA-LoRA" }, suite.SharedProbes);
        Assert.Matches(@"\| STS-B \| Pearson correlation \| 8 \(40\) \| 1 \| 1 \| 8 \| \d+\.\d \| resumed \|", File.ReadAllText(Path.Combine(o.Output, GlueSuite.MarkdownFile)));

        var rte = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(rtePath))!.AsObject();
        Assert.All(sweep, field => Assert.NotNull(rte[field]));
        foreach (var field in new[] { "fullAhwa", "digital", "trainings" })
            Assert.Equal(trained[field]!.ToJsonString(), rte[field]!.ToJsonString());
        var unswept = rte.DeepClone().AsObject();
        foreach (var field in sweep) unswept.Remove(field);
        File.WriteAllText(rtePath, unswept.ToJsonString());
        finished.Clear();
        var again = GlueSuite.Run(o, taskKept: finished.Add);
        Assert.Equal(new[] { "rte" }, finished);
        Assert.Equal(2, again.Trainings.Count(t => t.Label == "full AHWA"));
        var reswept = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(rtePath))!.AsObject();
        foreach (var field in sweep.Concat(new[] { "fullAhwa", "digital", "trainings" }))
            Assert.Equal(rte[field]!.ToJsonString(), reswept[field]!.ToJsonString());
        Assert.Equal(suite.Tasks[1].AhwaLora["accuracy"].SelectMany(p => p.Values), again.Tasks[1].AhwaLora["accuracy"].SelectMany(p => p.Values));
    }

    /// <summary>Three tasks (a single sentence, a regression and a sentence pair), one run: the paper's layout, every
    /// task's adapters on the same programmings, comparisons per task.</summary>
    [Fact]
    public void SuiteWritesOneTableInThePapersLayoutFromOneProgramming()
    {
        var o = Tiny(Subsets("CoLA", "STS-B", "RTE"));
        var suite = GlueSuite.Run(o);
        Assert.All(suite.Tasks, t => Assert.False(t.Resumed));
        Assert.Equal(3, suite.Trainings.Count(t => t.Label == "full AHWA"));
        var root = Json(o.Output);
        Assert.Equal(new[] { "CoLA", "STS-B", "RTE" }, root.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("task").GetString()));
        Assert.Equal(new[] { "Matthews correlation", "Pearson correlation", "accuracy" },
            root.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("metric").GetString()));
        var skipped = Assert.Single(root.GetProperty("skipped").EnumerateArray());
        Assert.Equal("QNLI", skipped.GetProperty("task").GetString());
        Assert.Contains("no train.tsv", skipped.GetProperty("reason").GetString());

        // The paper's layout: the digital LoRA, then no adaptation, AHWA-LoRA and full AHWA at each time; a cell per task.
        var table = root.GetProperty("table").EnumerateArray().ToList();
        Assert.Equal(new[] { "Digital LoRA/", "No adaptation/10 years", "AHWA-LoRA/10 years", "Full AHWA/10 years" },
            table.Select(r => r.GetProperty("method").GetString() + "/" + (r.GetProperty("time").ValueKind == JsonValueKind.Null ? "" : r.GetProperty("time").GetString())));
        foreach (var row in table)
        {
            var cells = row.GetProperty("cells").EnumerateArray().ToList();
            Assert.Equal(3, cells.Count);
            Assert.All(cells, c => Assert.InRange(c.GetProperty("mean").GetDouble(), -100, 100));
            Assert.All(cells, c => Assert.Equal(1, c.GetProperty("values").GetArrayLength()));
            Assert.Equal(cells.Average(c => c.GetProperty("mean").GetDouble()), row.GetProperty("average").GetProperty("mean").GetDouble(), 9);
        }

        // Every task's no-adaptation and AHWA-LoRA probes were read on the same programming.
        var shared = root.GetProperty("sharedSweep");
        Assert.Equal(new[] { "CoLA", "STS-B", "RTE" }.SelectMany(t => new[] { $"{t}: no adaptation", $"{t}: AHWA-LoRA" }),
            shared.GetProperty("probes").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(1, shared.GetProperty("programmings").GetArrayLength());
        Assert.Equal(3, root.GetProperty("adapters").GetProperty("adapters").GetInt32());

        // Comparisons per task at the table's time: against no adaptation and full AHWA (the digital LoRA at 0 s only).
        foreach (var task in root.GetProperty("tasks").EnumerateArray())
            Assert.Equal(new[] { "no adaptation", "full AHWA" }, task.GetProperty("comparisons").EnumerateArray().Select(c => c.GetProperty("b").GetString()));

        var md = File.ReadAllText(Path.Combine(o.Output, GlueSuite.MarkdownFile));
        Assert.Contains("| method | time | CoLA (Matthews correlation) | STS-B (Pearson correlation) | RTE (accuracy) | average |", md);
        Assert.Contains("| No adaptation | 10 years | ", md);
        Assert.Contains("| paper (MobileBERT, GLUE) | 8 | 38.1 M | 168.0 M |", md);
        Assert.Contains("Skipped: QNLI (no train.tsv", md);
        Assert.Contains("| CoLA | Matthews correlation | 8 (41) | 1 | 1 | 8 | ", md);
        Assert.Contains("at most 8 training examples per task", md);
        Assert.Matches(@"\| RTE \| 10 years \| [+-]?\d+\.\d \[[+-]?\d+\.\d, [+-]?\d+\.\d\] (beyond|within) noise \|", md);
    }

    static CommandLineResult Refused(params string[] args)
    {
        var result = ExperimentCommandLine.Parse(args);
        Assert.Null(result.Options);
        Assert.Equal(2, result.ExitCode);
        return result;
    }

    [Fact]
    public void BadSuiteInputIsRefusedWithExitCode2()
    {
        var output = Path.Combine(scratch, "out");
        Assert.Contains("--data folder '/no/such/glue' does not exist.", Refused("--suite", "glue", "--data", "/no/such/glue", "--out", output).Error);
        Assert.Contains("--suite glue reads the GLUE task folders", Refused("--suite", "glue", "--out", output).Error);
        Assert.Contains("--suite must be glue, got 'superglue'", Refused("--suite", "superglue", "--data", scratch, "--out", output).Error);
        var empty = Directory.CreateDirectory(Path.Combine(scratch, "empty")).FullName;
        Assert.Contains($"--data folder '{empty}' holds no GLUE task folder with train.tsv and its dev files (looked for folders named CoLA, SST-2,",
            Refused("--suite", "glue", "--data", empty, "--out", output).Error);
        var onlyQnli = Directory.CreateDirectory(Path.Combine(scratch, "qnli-only", "QNLI")).FullName;
        File.WriteAllText(Path.Combine(onlyQnli, "dev.tsv"), "index\tquestion\tsentence\tlabel\n");
        Assert.Contains("QNLI skipped: no train.tsv in", Refused("--suite", "glue", "--data", Path.GetDirectoryName(onlyQnli)!, "--out", output).Error);
        Assert.Contains("--suite runs every task of --data", Refused("--suite", "glue", "--task", "rte", "--data", empty, "--out", output).Error);
        Assert.False(Directory.Exists(output));
    }

    /// <summary>The budget lives in the options record: the default suite caps training examples and floors the steps,
    /// evaluates every dev item; --quick and --smoke shrink it.</summary>
    [Fact]
    public void SuiteBudgetComesFromTheOptionsAndPresetsShrinkIt()
    {
        var glue = Path.Combine(SharedData.Folder, "glue");
        ExperimentOptions Parsed(params string[] extra) =>
            ExperimentCommandLine.Parse(new[] { "--suite", "glue", "--data", glue, "--out", Path.Combine(scratch, "out") }.Concat(extra).ToArray()).Options!;
        var full = Parsed();
        Assert.Equal((ExperimentOptions.SuiteTrainCap, ExperimentOptions.SuiteEpochs, ExperimentOptions.SuiteMinSteps, int.MaxValue, 128, 10, 7),
            (full.TrainLimit, full.Epochs, full.MinSteps, full.TestLimit, full.MaxTokens, full.Repetitions, full.Times.Count));
        // RTE's 2,490 pairs: 78 steps an epoch, so two epochs reach the 150-step floor; 320 pairs need 15.
        Assert.Equal(2, full.EpochsFor(2490));
        Assert.Equal(15, full.EpochsFor(320));
        var quick = Parsed("--quick");
        Assert.True(quick.TrainLimit < full.TrainLimit && quick.MinSteps < full.MinSteps && quick.TestLimit < full.TestLimit && quick.Repetitions < full.Repetitions);
        var smoke = Parsed("--smoke");
        Assert.True(smoke.TrainLimit < quick.TrainLimit && smoke.MinSteps < quick.MinSteps);
        Assert.Equal(3, Parsed("--epochs", "3").Epochs);
        Assert.Equal(ExperimentOptions.DefaultSuiteOutput, ExperimentCommandLine.Parse(new[] { "--suite", "glue", "--data", glue }).Options!.Output);
        // The real folder: five tasks run, QNLI skipped (dev only).
        var found = GlueSuite.Find(glue);
        Assert.Equal(new[] { "CoLA", "SST-2", "MRPC", "STS-B", "RTE" }, found.Where(f => f.Skipped is null).Select(f => f.Glue.Name));
        Assert.Contains("no train.tsv", Assert.Single(found, f => f.Skipped is not null).Skipped);
    }
}
