using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Tokenizers;

namespace MiniLmSentiment;

/// <summary>What the experiment runs on: the main table's task, the second task whose adapter shares the
/// programming, the names their adapters are kept under and a line saying where the data came from.</summary>
public sealed record Workload(string Title, SentenceTask Main, string MainAdapter, SentenceTask? Second, string SecondAdapter, string Data);

/// <summary>The tasks <c>--task</c> selects; <c>--glue DIR</c> replaces the main task by a GLUE folder's.</summary>
public static class Workloads
{
    public const string Sentiment = "sentiment", SotuEra = "sotu-era";

    public static readonly IReadOnlyList<string> Names = new[] { Sentiment, SotuEra };

    public static Workload Load(ExperimentOptions o, BertTokenizer tokenizer)
    {
        if (!Names.Contains(o.Task)) throw new ArgumentException($"Unknown task '{o.Task}'; known: {string.Join(", ", Names)}.");
        if (o.GlueFolder is not null)
        {
            var train = GlueTsv.Read(Path.Combine(o.GlueFolder, "train.tsv"));
            // GLUE's test labels are hidden: its dev set is the test set here, as in the paper.
            var test = GlueTsv.Read(Path.Combine(o.GlueFolder, "dev.tsv"));
            var (name, classes) = GlueTsv.Task(o.GlueFolder, train.Concat(test));
            var task = SentenceTask.Create(name, classes, tokenizer, o.MaxTokens,
                GlueTsv.Subset(train, o.TrainLimit, o.Seed, 0), GlueTsv.Subset(test, o.TestLimit, o.Seed, 1));
            return new Workload("Sentiment", task, "sentiment", null, "site", $"GLUE TSV in {o.GlueFolder} (train.tsv, dev.tsv as test)");
        }
        var cache = Environment.GetEnvironmentVariable("AHWA_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ahwa");
        var sentences = SentimentSentences.Load(Installed(cache, SentimentSentences.Install));
        // 80 / 10 / 10: the test split is what every number below is measured on.
        var split = DataSplit.Create(sentences, o.Seed, devFraction: 0.1, testFraction: 0.1);
        var sentiment = SentenceTask.Create("sentiment", new[] { "negative", "positive" }, tokenizer, o.MaxTokens, split.Train.Take(o.TrainLimit), split.Test.Take(o.TestLimit));
        string uci = $"UCI sentiment sentences ({SentimentSentences.Package}, Amazon, IMDB, Yelp)";
        if (o.Task == SotuEra)
        {
            var addresses = StateOfTheUnion.Load(Installed(cache, StateOfTheUnion.Install));
            var eras = StateOfTheUnion.EraSplit(addresses, o.Seed);
            var era = SentenceTask.Create("era", StateOfTheUnion.Eras, tokenizer, o.MaxTokens, eras.Train.Take(o.TrainLimit), eras.Test.Take(o.TestLimit));
            // The sentiment adapter shares the era task's programming: the multi-task table pairs the two.
            return new Workload("State of the Union era", era, "era", sentiment, "sentiment", $"{StateOfTheUnion.Describe(addresses)}; second task: {uci}");
        }
        var site = SentenceTask.Create("site", SentimentSentences.Sites, tokenizer, o.MaxTokens,
            SentimentSentences.BySite(split.Train).Take(o.TrainLimit), SentimentSentences.BySite(split.Test).Take(o.TestLimit));
        return new Workload("Sentiment", sentiment, "sentiment", site, "site", uci);
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
