using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>
/// The GLUE and SQuAD readers on the real files of <c>../shared/data</c>: the official row counts and label sets,
/// reference numbers of constant predictors computed here from the raw lines (not through the reader), and damaged
/// copies of the real files, each refused with the file, the line and what was expected.
/// </summary>
public sealed class GlueRealFilesTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "ahwa-glue-real-" + Guid.NewGuid().ToString("N"));

    public GlueRealFilesTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Task, file, rows (GLUE's published sizes), the majority label's count.</summary>
    public static TheoryData<string, string, int, int> Files => new()
    {
        { "CoLA", "train.tsv", 8551, 6023 }, { "CoLA", "dev.tsv", 1043, 721 },
        { "SST-2", "train.tsv", 67349, 37569 }, { "SST-2", "dev.tsv", 872, 444 },
        { "MRPC", "train.tsv", 3668, 2474 }, { "MRPC", "dev.tsv", 408, 279 },
        { "QNLI", "dev.tsv", 5463, 2761 },
        { "RTE", "train.tsv", 2490, 1249 }, { "RTE", "dev.tsv", 277, 146 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryRealFileReadsWithItsOfficialRowsAndLabels(string task, string file, int rows, int majorityCount)
    {
        var glue = GlueTask.ByName(task);
        var path = SharedData.Glue(task, file);
        var examples = glue.Read(path);
        Assert.Equal(rows, examples.Count);
        // Both classes occur, and the label counts equal those of the raw label column read independently.
        var raw = RawLabels(path, glue).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(glue.Labels!.Count, raw.Count);
        foreach (var (label, count) in raw)
            Assert.Equal(count, examples.Count(e => glue.Labels[e.Label] == label));
        Assert.Equal(majorityCount, raw.Values.Max());
        Assert.All(examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Text)));
        if (glue.PairColumn is not null) Assert.All(examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Pair)));
    }

    /// <summary>The benchmark's metric of a constant predictor, from the reader and scorer, against the same number
    /// computed here from the raw label counts: majority accuracy, F1 of always answering the positive class, and a
    /// Matthews correlation of 0 (a constant predictor carries no information).</summary>
    [Theory]
    [InlineData("RTE", "accuracy", 146.0 / 277)]
    [InlineData("SST-2", "accuracy", 444.0 / 872)]
    [InlineData("QNLI", "accuracy", 2761.0 / 5463)]
    [InlineData("MRPC", "accuracy", 279.0 / 408)]
    [InlineData("MRPC", "f1", 2.0 * 279 / (279 + 408))]
    [InlineData("CoLA", "matthews", 0.0)]
    public void AConstantPredictorScoresItsReferenceValueOnTheDevSet(string task, string metric, double expected)
    {
        var glue = GlueTask.ByName(task);
        var dev = glue.Read(SharedData.Glue(task, "dev.tsv"));
        var raw = RawLabels(SharedData.Glue(task, "dev.tsv"), glue);
        string majority = raw.GroupBy(l => l).OrderByDescending(g => g.Count()).First().Key;
        var constant = Enumerable.Repeat((double)glue.Labels!.ToList().IndexOf(majority), dev.Count).ToList();
        Assert.Equal(expected, glue.Score(constant, dev)[metric], 12);
        if (metric == "accuracy") Assert.Equal(expected, raw.Count(l => l == majority) / (double)raw.Count, 12);
    }

    [Fact]
    public void StsbScoresAreTheRealFilesAndAPerfectPredictorCorrelatesFully()
    {
        var glue = GlueTask.ByName("STS-B");
        var path = SharedData.Glue("STS-B", "dev.tsv");
        var dev = glue.Read(path);
        Assert.Equal(1500, dev.Count);
        Assert.Equal(5749, glue.Read(SharedData.Glue("STS-B", "train.tsv")).Count);
        var raw = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).Select(l => double.Parse(l.Split('\t')[^1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(raw, dev.Select(e => e.Score));
        Assert.All(raw, s => Assert.InRange(s, 0, 5));
        var scores = glue.Score(raw, dev);
        Assert.Equal(1.0, scores["pearson"], 12);
        Assert.Equal(1.0, scores["spearman"], 12);
    }

    [Fact]
    public void SquadDevHasItsFortyEightArticlesAndTenThousandQuestions()
    {
        var examples = Squad.Read(SharedData.SquadDev);
        Assert.Equal(10570, examples.Count);
        Assert.Equal(10570, examples.Select(e => e.Id).Distinct().Count());
        Assert.All(examples, e => Assert.NotEmpty(e.Answers));
        // Every gold answer lies in its context where the file says it starts.
        Assert.All(examples.SelectMany(e => e.Answers.Select(a => (e.Context, a))), p => Assert.Equal(p.a.Text, p.Context.Substring(p.a.Start, p.a.Text.Length)));
        // Each article gives its paragraphs; the articles are the distinct prefixes of the sources.
        Assert.Equal(2067, examples.Select(e => e.Context).Distinct().Count());
    }

    /// <summary>Without a train file, the dev set split by article: the first 24 articles train, the other 24 test, no
    /// context in both; the counts are taken from the JSON directly, not through the reader.</summary>
    [Fact]
    public void SquadDevSplitsByArticleIntoTwoDisjointHalves()
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(SharedData.SquadDev));
        var questionsPerArticle = document.RootElement.GetProperty("data").EnumerateArray()
            .Select(a => a.GetProperty("paragraphs").EnumerateArray().Sum(p => p.GetProperty("qas").GetArrayLength())).ToList();
        Assert.Equal(48, questionsPerArticle.Count);

        var (train, test) = Squad.SplitByArticle(Squad.Read(SharedData.SquadDev), 24);
        Assert.Equal(questionsPerArticle.Take(24).Sum(), train.Count);
        Assert.Equal(questionsPerArticle.Skip(24).Sum(), test.Count);
        Assert.Empty(train.Select(e => e.Context).Intersect(test.Select(e => e.Context)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Squad.SplitByArticle(train, 24));
    }

    // Damaged copies of RTE's real train.tsv, line 11 changed: each is refused naming file, line and what was expected.
    [Fact]
    public void AnUnknownLabelIsRefusedNamingTheLabelField()
    {
        var path = Damaged("train.tsv", 11, f => [f[0], f[1], f[2], "maybe"]);
        var error = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(path));
        Assert.Contains($"'{path}' line 11: field 4 (label) is 'maybe'; GLUE RTE labels are entailment, not_entailment", error.Message);
    }

    [Fact]
    public void AMissingLabelFieldIsRefusedAsAMissingField()
    {
        var path = Damaged("train.tsv", 11, f => [f[0], f[1], f[2]]);
        var error = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(path));
        Assert.Contains($"'{path}' line 11: 3 fields; GLUE RTE rows have 4 (sentence in field 2, second sentence in field 3, label last)", error.Message);
        Assert.DoesNotContain("(label) is", error.Message);
    }

    [Fact]
    public void AMissingSecondSentenceIsNotReadAsTheLabel()
    {
        var path = Damaged("train.tsv", 11, f => [f[0], f[1], f[3]]);
        var error = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(path));
        Assert.Contains($"'{path}' line 11: 3 fields; GLUE RTE rows have 4", error.Message);
    }

    [Fact]
    public void AFileWithoutItsHeaderIsRefusedNotShortenedByOneRow()
    {
        var lines = File.ReadAllLines(SharedData.Glue("RTE", "train.tsv"));
        var path = Write("train.tsv", lines.Skip(1));
        var error = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(path));
        Assert.Contains($"'{path}' line 1 is not GLUE RTE's header: field 2 is 'No Weapons of Mass Destruction Found in Iraq Yet.', expected 'sentence1'", error.Message);
        // Another task's header is not this task's either.
        var other = Write("dev.tsv", new[] { "sentence\tlabel" }.Concat(lines.Skip(1)));
        Assert.Contains("field 2 is 'label', expected 'sentence1'", Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(other)).Message);
    }

    [Fact]
    public void AByteOrderMarkAndWindowsLineEndsReadTheSameExamples()
    {
        var original = GlueTask.ByName("RTE").Read(SharedData.Glue("RTE", "dev.tsv"));
        var path = Path.Combine(folder, "dev.tsv");
        File.WriteAllText(path, string.Join("\r\n", File.ReadAllLines(SharedData.Glue("RTE", "dev.tsv"))) + "\r\n", new System.Text.UTF8Encoding(true));
        var copy = GlueTask.ByName("RTE").Read(path);
        Assert.Equal(original.Select(e => (e.Text, e.Pair, e.Label)), copy.Select(e => (e.Text, e.Pair, e.Label)));
    }

    string Damaged(string file, int line, Func<string[], string[]> change)
    {
        var lines = File.ReadAllLines(SharedData.Glue("RTE", file));
        lines[line - 1] = string.Join("\t", change(lines[line - 1].Split('\t')));
        return Write(file, lines);
    }

    string Write(string file, IEnumerable<string> lines)
    {
        var path = Path.Combine(folder, file);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>The label column as raw text, split here without the reader: header skipped where the task has one.</summary>
    static List<string> RawLabels(string path, GlueTask glue) =>
        File.ReadAllLines(path).Skip(glue.HasHeader ? 1 : 0).Where(l => l.Length > 0)
            .Select(l => l.Split('\t')).Select(f => f[glue.LabelColumn >= 0 ? glue.LabelColumn : f.Length - 1].Trim()).ToList();
}
