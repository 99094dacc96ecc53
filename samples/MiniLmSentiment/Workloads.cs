using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;
using Microsoft.ML.Tokenizers;

namespace MiniLmSentiment;

/// <summary>What the experiment runs on: the main table's task, the second task whose adapter shares the
/// programming, the names their adapters are kept under and a line saying where the data came from.</summary>
public sealed record Workload(string Title, IModelTask Main, string MainAdapter, IModelTask? Second, string SecondAdapter, string Data);

/// <summary>The tasks <c>--task</c> selects: the built-in sentiment and State of the Union tasks (installed with npm),
/// every GLUE task and SQuAD v1.1 from a <c>--data</c> folder (<c>--glue DIR</c> is <c>--task NAME --data DIR</c>
/// with NAME the folder's).</summary>
public static class Workloads
{
    public const string Sentiment = "sentiment", SotuEra = "sotu-era", Squad = "squad";

    /// <summary>The main job without <c>--task</c>: the sentiment task and the harder era task, one report section each.</summary>
    public const string Default = Sentiment + "," + SotuEra;

    public static readonly IReadOnlyList<string> BuiltIn = new[] { Sentiment, SotuEra };

    /// <summary>The tasks read from a <c>--data</c> folder: GLUE's, named as its folders are (lower case), and SQuAD.</summary>
    public static readonly IReadOnlyList<string> FromData = GlueTask.All.Select(t => t.Name.ToLowerInvariant()).Append(Squad).ToList();

    public static readonly IReadOnlyList<string> Names = BuiltIn.Concat(FromData).ToList();

    /// <summary>SQuAD's file names as the benchmark ships them.</summary>
    public const string SquadTrain = SquadTask.TrainFile, SquadDev = SquadTask.DevFile;

    /// <summary>The names in a <c>--task</c> value (comma-separated built-in tasks, or one data-folder task).</summary>
    public static IReadOnlyList<string> Split(string task) => task.Split(',', StringSplitOptions.TrimEntries);

    public static bool IsFromData(string name) => FromData.Contains(Canonical(name));

    /// <summary>A GLUE name as the benchmark spells it (SST-2, sst2) or a listed name, in the listed spelling.</summary>
    public static string Canonical(string name)
    {
        if (Names.Contains(name)) return name;
        return GlueTask.Find(name) is { } glue ? glue.Name.ToLowerInvariant() : name;
    }

    /// <summary>Whether <paramref name="name"/> is a GLUE task's, in any of its spellings.</summary>
    public static bool IsGlue(string name) => GlueTask.Find(name) is not null;

    /// <summary>What is wrong with a <c>--task</c> value and <c>--data</c> folder, or null.</summary>
    public static string? Problem(string task, string? data)
    {
        var names = Split(task).Select(Canonical).ToList();
        if (names.FirstOrDefault(n => !Names.Contains(n)) is string unknown)
            return $"--task must be one of {string.Join(", ", Names)} (built-in tasks may be joined by commas), got '{unknown}'.";
        if (names.Distinct().Count() != names.Count) return $"--task names a task twice: '{task}'.";
        bool fromData = names.Any(IsFromData);
        if (fromData && names.Count > 1) return $"--task {task}: a task read from --data runs alone.";
        if (!fromData && data is not null) return $"--data is for the GLUE and SQuAD tasks; --task {task} installs its own data.";
        if (!fromData) return null;
        if (data is null) return $"--task {names[0]} reads its files from a folder: give --data DIR.";
        if (!Directory.Exists(data)) return $"--data folder '{data}' does not exist.";
        return MissingFile(names[0], data) is string absent ? $"--data folder '{data}' has no {absent} (needed by --task {names[0]})." : null;
    }

    /// <summary>The first file task <paramref name="name"/> needs that <paramref name="folder"/> lacks, or null (SQuAD's
    /// dev file alone is enough: it is then split by article, LoadSquad).</summary>
    public static string? MissingFile(string name, string folder)
    {
        var needed = Canonical(name) == Squad ? new[] { SquadDev } : GlueTask.ByName(name).Files;
        return needed.FirstOrDefault(f => !File.Exists(Path.Combine(folder, f)));
    }

    static GlueTask Glue(string name) => GlueTask.ByName(name);

    /// <summary>Every workload of the run, in the order of <c>--task</c>.</summary>
    public static IReadOnlyList<Workload> LoadAll(ExperimentOptions o, BertTokenizer tokenizer)
    {
        if (Problem(o.Task, o.DataFolder) is string problem) throw new ArgumentException(problem);
        return Split(o.Task).Select(name => Load(o, tokenizer, Canonical(name))).ToList();
    }

    /// <summary>The first workload of the run (the PyTorch export's).</summary>
    public static Workload Load(ExperimentOptions o, BertTokenizer tokenizer) => LoadAll(o, tokenizer)[0];

    static Workload Load(ExperimentOptions o, BertTokenizer tokenizer, string name)
    {
        var cache = Environment.GetEnvironmentVariable("AHWA_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ahwa");
        var sentences = SentimentSentences.Load(Installed(cache, SentimentSentences.Install));
        // 80 / 10 / 10: the test split is what every number below is measured on.
        var split = DataSplit.Create(sentences, o.Seed, devFraction: 0.1, testFraction: 0.1);
        var sentiment = SentenceTask.Create("sentiment", new[] { "negative", "positive" }, tokenizer, o.MaxTokens, split.Train.Take(o.TrainLimit), split.Test.Take(o.TestLimit));
        string uci = $"UCI sentiment sentences ({SentimentSentences.Package}, Amazon, IMDB, Yelp)";
        if (name == SotuEra)
        {
            var addresses = StateOfTheUnion.Load(Installed(cache, StateOfTheUnion.Install));
            var eras = StateOfTheUnion.EraSplit(addresses, o.Seed);
            var era = SentenceTask.Create("era", StateOfTheUnion.Eras, tokenizer, o.MaxTokens, eras.Train.Take(o.TrainLimit), eras.Test.Take(o.TestLimit));
            // The sentiment adapter shares the era task's programming: the multi-task table pairs the two.
            return new Workload("State of the Union era", era, "era", sentiment, "sentiment", $"{StateOfTheUnion.Describe(addresses)}; second task: {uci}");
        }
        if (IsFromData(name))
        {
            // The paper's eight GLUE adapters share one programming; here the task's adapter shares it with the
            // sentiment adapter, the second task every run installs.
            var (task, data) = name == Squad ? LoadSquad(o, tokenizer) : LoadGlue(o, tokenizer, Glue(name));
            return new Workload(task.Name, task, name, sentiment, "sentiment", $"{data}; second task: {uci}");
        }
        var site = SentenceTask.Create("site", SentimentSentences.Sites, tokenizer, o.MaxTokens,
            SentimentSentences.BySite(split.Train).Take(o.TrainLimit), SentimentSentences.BySite(split.Test).Take(o.TestLimit));
        return new Workload("Sentiment", sentiment, "sentiment", site, "site", uci);
    }

    static (IModelTask Task, string Data) LoadGlue(ExperimentOptions o, BertTokenizer tokenizer, GlueTask glue) => LoadGlue(o, tokenizer, glue, o.DataFolder!);

    /// <summary>A GLUE task from its folder (<paramref name="folder"/> holds train.tsv and the task's dev files), with
    /// the options' caps: the suite reads each of its tasks this way.</summary>
    public static (IModelTask Task, string Data) LoadGlue(ExperimentOptions o, BertTokenizer tokenizer, GlueTask glue, string folder)
    {
        var sizes = new int[glue.DevFiles.Count + 1];
        // Part i of the seeded draws is file i (train.tsv, then the dev sets), each capped by the options.
        var task = PairTask.Load(glue, folder, new BertWordPieces(tokenizer), o.MaxTokens, (items, file) =>
        {
            var taken = SeededSubset.Take(items, file == 0 ? o.TrainLimit : o.TestLimit, o.Seed, file);
            sizes[file] = taken.Count;
            return taken;
        });
        string others = string.Concat(glue.DevFiles.Skip(1).Select((file, i) => $", {file} ({sizes[i + 2]} items) beside it"));
        return (task, $"GLUE {glue.Name} in {folder} ({GlueTask.TrainFile}, {glue.DevFiles[0]} as test{others})");
    }

    static (IModelTask Task, string Data) LoadSquad(ExperimentOptions o, BertTokenizer tokenizer)
    {
        var folder = o.DataFolder!;
        var dev = Ahwa.Lab.Tasks.Squad.Read(Path.Combine(folder, SquadDev));
        bool split = !File.Exists(Path.Combine(folder, SquadTrain));
        int articles = dev.Count == 0 ? 0 : dev.Max(e => e.Article) + 1;
        var (train, test) = split ? Ahwa.Lab.Tasks.Squad.SplitByArticle(dev, articles / 2) : (Ahwa.Lab.Tasks.Squad.Read(Path.Combine(folder, SquadTrain)), dev);
        var options = SquadOptions.ForLength(o.MaxTokens);
        var task = SquadTask.Create(new BertWordPieces(tokenizer), options, SeededSubset.Take(train, o.TrainLimit, o.Seed, 0), SeededSubset.Take(test, o.TestLimit, o.Seed, 1));
        string files = split
            ? $"{SquadDev} split by article, no {SquadTrain}: the first {articles / 2} of its {articles} articles for training, the others as test; " +
              "a small-data QA run, not comparable with the paper's full-training numbers"
            : $"{SquadTrain}, {SquadDev} as test";
        return (task, $"SQuAD v1.1 in {folder} ({files}; {task.TestQuestions} test questions, windows of {options.MaxLength} tokens, stride {options.DocStride})");
    }

    static string Installed(string cache, Func<string, string> install)
    {
        try
        {
            return install(cache);
        }
        catch (InvalidOperationException error)
        {
            throw new IOException($"The data set could not be installed into '{cache}': {error.Message}", error);
        }
    }
}

/// <summary>What the experiment reads of a task beyond its metrics, which every task of the sample gives: a task
/// without a training digest cannot be resumed, one without per-item predictions cannot be bootstrapped.</summary>
static class ExperimentTasks
{
    public static string Digest(this IModelTask task) =>
        task.TrainingData ?? throw new InvalidOperationException($"Task '{task.Name}' gives no digest of its training items, which kept phases are checked against.");

    public static SubsetMetric Subset(this IModelTask task) =>
        task.SubsetMetric ?? throw new InvalidOperationException($"Task '{task.Name}' keeps no per-item predictions, which the paired bootstrap resamples.");
}
