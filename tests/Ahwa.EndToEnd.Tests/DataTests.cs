using System;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

public class DataTests
{
    static string Folder()
    {
        var path = Path.Combine(Path.GetTempPath(), "ahwa-data-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void GlueFolderSentencesAndLabelsReadWithTheOneGlueReader()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Folder(), "SST-2")).FullName;
        var path = Path.Combine(folder, "dev.tsv");
        var reader = GlueTask.ByName(Path.GetFileName(folder));
        File.WriteAllText(path, "sentence\tlabel\nit 's a charming journey .\t1\nunfunny and lame .\t0\n");
        var items = reader.Read(path);
        Assert.Equal(new[] { 1, 0 }, items.Select(i => i.Label));
        Assert.Equal("it 's a charming journey .", items[0].Text);

        File.WriteAllText(path, "text\tlabel\nx\t1\n");
        Assert.Contains("field 1 is 'text', expected 'sentence'", Assert.Throws<InvalidDataException>(() => reader.Read(path)).Message);
        File.WriteAllText(path, "sentence\tlabel\nx\tpositive\n");
        Assert.Contains("line 2: field 2 (label) is 'positive'", Assert.Throws<InvalidDataException>(() => reader.Read(path)).Message);
        Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
    }

    [Fact]
    public void SentimentFilesLoadWithTheirSiteAndBadFilesAreNamed()
    {
        var folder = Folder();
        foreach (var site in SentimentSentences.Sites)
            File.WriteAllText(Path.Combine(folder, site + ".json"), $"[{{\"text\":\"good {site}\",\"class\":1}},{{\"text\":\" bad \",\"class\":0}}]");
        var items = SentimentSentences.Load(folder);
        Assert.Equal(6, items.Count);
        Assert.Equal("bad", items[1].Text);
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2 }, SentimentSentences.BySite(items).Select(i => i.Label));

        File.WriteAllText(Path.Combine(folder, "imdb.json"), "{ not json");
        var error = Assert.Throws<InvalidDataException>(() => SentimentSentences.Load(folder));
        Assert.Contains("imdb.json", error.Message);
        File.Delete(Path.Combine(folder, "yelp.json"));
        File.WriteAllText(Path.Combine(folder, "imdb.json"), "[]");
        Assert.Contains("yelp.json", Assert.Throws<FileNotFoundException>(() => SentimentSentences.Load(folder)).Message);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void SplitsAreSeededDisjointAndComplete()
    {
        var items = Enumerable.Range(0, 1000).Select(i => new LabeledSentence("s" + i, i % 2, "x")).ToList();
        var a = DataSplit.Create(items, 42);
        var b = DataSplit.Create(items, 42);
        var c = DataSplit.Create(items, 43);
        Assert.Equal((700, 100, 200), (a.Train.Count, a.Dev.Count, a.Test.Count));
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
        Assert.Equal(1000, a.Train.Concat(a.Dev).Concat(a.Test).Select(s => s.Text).Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Create(items, 1, 0.5, 0.5));
    }
}
