using System;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>Issue 14, item 1: every GLUE task's reader on a small file in the benchmark's own layout (header rows,
/// column order, label sets; CoLA without header; MNLI's train and dev files with different column counts).</summary>
public sealed class GlueTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "ahwa-glue-" + Guid.NewGuid().ToString("N"));

    public GlueTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Write(string name, params string[] lines)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    static string Tabs(params string[] fields) => string.Join("\t", fields);

    const string MnliHeaderStart = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";

    public static TheoryData<string, string[], string, string?, int> Files => new()
    {
        { "CoLA", [Tabs("gj04", "1", "", "Our friends won't buy this analysis."), Tabs("gj04", "0", "*", "They drank the pub.")], "They drank the pub.", null, 0 },
        { "SST-2", ["sentence\tlabel", "it 's a charming journey . \t1", "unflinchingly bleak \t0"], "unflinchingly bleak ", null, 0 },
        { "MRPC", ["Quality\t#1 ID\t#2 ID\t#1 String\t#2 String", Tabs("1", "702876", "702977", "Amrozi accused his brother.", "Referring to him as the witness."),
            Tabs("0", "2108705", "2108831", "Yucaipa owned Dominick's.", "Yucaipa bought Dominick's in 1995.")], "Yucaipa owned Dominick's.", "Yucaipa bought Dominick's in 1995.", 0 },
        { "QQP", ["id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate", Tabs("133273", "213221", "213222", "How is the life of a math student?", "Which level of prepration is enough?", "1")],
            "How is the life of a math student?", "Which level of prepration is enough?", 1 },
        { "MNLI", [MnliHeaderStart + "\tlabel1\tgold_label", Tabs("0", "31193", "31193n", "government", "( ( b ) )", "( c )", "(ROOT b)", "(ROOT c)",
            "Conceptually cream skimming has two basic dimensions.", "Product and geography are what make cream skimming work.", "neutral", "neutral")],
            "Conceptually cream skimming has two basic dimensions.", "Product and geography are what make cream skimming work.", 2 },
        { "QNLI", ["index\tquestion\tsentence\tlabel", Tabs("0", "What came into force after the new constitution was herald?", "As of that day, the new constitution came into force.", "not_entailment")],
            "What came into force after the new constitution was herald?", "As of that day, the new constitution came into force.", 1 },
        { "RTE", ["index\tsentence1\tsentence2\tlabel", Tabs("0", "Dana Reeve died of lung cancer.", "Christopher Reeve had an accident.", "entailment")],
            "Dana Reeve died of lung cancer.", "Christopher Reeve had an accident.", 0 },
        { "WNLI", ["index\tsentence1\tsentence2\tlabel", Tabs("0", "I stuck a pin through a carrot.", "The carrot had a hole.", "1")], "I stuck a pin through a carrot.", "The carrot had a hole.", 1 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void ReadsTheBenchmarksLayout(string task, string[] lines, string lastText, string? lastPair, int lastLabel)
    {
        var examples = GlueTask.ByName(task).Read(Write("train.tsv", lines));
        var last = examples[^1];
        Assert.Equal(GlueTask.ByName(task).HasHeader ? lines.Length - 1 : lines.Length, examples.Count);
        Assert.Equal((lastText, lastPair, lastLabel), (last.Text, last.Pair, last.Label));
        Assert.EndsWith($"train.tsv line {lines.Length}", last.Source);
    }

    [Fact]
    public void MnliDevFilesHaveFiveAnnotatorLabelsBeforeTheGoldOne()
    {
        var mnli = GlueTask.ByName("mnli");
        Assert.Equal(["dev_matched.tsv", "dev_mismatched.tsv"], mnli.DevFiles);
        var path = Write("dev_mismatched.tsv", MnliHeaderStart + "\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label",
            Tabs("0", "63735", "63735n", "slate", "b", "c", "B", "C", "The new rights are nice enough", "Everyone really likes the newest benefits",
                "neutral", "entailment", "neutral", "neutral", "neutral", "entailment"));
        var example = Assert.Single(mnli.Read(path));
        Assert.Equal(1, example.Label); // gold_label, the last field, not label1
    }

    [Fact]
    public void StsbIsARegression()
    {
        var stsb = GlueTask.ByName("STS-B");
        var examples = stsb.Read(Write("dev.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore",
            Tabs("0", "main-captions", "MSRvid", "2012test", "0001", "none", "none", "A plane is taking off.", "An air plane is taking off.", "5.000"),
            Tabs("1", "main-captions", "MSRvid", "2012test", "0004", "none", "none", "A man is playing a flute.", "A man is playing a flute.", "3.800")));
        Assert.True(stsb.IsRegression);
        Assert.Equal([5.0, 3.8], examples.Select(e => e.Score));
        Assert.Equal("An air plane is taking off.", examples[0].Pair);
        var scores = stsb.Score([4.0, 3.0], examples);
        Assert.Equal(1, scores["pearson"], 12);
        Assert.Equal(1, scores["spearman"], 12);
    }

    [Fact]
    public void ErrorsNameFileLineAndField()
    {
        var badLabel = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("RTE").Read(Write("dev.tsv", "index\tsentence1\tsentence2\tlabel", "0\ta\tb\tentailment", "1\ta\tb\tneutral")));
        Assert.Contains("dev.tsv' line 3: field 4 (label) is 'neutral'; GLUE RTE labels are entailment, not_entailment", badLabel.Message);
        var short_ = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("QQP").Read(Write("train.tsv", "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate", "1\t2\t3\tq1")));
        Assert.Contains("train.tsv' line 2: 4 fields; GLUE QQP rows have 6 (sentence in field 4, second sentence in field 5, label in field 6), as its header on line 1 has", short_.Message);
        var score = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("STS-B").Read(Write("train.tsv", "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore", "0\tg\tf\ty\to\ts\ts\ta\tb\tfive")));
        Assert.Contains("line 2: field 10 (score) is 'five', not a number", score.Message);
        // A CoLA file has no header: a header row would be read as an example and fail on its label.
        var header = Assert.Throws<InvalidDataException>(() => GlueTask.ByName("CoLA").Read(Write("dev.tsv", "source\tlabel\tmark\tsentence")));
        Assert.Contains("line 1: field 2 (label) is 'label'", header.Message);
        Assert.Contains("'XNLI' is not a GLUE task", Assert.Throws<ArgumentException>(() => GlueTask.ByName("XNLI")).Message);
    }

    [Fact]
    public void ScoresAreTheTasksMetrics()
    {
        var gold = new[] { 1, 0, 0, 1 }.Select(l => new GlueExample("s", "t", l, double.NaN, "f")).ToList();
        var mrpc = GlueTask.ByName("MRPC").Score([1, 0, 1, 1], gold);
        Assert.Equal(["accuracy", "f1"], mrpc.Keys.Order());
        Assert.Equal((0.75, 0.8), (mrpc["accuracy"], Math.Round(mrpc["f1"], 12)));
        Assert.Equal(["matthews"], GlueTask.ByName("CoLA").Score([1, 0, 1, 1], gold).Keys);
        Assert.Equal(["accuracy"], GlueTask.ByName("SST-2").Score([1, 0, 1, 1], gold).Keys);
    }

    [Fact]
    public void PairsCarrySegmentIdsAndAreCutLongestFirst()
    {
        var (ids, segments) = PairEncoding.Encode([10, 11, 12, 13, 14], [20, 21], cls: 101, sep: 102, maxLength: 8);
        Assert.Equal([101, 10, 11, 12, 102, 20, 21, 102], ids);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1], segments);
        var (single, singleSegments) = PairEncoding.Encode([10, 11, 12], null, 101, 102, 4);
        Assert.Equal([101, 10, 11, 102], single);
        Assert.All(singleSegments, s => Assert.Equal(0, s));
    }
}
