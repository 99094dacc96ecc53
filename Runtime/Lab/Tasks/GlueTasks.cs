using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Ahwa.Lab.Tasks;

/// <summary>Which of the benchmark's metrics a GLUE task reports.</summary>
public enum GlueMetric
{
    /// <summary>Accuracy (SST-2, MNLI, QNLI, RTE, WNLI).</summary>
    Accuracy,
    /// <summary>F1 of the positive class and accuracy (MRPC, QQP).</summary>
    F1AndAccuracy,
    /// <summary>Matthews correlation (CoLA).</summary>
    Matthews,
    /// <summary>Pearson and Spearman correlation of a regression (STS-B).</summary>
    PearsonSpearman,
}

/// <summary>One example: a sentence or a pair, a class index (classification) or a score (regression).
/// <see cref="Source"/> is "file line N".</summary>
public sealed record GlueExample(string Text, string? Pair, int Label, double Score, string Source);

/// <summary>
/// A GLUE task as its TSV files lay it out: which columns hold the sentences and the label, whether a header row
/// comes first (CoLA has none), the label names in class order (null for the STS-B regression) and the dev files
/// (MNLI has a matched and a mismatched one). A label column of -1 means the last field, which is where MNLI, QNLI,
/// RTE and WNLI keep it (MNLI's train and dev files differ in their number of annotator columns).
/// </summary>
public sealed record GlueTask(string Name, bool HasHeader, int TextColumn, int? PairColumn, int LabelColumn,
    IReadOnlyList<string>? Labels, GlueMetric Metric, IReadOnlyList<string> DevFiles)
{
    public const string TrainFile = "train.tsv";

    public bool IsRegression => Labels is null;

    /// <summary>The header's names of the sentence, pair and label columns (null for CoLA, whose files have no
    /// header): a first line without them is not the task's header, so a file that lost its header is refused
    /// instead of losing its first example.</summary>
    public (string Text, string? Pair, string Label)? HeaderNames { get; init; }

    public static readonly IReadOnlyList<GlueTask> All = new[]
    {
        // CoLA: source, label, original mark, sentence; no header.
        new GlueTask("CoLA", false, 3, null, 1, new[] { "0", "1" }, GlueMetric.Matthews, new[] { "dev.tsv" }),
        new GlueTask("SST-2", true, 0, null, 1, new[] { "0", "1" }, GlueMetric.Accuracy, new[] { "dev.tsv" }) { HeaderNames = ("sentence", null, "label") },
        // MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String.
        new GlueTask("MRPC", true, 3, 4, 0, new[] { "0", "1" }, GlueMetric.F1AndAccuracy, new[] { "dev.tsv" }) { HeaderNames = ("#1 String", "#2 String", "Quality") },
        // QQP: id, qid1, qid2, question1, question2, is_duplicate.
        new GlueTask("QQP", true, 3, 4, 5, new[] { "0", "1" }, GlueMetric.F1AndAccuracy, new[] { "dev.tsv" }) { HeaderNames = ("question1", "question2", "is_duplicate") },
        // STS-B: index, genre, filename, year, old_index, source1, source2, sentence1, sentence2, score.
        new GlueTask("STS-B", true, 7, 8, 9, null, GlueMetric.PearsonSpearman, new[] { "dev.tsv" }) { HeaderNames = ("sentence1", "sentence2", "score") },
        // MNLI: index, promptID, pairID, genre, 4 parse columns, sentence1, sentence2, annotator labels..., gold_label.
        new GlueTask("MNLI", true, 8, 9, -1, new[] { "contradiction", "entailment", "neutral" }, GlueMetric.Accuracy,
            new[] { "dev_matched.tsv", "dev_mismatched.tsv" }) { HeaderNames = ("sentence1", "sentence2", "gold_label") },
        new GlueTask("QNLI", true, 1, 2, -1, new[] { "entailment", "not_entailment" }, GlueMetric.Accuracy, new[] { "dev.tsv" }) { HeaderNames = ("question", "sentence", "label") },
        new GlueTask("RTE", true, 1, 2, -1, new[] { "entailment", "not_entailment" }, GlueMetric.Accuracy, new[] { "dev.tsv" }) { HeaderNames = ("sentence1", "sentence2", "label") },
        new GlueTask("WNLI", true, 1, 2, -1, new[] { "0", "1" }, GlueMetric.Accuracy, new[] { "dev.tsv" }) { HeaderNames = ("sentence1", "sentence2", "label") },
    };

    /// <summary>The task by name, ignoring case and the hyphen (SST2, sst-2); the folder names GLUE ships use.</summary>
    public static GlueTask ByName(string name) => Find(name)
        ?? throw new ArgumentException($"'{name}' is not a GLUE task; known: {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));

    /// <summary>The task named <paramref name="name"/> as <see cref="ByName"/> matches it, or null.</summary>
    public static GlueTask? Find(string name)
    {
        static string Key(string s) => s.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return All.FirstOrDefault(t => Key(t.Name) == Key(name));
    }

    /// <summary>The files a task folder must hold: <see cref="TrainFile"/> and the dev files.</summary>
    public IEnumerable<string> Files => DevFiles.Prepend(TrainFile);

    /// <summary>Reads one of the task's TSV files. GLUE's files use no quoting: a field is what lies between tabs.
    /// Every row must have the layout's number of fields (the header's, or up to the last column read: CoLA's 4), so a missing
    /// field is an error naming file, line and field rather than a shifted row.</summary>
    public IReadOnlyList<GlueExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"GLUE {Name}: '{path}' is missing.", path);
        var lines = File.ReadAllLines(path);
        int first = HasHeader ? 1 : 0;
        if (lines.Length <= first || lines.Skip(first).All(l => l.Length == 0))
            throw new InvalidDataException($"'{path}': GLUE {Name} file has no examples.");
        int fieldCount = HasHeader ? CheckHeader(path, lines[0]) : Math.Max(Math.Max(TextColumn, PairColumn ?? 0), LabelColumn) + 1;
        var examples = new List<GlueExample>();
        for (int i = first; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            string where = $"'{path}' line {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            var fields = lines[i].Split('\t');
            if (fields.Length != fieldCount)
                throw new InvalidDataException($"{where}: {fields.Length} fields; GLUE {Name} rows have {fieldCount} ({Layout()})" +
                    (HasHeader ? ", as its header on line 1 has" : "") + ": a field is missing or one too many.");
            int labelField = LabelColumn >= 0 ? LabelColumn : fields.Length - 1;
            string labelText = fields[labelField].Trim();
            int label = -1;
            double score = double.NaN;
            if (Labels is null)
            {
                if (!double.TryParse(labelText, NumberStyles.Float, CultureInfo.InvariantCulture, out score) || !double.IsFinite(score))
                    throw new InvalidDataException($"{where}: field {labelField + 1} (score) is '{labelText}', not a number.");
            }
            else
            {
                label = IndexOf(Labels, labelText);
                if (label < 0)
                    throw new InvalidDataException($"{where}: field {labelField + 1} (label) is '{labelText}'; GLUE {Name} labels are {string.Join(", ", Labels)}.");
            }
            string text = fields[TextColumn];
            if (text.Trim().Length == 0) throw new InvalidDataException($"{where}: field {TextColumn + 1} (sentence) is empty.");
            string? pairText = PairColumn is int pair ? fields[pair] : null;
            if (pairText is not null && pairText.Trim().Length == 0)
                throw new InvalidDataException($"{where}: field {PairColumn!.Value + 1} (second sentence) is empty.");
            examples.Add(new GlueExample(text, pairText, label, score, $"{path} line {i + 1}"));
        }
        return examples;
    }

    /// <summary>Where the reader finds each part of a row, for messages.</summary>
    string Layout() => $"sentence in field {TextColumn + 1}" + (PairColumn is int p ? $", second sentence in field {p + 1}" : "") +
                       (LabelColumn >= 0 ? $", {(IsRegression ? "score" : "label")} in field {LabelColumn + 1}" : ", label last");

    /// <summary>The header's field count, once its sentence, pair and label columns carry the task's names.</summary>
    int CheckHeader(string path, string line)
    {
        var header = line.Split('\t').Select(h => h.Trim()).ToArray();
        var names = HeaderNames ?? throw new InvalidOperationException($"GLUE {Name} has a header but no header names.");
        int labelField = LabelColumn >= 0 ? LabelColumn : header.Length - 1;
        var expected = new List<(int Field, string Name)> { (TextColumn, names.Text), (labelField, names.Label) };
        if (PairColumn is int pair && names.Pair is string pairName) expected.Add((pair, pairName));
        foreach (var (field, name) in expected.OrderBy(e => e.Field))
        {
            string found = field < header.Length ? header[field] : "(no such field)";
            if (found != name)
                throw new InvalidDataException($"'{path}' line 1 is not GLUE {Name}'s header: field {field + 1} is '{Shorten(found)}', expected '{name}' " +
                    $"(a GLUE {Name} file starts with a header row naming its columns; was it removed?).");
        }
        return header.Length;
    }

    static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>The benchmark's numbers for predictions against gold examples: class indices for classification,
    /// scores for regression. Keys: accuracy, f1, matthews, pearson, spearman.</summary>
    public IReadOnlyDictionary<string, double> Score(IReadOnlyList<double> predictions, IReadOnlyList<GlueExample> gold)
    {
        if (predictions.Count != gold.Count) throw new ArgumentException($"{predictions.Count} predictions for {gold.Count} examples.", nameof(predictions));
        if (IsRegression)
        {
            var truth = gold.Select(g => g.Score).ToList();
            return new Dictionary<string, double> { ["pearson"] = Metrics.Pearson(predictions, truth), ["spearman"] = Metrics.Spearman(predictions, truth) };
        }
        var predicted = predictions.Select(p => (int)p).ToList();
        var labels = gold.Select(g => g.Label).ToList();
        return Metric switch
        {
            GlueMetric.Matthews => new Dictionary<string, double> { ["matthews"] = Metrics.Matthews(predicted, labels) },
            GlueMetric.F1AndAccuracy => new Dictionary<string, double> { ["f1"] = Metrics.F1(predicted, labels), ["accuracy"] = Metrics.Accuracy(predicted, labels) },
            _ => new Dictionary<string, double> { ["accuracy"] = Metrics.Accuracy(predicted, labels) },
        };
    }

    static int IndexOf(IReadOnlyList<string> labels, string value)
    {
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] == value) return i;
        return -1;
    }
}
