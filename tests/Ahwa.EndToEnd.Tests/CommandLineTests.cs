using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 18, finding 15: every value is validated with bounds before anything runs or is created; these are
/// tests of the options layer, no build or run per case.</summary>
public sealed class CommandLineTests : IDisposable
{
    readonly string scratch = Directory.CreateTempSubdirectory("ahwa-cli-").FullName;

    public void Dispose() => Directory.Delete(scratch, recursive: true);

    static CommandLineResult Refused(params string[] args)
    {
        var result = ExperimentCommandLine.Parse(args);
        Assert.Null(result.Options);
        Assert.Equal(2, result.ExitCode);
        return result;
    }

    [Theory]
    [InlineData("--repetitions", "1000000", "--repetitions must be at most 1000, got '1000000'")]
    [InlineData("--epochs", "5000", "--epochs must be at most 1000, got '5000'")]
    [InlineData("--epochs", "99999999999", "--epochs must be a positive integer, got '99999999999'")]
    [InlineData("--train-limit", "0", "--train-limit must be a positive integer, got '0'")]
    [InlineData("--test-limit", "-5", "--test-limit must be a positive integer, got '-5'")]
    [InlineData("--test-limit", "200000000", "--test-limit must be at most 100000000, got '200000000'")]
    [InlineData("--lr", "Infinity", "--lr must be a positive number, got 'Infinity'")]
    [InlineData("--lr", "NaN", "--lr must be a positive number, got 'NaN'")]
    public void ValuesOutOfBoundsAreRefused(string option, string value, string message) =>
        Assert.Contains(message, Refused(option, value).Error);

    [Fact]
    public void ItemLimitsReplaceThePresetsCapsAndOnlyThoseGiven()
    {
        var output = Path.Combine(scratch, "out");
        var quick = ExperimentCommandLine.Parse(["--quick", "--out", output]).Options!;
        var limited = ExperimentCommandLine.Parse(["--quick", "--out", output, "--train-limit", "2000", "--test-limit", "500"]).Options!;
        Assert.Equal((2000, 500), (limited.TrainLimit, limited.TestLimit));
        Assert.NotEqual((quick.TrainLimit, quick.TestLimit), (limited.TrainLimit, limited.TestLimit));
        var testOnly = ExperimentCommandLine.Parse(["--quick", "--out", output, "--test-limit", "77"]).Options!;
        Assert.Equal((quick.TrainLimit, 77), (testOnly.TrainLimit, testOnly.TestLimit));
        // The suite's own cap is a preset value too: the option still wins over it.
        var glue = Directory.CreateDirectory(Path.Combine(scratch, "glue", "SST-2")).FullName;
        File.WriteAllText(Path.Combine(glue, "train.tsv"), "sentence\tlabel\n");
        File.WriteAllText(Path.Combine(glue, "dev.tsv"), "sentence\tlabel\n");
        var suite = ExperimentCommandLine.Parse(["--suite", "glue", "--data", Path.GetDirectoryName(glue)!, "--out", output]).Options!;
        Assert.Equal(ExperimentOptions.SuiteTrainCap, suite.TrainLimit);
        var capped = ExperimentCommandLine.Parse(["--suite", "glue", "--data", Path.GetDirectoryName(glue)!, "--out", output, "--train-limit", "300"]).Options!;
        Assert.Equal(300, capped.TrainLimit);
    }

    [Fact]
    public void UnwritableOutputIsNamedAsSuch()
    {
        var error = Refused("--out", "/proc/forbidden").Error!;
        Assert.Contains("--out '/proc/forbidden' cannot be written", error);
        Assert.DoesNotContain("Could not find file", error);
    }

    [Fact]
    public void OutputBlockedByAFileIsRefused()
    {
        var file = Path.Combine(scratch, "file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file, not a folder", Refused("--out", file).Error);
        Assert.Contains("cannot be created: '" + file + "' is a file", Refused("--out", Path.Combine(file, "sub")).Error);
    }

    [Fact]
    public void MissingGlueFolderIsRefusedAndCreatesNoOutputFolder()
    {
        var output = Path.Combine(scratch, "out");
        Assert.Contains("--glue folder '/no/such/glue' does not exist", Refused("--glue", "/no/such/glue", "--out", output).Error);
        var glue = Directory.CreateDirectory(Path.Combine(scratch, "SST-2")).FullName;
        File.WriteAllText(Path.Combine(glue, "train.tsv"), "sentence\tlabel\n");
        Assert.Contains("has no dev.tsv", Refused("--glue", glue, "--out", output).Error);
        Assert.False(Directory.Exists(output));
        Assert.Equal(new[] { "SST-2" }, Array.ConvertAll(Directory.GetFileSystemEntries(scratch), Path.GetFileName));
    }

    [Fact]
    public void ValidOutputIsNotCreatedWhileParsing()
    {
        var output = Path.Combine(scratch, "a", "b");
        Assert.Equal(output, ExperimentCommandLine.Parse(new[] { "--out", output }).Options!.Output);
        Assert.False(Directory.Exists(Path.Combine(scratch, "a")));
    }
}

/// <summary>Issue 18, finding 17: GLUE data errors name file and line; the task comes from its folder; --quick
/// takes a seeded shuffled subset. Since issue 30, <c>--glue DIR</c> reads with the one GLUE reader (GlueTask).</summary>
public sealed class GlueDataTests : IDisposable
{
    readonly string folder = Directory.CreateDirectory(Path.Combine(Directory.CreateTempSubdirectory("ahwa-glue-").FullName, "SST-2")).FullName;

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);

    [Fact]
    public void HeaderOnlyFileIsAClearError()
    {
        var path = Path.Combine(folder, "train.tsv");
        File.WriteAllText(path, "sentence\tlabel\n\n");
        Assert.Equal($"'{path}': GLUE SST-2 file has no examples.", Assert.Throws<InvalidDataException>(() => GlueTask.ByName(Path.GetFileName(folder)).Read(path)).Message);
    }

    [Theory]
    [InlineData("SST-2", "2", "field 2 (label) is '2'; GLUE SST-2 labels are 0, 1")]
    [InlineData("RTE", "maybe", "field 4 (label) is 'maybe'; GLUE RTE labels are entailment, not_entailment")]
    public void LabelsOutsideTheClassesNameFileAndLine(string task, string label, string message)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(folder)!, task)).FullName;
        var path = Path.Combine(dir, "train.tsv");
        File.WriteAllText(path, task == "SST-2" ? $"sentence\tlabel\ngood .\t1\nodd .\t{label}\n"
            : $"index\tsentence1\tsentence2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\t{label}\n");
        var error = Assert.Throws<InvalidDataException>(() => GlueTask.ByName(Path.GetFileName(dir)).Read(path));
        Assert.Equal($"'{path}' line 3: {message}.", error.Message);
    }

    [Fact]
    public void TaskNameAndClassesComeFromTheFolder()
    {
        foreach (var file in new[] { "train.tsv", "dev.tsv" }) File.WriteAllText(Path.Combine(folder, file), "sentence\tlabel\na\t0\n");
        var sst = ExperimentCommandLine.Parse(new[] { "--glue", folder, "--out", Path.Combine(folder, "out") }).Options!;
        Assert.Equal(("sst-2", folder), (sst.Task, sst.DataFolder));
        Assert.Equal(new[] { "0", "1" }, GlueTask.ByName("SST-2").Labels);
        var sst2 = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(folder)!, "sst2")).FullName;
        foreach (var file in new[] { "train.tsv", "dev.tsv" }) File.Copy(Path.Combine(folder, file), Path.Combine(sst2, file));
        Assert.Equal("sst-2", ExperimentCommandLine.Parse(new[] { "--glue", sst2 }).Options!.Task);
        var other = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(folder)!, "Other")).FullName;
        var error = ExperimentCommandLine.Parse(new[] { "--glue", other }).Error!;
        Assert.Contains($"--glue folder '{other}' is not named after a GLUE task (CoLA, SST-2, MRPC", error);
        Assert.Contains("give --task NAME --data DIR", error);
    }

    [Fact]
    public void QuickSubsetIsSeededAndShuffled()
    {
        // A file sorted by label: the first 50 rows are all 0.
        var items = Enumerable.Range(0, 100).Select(i => new LabeledSentence("s" + i, i < 50 ? 0 : 1, "f")).ToList();
        var subset = SeededSubset.Take(items, 20, seed: 42, part: 0);
        Assert.Equal(20, subset.Count);
        Assert.Contains(subset, s => s.Label == 1);
        Assert.Equal(subset, SeededSubset.Take(items, 20, seed: 42, part: 0));
        Assert.NotEqual(subset, SeededSubset.Take(items, 20, seed: 43, part: 0));
        Assert.Same(items, SeededSubset.Take(items, 200, seed: 42, part: 0));
    }
}

/// <summary>Issue 18, finding 18: Ctrl-C is checked at every training step and evaluated batch of the main job.</summary>
public class CancellationTests
{
    [Fact]
    public void AnAdvanceAfterCancellationStopsTheWork()
    {
        using var cancel = new System.Threading.CancellationTokenSource();
        int done = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Progress.Run("steps", 100, advance =>
        {
            for (int i = 0; i < 100; i++)
            {
                if (i == 3) cancel.Cancel();
                advance(1);
                done++;
            }
        }, cancel.Token));
        Assert.Equal(3, done);
    }

    [Fact]
    public async System.Threading.Tasks.Task WorkStartedWhileABarIsShownRunsWithoutABarOfItsOwn()
    {
        using var shown = new System.Threading.ManualResetEventSlim();
        using var release = new System.Threading.ManualResetEventSlim();
        var first = System.Threading.Tasks.Task.Run(() => Progress.Run("first", 1, advance =>
        {
            shown.Set();
            release.Wait();
            advance(1);
        }));
        Assert.True(shown.Wait(TimeSpan.FromSeconds(30)));
        int done = 0;
        // Spectre.Console allows one live display per process; this used to throw while the first bar was shown.
        Progress.Run("second", 5, advance =>
        {
            for (int i = 0; i < 5; i++)
            {
                advance(1);
                done++;
            }
        });
        release.Set();
        await first;
        Assert.Equal(5, done);
    }
}

/// <summary>Issue 18, finding 19, and issue 33: finished phases are kept with the options and the content that
/// produced them; a rerun resumes with matching options and content, trains again on other training data or weights,
/// and is refused with other options before any work (exit 2).</summary>
public sealed class PhaseTests : IDisposable
{
    readonly string output = Directory.CreateTempSubdirectory("ahwa-phases-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    static readonly PhaseContent Content = new(new string('a', 64), new string('b', 64));

    [Fact]
    public void FinishedPhasesResumeWithMatchingOptionsAndAreRefusedOtherwise()
    {
        var options = ExperimentOptions.Quick(output);
        using var model = new MiniLm(seed: 3);
        var phases = new Phases(output, options);
        Assert.Null(phases.TryLoad("sentiment", Content, out var none));
        Assert.Null(none);
        phases.Save(model, "sentiment", Content);
        Directory.CreateDirectory(Path.Combine(output, Phases.Folder, "unfinished")); // killed before its manifest

        var again = new Phases(output, options with { Repetitions = 5 }); // sweeps only: the phase still matches
        again.CheckAll();
        var kept = again.TryLoad("sentiment", Content, out var why)!;
        Assert.StartsWith("resumed from ", why);
        Assert.Contains("training data sha256 aaaaaaaaaaaa", why);
        Assert.Equal(AdapterFiles.Capture(model, "sentiment").Tensors.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => (t.Name, t.Data)),
            kept.Tensors.Select(t => (t.Name, t.Data)));
        Assert.Null(again.TryLoad("unfinished", Content, out _));

        var error = Assert.Throws<InvalidDataException>(() => new Phases(output, options with { Epochs = 7 }).CheckAll());
        Assert.Contains("was trained with epochs = 4, this run has 7", error.Message);
        Assert.Contains("use another --out", error.Message);
    }

    [Fact]
    public void APhaseTrainedOnOtherDataOrWeightsIsTrainedAgain()
    {
        var phases = new Phases(output, ExperimentOptions.Quick(output));
        using var model = new MiniLm(seed: 3);
        phases.Save(model, "rte", Content);
        Assert.Null(phases.TryLoad("rte", Content with { TrainingData = new string('c', 64) }, out var data));
        Assert.Contains("was trained on other training data (sha256 aaaaaaaaaaaa, now cccccccccccc); training again", data);
        Assert.Null(phases.TryLoad("rte", Content with { Weights = new string('d', 64) }, out var weights));
        Assert.Contains("was trained on other pretrained weights", weights);
        Assert.NotNull(phases.TryLoad("rte", Content, out _));
    }

    /// <summary>The digest a phase is keyed by changes with any training label or word, not with the test set.</summary>
    [Fact]
    public void TheTrainingDigestFollowsTheTrainingItems()
    {
        var bert = Pretrained.Load().Tokenizer();
        var tokenizer = new BertWordPieces(bert);
        var glue = Ahwa.Lab.Tasks.GlueTask.ByName("RTE");
        List<Ahwa.Lab.Tasks.GlueExample> Items(int flip, string word = "rose") => Enumerable.Range(0, 6)
            .Select(i => new Ahwa.Lab.Tasks.GlueExample($"shares {word} {i}", $"profit fell {i}", (i + flip) % 2, double.NaN, $"line {i}")).ToList();
        string Digest(List<Ahwa.Lab.Tasks.GlueExample> train, List<Ahwa.Lab.Tasks.GlueExample> test) =>
            PairTask.Create(glue, tokenizer, 32, train, test).TrainingData;
        string original = Digest(Items(0), Items(0));
        Assert.Equal(64, original.Length);
        Assert.Equal(original, Digest(Items(0), Items(1)));
        Assert.NotEqual(original, Digest(Items(1), Items(0)));
        Assert.NotEqual(original, Digest(Items(0, "fell"), Items(0)));
        var sentences = Enumerable.Range(0, 4).Select(i => new LabeledSentence($"good {i}", i % 2, "x")).ToList();
        string Sentences(IEnumerable<LabeledSentence> train) => SentenceTask.Create("s", ["a", "b"], bert, 16, train, sentences).TrainingData;
        Assert.NotEqual(Sentences(sentences), Sentences(sentences.Select(s => s with { Label = 1 - s.Label })));
    }

    [Fact]
    public void ARerunWithOtherOptionsIsABadCommandLine()
    {
        var options = ExperimentCommandLine.Parse(["--quick", "--out", output]).Options!;
        using var model = new MiniLm(seed: 3);
        new Phases(output, options).Save(model, "sentiment", Content);
        var refused = ExperimentCommandLine.Parse(["--quick", "--out", output, "--epochs", "7"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("was trained with epochs = 4, this run has 7", refused.Error);
        Assert.NotNull(ExperimentCommandLine.Parse(["--quick", "--out", output]).Options);
    }
}

/// <summary>Issue 31, item 3: the main job writes only into a folder that is new, empty or its own, and removes nothing.</summary>
public sealed class RunFolderTests : IDisposable
{
    readonly string output = Directory.CreateTempSubdirectory("ahwa-out-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    [Fact]
    public void AFolderWithSomeoneElsesFilesIsRefusedBeforeAnyWork()
    {
        File.WriteAllText(Path.Combine(output, "report.md"), "my own notes");
        File.WriteAllText(Path.Combine(output, "results.json"), "{}");
        var refused = ExperimentCommandLine.Parse(["--quick", "--out", output]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"--out folder '{output}' holds files this job did not write ('report.md', 'results.json')", refused.Error);
        Assert.Throws<IOException>(() => RunFolder.Claim(output));
        Assert.Equal("my own notes", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public void AnEarlierRunsFolderIsTakenAndItsReportKept()
    {
        RunFolder.Claim(output); // an empty folder is taken
        File.WriteAllText(Path.Combine(output, "report.md"), "the earlier run's report");
        Assert.NotNull(ExperimentCommandLine.Parse(["--quick", "--out", output]).Options);
        RunFolder.Claim(output);
        Assert.Equal("the earlier run's report", File.ReadAllText(Path.Combine(output, "report.md")));
        Assert.Null(RunFolder.Problem(Path.Combine(output, "not-yet-made")));
    }

    [Fact]
    public void ABlankOutIsEchoedAsGiven()
    {
        Assert.Contains("--out needs a folder name, got '  '.", ExperimentCommandLine.Parse(["--out", "  "]).Error);
        Assert.Contains("--data needs a folder name, got ' '.", ExperimentCommandLine.Parse(["--task", "rte", "--data", " "]).Error);
    }
}
