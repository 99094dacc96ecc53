using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Tasks;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 14, item 4: the main job's protocol on a task read from a data folder, one tiny run per head type
/// (sentence-pair classification, regression, extractive QA) on files in the benchmark's own format, in process,
/// without deployment: one training step per phase, one programming, one drift time (10 years: each drift time is a
/// drift of every programmed weight and an evaluation per method, the bulk of a run; the quick preset's test sweeps three).</summary>
[StartsEarly(2)] // four experiment runs, one after the other
public sealed class TaskExperimentTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("ahwa-tasks-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static readonly string[] Words = { "the", "court", "said", "on", "monday", "that", "shares", "rose", "sharply", "after", "report", "company", "profit", "fell" };

    static string Sentence(int seed, int length = 7) => string.Join(' ', Enumerable.Range(0, length).Select(i => Words[(seed * 7 + i * 3) % Words.Length]));

    ExperimentOptions Tiny(string task, string data) => ExperimentOptions.Quick(Path.Combine(folder, "out")).ForDataTask(task) with
    {
        Task = task,
        DataFolder = data,
        Epochs = 1,
        Repetitions = 1,
        TrainLimit = 8,
        TestLimit = 8,
        Times = new[] { (315360000.0, "10 years") },
        Deploy = false,
    };

    static JsonElement Run(ExperimentOptions o)
    {
        Experiment.Run(o);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(o.Output, Report.JsonFile))).RootElement;
    }

    /// <summary>The protocol's rows, steps and saved adapters, the same for every head.</summary>
    static void AssertProtocol(JsonElement root, ExperimentOptions o, string task, string metric, double low, double high)
    {
        var section = Assert.Single(root.GetProperty("tasks").EnumerateArray());
        Assert.Equal((task, metric), (section.GetProperty("name").GetString(), section.GetProperty("metric").GetString()));
        var methods = root.GetProperty("methods").EnumerateArray().ToList();
        Assert.Equal(new[] { "Digital LoRA (upper bound)", "Digital LoRA on analog hardware (no adaptation)", "AHWA-LoRA", "Full AHWA" },
            methods.Where(m => m.GetProperty("section").GetString() == ExperimentResults.MainTable).Select(m => m.GetProperty("method").GetString()));
        Assert.Equal(3, methods.Count(m => m.GetProperty("section").GetString() == ExperimentResults.Readaptation));
        Assert.Equal(new[] { task, "sentiment" }, methods.Where(m => m.GetProperty("section").GetString() == ExperimentResults.MultiTask).Select(m => m.GetProperty("workload").GetString() == task
            ? m.GetProperty("method").GetString()!.Split(", ")[1].Split(' ')[0] : ""));
        foreach (var method in methods)
            foreach (var point in method.GetProperty("points").EnumerateArray())
            {
                Assert.Equal(1, point.GetProperty("values").GetArrayLength());
                Assert.InRange(point.GetProperty("mean").GetDouble(), low, high);
            }
        // One step per phase: 8 items in a batch of 32 (SQuAD windows may be more than the 8 questions).
        Assert.All(root.GetProperty("trainings").EnumerateArray(), t => Assert.InRange(t.GetProperty("steps").GetInt32(), 1, 2));
        Assert.Equal(5, root.GetProperty("trainings").GetArrayLength());
        var budget = section.GetProperty("budget");
        Assert.Equal(2, budget.GetProperty("adapters").GetInt32());
        Assert.Equal(2 * root.GetProperty("totalParameters").GetInt64(), budget.GetProperty("separate").GetInt64());
        Assert.Equal(root.GetProperty("totalParameters").GetInt64() + budget.GetProperty("adapterParameters").GetInt64(), budget.GetProperty("oneProgramming").GetInt64());
        foreach (var adapter in new[] { task, task + "-6bit", "sentiment" })
            Assert.True(File.Exists(Path.Combine(o.Output, "adapters", adapter, "adapter_model.safetensors")), adapter);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("deployment").ValueKind);
    }

    [Fact]
    public void PairClassificationScoresF1AndTrainsAgainWhenItsDataChanges()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "MRPC")).FullName;
        string Rows(int first) => "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n" + string.Concat(Enumerable.Range(first, 10).Select(i =>
            $"{i % 2}\t{i}\t{i + 100}\t{Sentence(i)}\t{(i % 2 == 1 ? Sentence(i) : Sentence(i + 5, 5))}\n"));
        File.WriteAllText(Path.Combine(data, "train.tsv"), Rows(0));
        File.WriteAllText(Path.Combine(data, "dev.tsv"), Rows(20));
        var o = Tiny("mrpc", data);
        var root = Run(o);
        AssertProtocol(root, o, "mrpc", "F1", 0, 1);
        var report = File.ReadAllText(Path.Combine(o.Output, Report.MarkdownFile));
        Assert.Contains("## MRPC: F1 on programmed PCM tiles (%)", report);
        Assert.Contains("8 training and 8 test sentence pairs", report);
        // A quick run says its budget (one step of 8 pairs) cannot separate the methods (issue 32's learning curves).
        Assert.Contains("What this budget can show: each adapter trains for 1 optimiser steps,", report);
        Assert.Contains("| paper (MobileBERT, GLUE) | 8 | 38.1 M | 168.0 M |", report);
        Assert.DoesNotContain("beside the paper", report); // the paper's figures at hand have no per-task GLUE score
        Assert.Contains("\"task_type\": \"SEQ_CLS\"", File.ReadAllText(Path.Combine(o.Output, "adapters", "mrpc", "adapter_config.json")));
        // Accuracy beside F1, from the same evaluations, for every MRPC row; the sentiment adapter's row has one metric.
        foreach (var method in root.GetProperty("methods").EnumerateArray())
        {
            var others = method.GetProperty("others").EnumerateArray().ToList();
            if (method.GetProperty("task").GetString() != "MRPC") { Assert.Empty(others); continue; }
            var accuracy = Assert.Single(others);
            Assert.Equal("accuracy", accuracy.GetProperty("metric").GetString());
            Assert.Equal(method.GetProperty("points").GetArrayLength(), accuracy.GetProperty("points").GetArrayLength());
        }
        Assert.Contains("| AHWA-LoRA | MRPC | accuracy | ", report);

        // Issue 33: every training label flipped, same options: the MRPC phases are trained again on the new data;
        // the sentiment adapter's data did not change, so its kept phase is reused.
        File.WriteAllText(Path.Combine(data, "train.tsv"), string.Join("\n", File.ReadAllLines(Path.Combine(data, "train.tsv"))
            .Select((line, i) => i == 0 ? line : (line[0] == '0' ? "1" : "0") + line[1..])) + "\n");
        var rerun = Run(o).GetProperty("trainings").EnumerateArray().Select(t => t.GetProperty("label").GetString()).ToList();
        Assert.Equal(["digital LoRA", "AHWA-LoRA", "AHWA-LoRA, sentiment task (resumed)", "LoRA retrained for 6-bit DAC/ADC", "full AHWA"], rerun);
    }

    /// <summary>MNLI is scored on matched (the main metric) and mismatched (beside it), each set on its own.</summary>
    [Fact]
    public void MnliScoresMatchedAndMismatchedSets()
    {
        var glue = Ahwa.Lab.Tasks.GlueTask.ByName("mnli");
        var labels = new[] { "contradiction", "entailment", "neutral" };
        List<Ahwa.Lab.Tasks.GlueExample> Set(int first, int count) => Enumerable.Range(first, count)
            .Select(i => new Ahwa.Lab.Tasks.GlueExample(Sentence(i), Sentence(i + 3, 5), i % 3, 0, $"line {i}")).ToList();
        var tokenizer = new BertWordPieces(Pretrained.Load().Tokenizer());
        var (train, matched, mismatched) = (Set(0, 4), Set(10, 6), Set(40, 5));
        var task = (IModelTask)PairTask.Create(glue, tokenizer, 32, train, matched, mismatched);
        Assert.Equal(new[] { "accuracy", "accuracy, mismatched" }, task.Metrics);
        Assert.Equal((6, 11), (task.TestCount, task.EvaluatedCount));
        using var model = new MiniLm();
        model.SetExecution(Ahwa.Runtime.AnalogExecution.Digital);
        int evaluated = 0;
        var scores = task.Scores(model, n => evaluated += n);
        Assert.Equal(11, evaluated);
        IModelTask Alone(List<Ahwa.Lab.Tasks.GlueExample> test) => PairTask.Create(glue, tokenizer, 32, train, test);
        Assert.Equal(Alone(matched).Score(model), scores["accuracy"]);
        Assert.Equal(Alone(mismatched).Score(model), scores["accuracy, mismatched"]);
        Assert.Equal(labels, glue.Labels);
        Assert.Throws<ArgumentException>(() => PairTask.Create(glue, tokenizer, 32, train, matched, mismatched, matched));
    }

    [Fact]
    public void RegressionScoresPearson()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "STS-B")).FullName;
        string Rows(int first) => "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n" + string.Concat(Enumerable.Range(first, 10).Select(i =>
            $"{i}\tmain-news\tf\t2012\t{i}\tnone\tnone\t{Sentence(i)}\t{Sentence(i + i % 4, 6)}\t{(i % 6 * 0.9).ToString("0.0", CultureInfo.InvariantCulture)}\n"));
        File.WriteAllText(Path.Combine(data, "train.tsv"), Rows(0));
        File.WriteAllText(Path.Combine(data, "dev.tsv"), Rows(30));
        var o = Tiny("sts-b", data);
        var root = Run(o);
        // The sentiment adapter's accuracy shares the table, so the range is the correlation's.
        AssertProtocol(root, o, "sts-b", "Pearson correlation", -1, 1);
        Assert.Contains("## STS-B: Pearson correlation on programmed PCM tiles (%)", File.ReadAllText(Path.Combine(o.Output, Report.MarkdownFile)));
    }

    [Fact]
    public void QuestionAnsweringScoresSquadF1BesideThePaper()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "squad")).FullName;
        string Json(int first)
        {
            var paragraphs = Enumerable.Range(first, 8).Select(i =>
            {
                string answer = $"{Words[i % Words.Length]} {1900 + i}";
                string context = $"{Sentence(i, 12)}. In the year {answer} the {Sentence(i + 3, 9)} happened. {Sentence(i + 1, 10)}.";
                int start = context.IndexOf(answer, StringComparison.Ordinal);
                return $"{{\"context\": \"{context}\", \"qas\": [{{\"id\": \"q{i}\", \"question\": \"When did the {Words[(i + 2) % Words.Length]} happen?\", " +
                       $"\"answers\": [{{\"text\": \"{answer}\", \"answer_start\": {start}}}]}}]}}";
            });
            return $"{{\"version\": \"1.1\", \"data\": [{{\"title\": \"t\", \"paragraphs\": [{string.Join(", ", paragraphs)}]}}]}}";
        }
        File.WriteAllText(Path.Combine(data, Workloads.SquadTrain), Json(0));
        File.WriteAllText(Path.Combine(data, Workloads.SquadDev), Json(10));
        var o = Tiny("squad", data) with { MaxTokens = 24 }; // windows of 24 tokens: each context spans several
        var root = Run(o);
        Assert.Contains($"({Workloads.SquadTrain}, {Workloads.SquadDev} as test;", root.GetProperty("tasks")[0].GetProperty("data").GetString());
        AssertProtocol(root, o, "squad", "F1", 0, 1);
        var section = root.GetProperty("tasks")[0];
        Assert.True(section.GetProperty("testCount").GetInt32() > 8, "every question's context is cut into overlapping windows");
        var report = File.ReadAllText(Path.Combine(o.Output, Report.MarkdownFile));
        Assert.Contains("## SQuAD: F1 on programmed PCM tiles (%)", report);
        Assert.Contains("## SQuAD beside the paper (MobileBERT (google/mobilebert-uncased), F1 %)", report);
        Assert.Contains("| AHWA-LoRA | 10 years | 85.36 |", report);
        Assert.Equal(6, section.GetProperty("paper").GetArrayLength());
        Assert.Contains("\"task_type\": \"QUESTION_ANS\"", File.ReadAllText(Path.Combine(o.Output, "adapters", "squad", "adapter_config.json")));
    }

    /// <summary>A SQuAD folder with only the dev file (as in ../shared/data): the job splits it by article, half for
    /// training and half as test, and says so wherever the data is named.</summary>
    [Fact]
    public void SquadWithOnlyItsDevFileSplitsByArticle()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "squad-dev")).FullName;
        string Article(int n) => "{\"title\": \"t" + n + "\", \"paragraphs\": [" + string.Join(", ", Enumerable.Range(10 * n, 3).Select(i =>
            $"{{\"context\": \"{Sentence(i, 9)} in {1900 + i}.\", \"qas\": [{{\"id\": \"q{i}\", \"question\": \"When?\", " +
            $"\"answers\": [{{\"text\": \"{1900 + i}\", \"answer_start\": {Sentence(i, 9).Length + 4}}}]}}]}}")) + "]}";
        File.WriteAllText(Path.Combine(data, Workloads.SquadDev), "{\"version\": \"1.1\", \"data\": [" + string.Join(", ", Enumerable.Range(0, 4).Select(Article)) + "]}");
        var o = Tiny("squad", data) with { MaxTokens = 24 };
        Assert.Null(Workloads.Problem(o.Task, o.DataFolder));

        var workload = Workloads.Load(o, Pretrained.Load().Tokenizer());
        Assert.Contains($"{Workloads.SquadDev} split by article, no {Workloads.SquadTrain}: the first 2 of its 4 articles for training, the others as test; " +
                        "a small-data QA run, not comparable", workload.Data);
        Assert.Contains("6 test questions", workload.Data);
    }

    /// <summary>Issue 14, "Done when": the default main job runs the sentiment task and the harder era task, a report
    /// section each; the era task's sentiment adapter is the sentiment task's, resumed from its kept phase.</summary>
    [Fact]
    public void TheDefaultJobHasASectionPerTask()
    {
        var o = ExperimentOptions.Quick(Path.Combine(folder, "out")) with
        {
            Epochs = 1,
            Repetitions = 1,
            TrainLimit = 8,
            TestLimit = 8,
            Times = new[] { (0.0, "0 s") },
            Deploy = false,
        };
        Assert.Equal(Workloads.Default, o.Task);
        var root = Run(o);
        Assert.Equal(new[] { "sentiment", "era" }, root.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(new[] { "sentiment", "site", "era", "sentiment" }, root.GetProperty("methods").EnumerateArray()
            .Where(m => m.GetProperty("section").GetString() == ExperimentResults.MultiTask).Select(m => m.GetProperty("task").GetString()));
        var trainings = root.GetProperty("trainings").EnumerateArray().Select(t => (t.GetProperty("label").GetString(), t.GetProperty("steps").GetInt32())).ToList();
        Assert.Equal(10, trainings.Count);
        Assert.Equal(("AHWA-LoRA, sentiment task (resumed)", 0), trainings[7]);
        var report = File.ReadAllText(Path.Combine(o.Output, Report.MarkdownFile));
        foreach (var heading in new[] { "## Sentiment: accuracy", "## Re-adaptation (Sentiment)", "## Multi-task (Sentiment)",
                     "## State of the Union era: accuracy", "## Re-adaptation (State of the Union era)", "## Multi-task (State of the Union era)" })
            Assert.Contains(heading, report);
        Assert.Equal(6, root.GetProperty("plots").GetArrayLength());
    }

    [Theory]
    [InlineData("--task squad", "--task squad reads its files from a folder: give --data DIR.")]
    [InlineData("--task sentiment --data .", "--data is for the GLUE and SQuAD tasks")]
    [InlineData("--task mrpc,sentiment --data .", "a task read from --data runs alone")]
    [InlineData("--task sentiment,sentiment", "--task names a task twice")]
    [InlineData("--data .", "--data needs --task")]
    [InlineData("--task mrpc --data /no/such/folder", "--data folder '/no/such/folder' does not exist.")]
    public void BadTaskAndDataAreRefused(string line, string message)
    {
        var result = ExperimentCommandLine.Parse(line.Split(' '));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void DataTasksTakeThePapersRecipe()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "MNLI")).FullName;
        File.WriteAllText(Path.Combine(data, "train.tsv"), "x\n");
        File.WriteAllText(Path.Combine(data, "dev_matched.tsv"), "x\n");
        Assert.Contains("has no dev_mismatched.tsv (needed by --task mnli)", ExperimentCommandLine.Parse(new[] { "--task", "MNLI", "--data", data }).Error);
        File.WriteAllText(Path.Combine(data, "dev_mismatched.tsv"), "x\n");
        var o = ExperimentCommandLine.Parse(new[] { "--task", "MNLI", "--data", data }).Options!;
        Assert.Equal(("mnli", 15, 2e-4, 128, data), (o.Task, o.Epochs, o.LoraLearningRate, o.MaxTokens, o.DataFolder));
        var given = ExperimentCommandLine.Parse(new[] { "--task", "mnli", "--data", data, "--epochs", "2", "--lr", "1e-3", "--no-deploy" }).Options!;
        Assert.Equal((2, 1e-3, false), (given.Epochs, given.LoraLearningRate, given.Deploy));
        var quick = ExperimentCommandLine.Parse(new[] { "--quick", "--task", "mnli", "--data", data }).Options!;
        Assert.Equal((ExperimentOptions.Quick().Epochs, ExperimentOptions.QuickGlueTokens), (quick.Epochs, quick.MaxTokens));
        Assert.Equal("sst-2", Workloads.Canonical("SST2"));
        Assert.Equal(ExperimentOptions.SquadTokens, ExperimentOptions.Default().ForDataTask(Workloads.Squad).MaxTokens);
        // Long sequences give their large activations back to the system (SQuAD's quick run held 9.8 GB without);
        // the sentence tasks keep the allocator's faster policy.
        Assert.True(ExperimentOptions.Quick().ForDataTask(Workloads.Squad).ReturnsLargeBlocks);
        Assert.True(ExperimentOptions.Default().ForDataTask("rte").ReturnsLargeBlocks);
        Assert.False(ExperimentOptions.Default().ReturnsLargeBlocks);
        Assert.False(ExperimentOptions.Quick().ReturnsLargeBlocks);
        // A training pass holds at most 2,048 tokens (full AHWA's activations set a SQuAD run's peak memory): SQuAD's
        // windows train 10 (quick, 192 tokens) or 6 (320) a pass, the GLUE recipe's 16; short sequences in one pass.
        Assert.Equal(10, ExperimentOptions.Quick().ForDataTask(Workloads.Squad).MicroBatchSize(32));
        Assert.Equal(6, ExperimentOptions.Default().ForDataTask(Workloads.Squad).MicroBatchSize(32));
        Assert.Equal(16, ExperimentOptions.Default().ForDataTask("rte").MicroBatchSize(32));
        Assert.Equal(0, ExperimentOptions.Quick().ForDataTask("rte").MicroBatchSize(32));
        Assert.Equal(0, ExperimentOptions.Default().MicroBatchSize(32));
        // A run on another data folder does not resume this one's phases.
        Assert.NotEqual(Phases.Fingerprint(o)["data"], Phases.Fingerprint(o with { DataFolder = folder })["data"]);
        Assert.False(Phases.Fingerprint(ExperimentOptions.Quick()).ContainsKey("data"));
    }
}
