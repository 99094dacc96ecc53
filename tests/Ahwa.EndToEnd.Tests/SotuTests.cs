using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MiniLmSentiment;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 14, item 5: the State of the Union era task. The reader on files in the package's own format,
/// the split by address (never one address in training and test), the balance of the eras, the npm install, and
/// <c>--task</c> on the command line.</summary>
public sealed class SotuTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("ahwa-sotu-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>An address of <paramref name="sentences"/> ten-word sentences, each naming the address and its index.</summary>
    void WriteAddress(int year, string president, string party, int sentences)
    {
        var text = string.Join(' ', Enumerable.Range(0, sentences).Select(i => $"In {year} sentence {i} tells the Congress about the Union today."));
        var file = $"{year}_{president.ToLowerInvariant().Replace(' ', '_')}_{party[..1].ToLowerInvariant()}.json";
        File.WriteAllText(Path.Combine(folder, file), $"{{\"year\":{year},\"name\":\"{president}\",\"party\":\"{party}\",\"text\":\"{text}\"}}");
    }

    IReadOnlyList<Address> Fixture()
    {
        // Ten addresses per era. Three 11-word sentences make a passage: 20 and 15 passages (12 kept) and 10 for the
        // last era, so balancing cuts the first two eras to the third's count.
        for (int i = 0; i < 10; i++)
        {
            WriteAddress(1790 + i, "George Washington", "none", 60);
            WriteAddress(1870 + i, "Ulysses S Grant", "Republican", 45);
            WriteAddress(1990 + i, "George Bush", "Republican", 30);
        }
        return StateOfTheUnion.Load(folder);
    }

    [Fact]
    public void PassagesAreWholeSentencesOfAtLeastTheMinimumLength()
    {
        var passages = StateOfTheUnion.Passages("One two three four five six seven eight nine ten eleven twelve. " +
            string.Join(' ', Enumerable.Repeat("word", 20)) + " end? Tail without enough words.");
        var only = Assert.Single(passages); // the short tail is dropped
        Assert.EndsWith("end?", only);
        Assert.Equal(33, only.Split(' ').Length);
        Assert.Equal((0, 0, 1, 1, 2, 2), (StateOfTheUnion.Era(1790), StateOfTheUnion.Era(1860), StateOfTheUnion.Era(1861), StateOfTheUnion.Era(1932), StateOfTheUnion.Era(1933), StateOfTheUnion.Era(2021)));
    }

    [Fact]
    public void TheSplitKeepsEachAddressInOnePartAndBalancesTheEras()
    {
        var addresses = Fixture();
        Assert.Equal(30, addresses.Count);
        Assert.Equal(("George Washington", "none", 1790), (addresses[0].President, addresses[0].Party, addresses[0].Year));
        var split = StateOfTheUnion.EraSplit(addresses, 42);
        var parts = new[] { split.Train, split.Dev, split.Test };
        var owners = parts.Select(p => p.Select(s => s.Source).ToHashSet()).ToArray();
        for (int a = 0; a < 3; a++)
            for (int b = a + 1; b < 3; b++)
                Assert.Empty(owners[a].Intersect(owners[b]));
        // Two addresses per era in test (20 %), one in dev (10 %), seven in training.
        Assert.Equal(new[] { 21, 3, 6 }, owners.Select(o => o.Count));
        foreach (var part in parts)
        {
            Assert.All(part, s => Assert.Contains(s.Source[..4], s.Text)); // every passage comes from the address it names
            Assert.All(part, s => Assert.Equal(StateOfTheUnion.Era(int.Parse(s.Source[..4], System.Globalization.CultureInfo.InvariantCulture)), s.Label));
            var counts = part.GroupBy(s => s.Label).Select(g => g.Count()).ToList();
            Assert.Equal(3, counts.Count);
            Assert.Single(counts.Distinct());
            Assert.Equal(10 * part.Select(s => s.Source).Distinct().Count(s => s.StartsWith("199", StringComparison.Ordinal)), counts[0]);
            // Eras take turns, so the quick preset's first N passages are balanced too.
            Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, part.Take(6).Select(s => s.Label));
        }
        Assert.All(owners[0].Select(o => split.Train.Count(s => s.Source == o)), n => Assert.InRange(n, 1, StateOfTheUnion.PassagesPerAddress));
        var again = StateOfTheUnion.EraSplit(StateOfTheUnion.Load(folder), 42);
        Assert.Equal(split.Test.Select(s => s.Text), again.Test.Select(s => s.Text));
        Assert.NotEqual(owners[2], StateOfTheUnion.EraSplit(addresses, 7).Test.Select(s => s.Source).ToHashSet());
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        Assert.Contains("holds no State of the Union files", Assert.Throws<FileNotFoundException>(() => StateOfTheUnion.Load(folder)).Message);
        File.WriteAllText(Path.Combine(folder, "1790_george_washington_n.json"), "{\"year\":1790,\"name\":\"George Washington\",\"party\":\"none\"}");
        var missing = Assert.Throws<InvalidDataException>(() => StateOfTheUnion.Load(folder)).Message;
        Assert.Contains("1790_george_washington_n.json' is not an address", missing);
        Assert.Contains("'text'", missing);
        File.WriteAllText(Path.Combine(folder, "1790_george_washington_n.json"), "{\"year\":17,\"name\":\"x\",\"party\":\"none\",\"text\":\"t\"}");
        Assert.Contains("field 'year' is 17", Assert.Throws<InvalidDataException>(() => StateOfTheUnion.Load(folder)).Message);
        WriteAddress(1791, "George Washington", "none", 30);
        WriteAddress(1870, "Ulysses S Grant", "Republican", 30);
        File.Delete(Path.Combine(folder, "1790_george_washington_n.json"));
        Assert.Contains("Era 1790-1860 has 1 addresses", Assert.Throws<InvalidDataException>(() => StateOfTheUnion.EraSplit(StateOfTheUnion.Load(folder), 1)).Message);
    }

    [Fact]
    public void TheAddressesInstallFromNpmAndLoad()
    {
        var path = StateOfTheUnion.Install(folder);
        Assert.Equal(path, StateOfTheUnion.Install(folder)); // cached: no second download
        var addresses = StateOfTheUnion.Load(path);
        Assert.Equal(233, addresses.Count);
        Assert.Equal(new[] { 71, 72, 90 }, addresses.GroupBy(a => StateOfTheUnion.Era(a.Year)).OrderBy(g => g.Key).Select(g => g.Count()));
        var split = StateOfTheUnion.EraSplit(addresses, 42);
        Assert.Empty(split.Train.Select(s => s.Source).Intersect(split.Test.Select(s => s.Source)));
        // 50, 51 and 63 training addresses per era, 12 passages each, cut to the first era's 600; 14 test addresses in
        // the first two eras (168 passages), 7 for dev (84).
        Assert.Equal((1800, 252, 504), (split.Train.Count, split.Dev.Count, split.Test.Count));
    }

    [Fact]
    public void TaskIsAnOption()
    {
        // The default main job runs both built-in tasks, one report section each.
        Assert.Equal("sentiment,sotu-era", ExperimentCommandLine.Parse(Array.Empty<string>()).Options!.Task);
        Assert.Equal(new[] { "sentiment", "sotu-era" }, Workloads.Split(ExperimentCommandLine.Parse(new[] { "--quick" }).Options!.Task));
        Assert.Equal(Workloads.Sentiment, ExperimentCommandLine.Parse(new[] { "--task", "sentiment" }).Options!.Task);
        Assert.Equal(Workloads.SotuEra, ExperimentCommandLine.Parse(new[] { "--quick", "--task", "sotu-era" }).Options!.Task);
        var error = ExperimentCommandLine.Parse(new[] { "--task", "party" }).Error;
        Assert.Contains("--task must be one of sentiment, sotu-era, cola, sst-2, mrpc, qqp, sts-b, mnli, qnli, rte, wnli, squad", error);
        Assert.Contains("got 'party'", error);
        File.WriteAllText(Path.Combine(folder, "train.tsv"), "sentence\tlabel\n");
        File.WriteAllText(Path.Combine(folder, "dev.tsv"), "sentence\tlabel\n");
        Assert.Contains("--task and --glue both choose the main task", ExperimentCommandLine.Parse(new[] { "--task", "sentiment", "--glue", folder }).Error);
        // A kept phase of one task is not resumed by a run of the other.
        var quick = ExperimentOptions.Quick();
        Assert.NotEqual(Phases.Fingerprint(quick)["task"], Phases.Fingerprint(quick with { Task = Workloads.SotuEra })["task"]);
    }
}
