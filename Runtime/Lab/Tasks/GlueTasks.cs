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

    public static readonly IReadOnlyList<GlueTask> All = new[]
    {
        // CoLA: source, label, original mark, sentence; no header.
        new GlueTask("CoLA", false, 3, null, 1, new[] { "0", "1" }, GlueMetric.Matthews, new[] { "dev.tsv" }),
        new GlueTask("SST-2", true, 0, null, 1, new[] { "0", "1" }, GlueMetric.Accuracy, new[] { "dev.tsv" }),
        // MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String.
        new GlueTask("MRPC", true, 3, 4, 0, new[] { "0", "1" }, GlueMetric.F1AndAccuracy, new[] { "dev.tsv" }),
        // QQP: id, qid1, qid2, question1, question2, is_duplicate.
        new GlueTask("QQP", true, 3, 4, 5, new[] { "0", "1" }, GlueMetric.F1AndAccuracy, new[] { "dev.tsv" }),
        // STS-B: index, genre, filename, year, old_index, source1, source2, sentence1, sentence2, score.
        new GlueTask("STS-B", true, 7, 8, 9, null, GlueMetric.PearsonSpearman, new[] { "dev.tsv" }),
        // MNLI: index, promptID, pairID, genre, 4 parse columns, sentence1, sentence2, annotator labels..., gold_label.
        new GlueTask("MNLI", true, 8, 9, -1, new[] { "contradiction", "entailment", "neutral" }, GlueMetric.Accuracy,
            new[] { "dev_matched.tsv", "dev_mismatched.tsv" }),
        new GlueTask("QNLI", true, 1, 2, -1, new[] { "entailment", "not_entailment" }, GlueMetric.Accuracy, new[] { "dev.tsv" }),
        new GlueTask("RTE", true, 1, 2, -1, new[] { "entailment", "not_entailment" }, GlueMetric.Accuracy, new[] { "dev.tsv" }),
        new GlueTask("WNLI", true, 1, 2, -1, new[] { "0", "1" }, GlueMetric.Accuracy, new[] { "dev.tsv" }),
    };

    /// <summary>The task by name, ignoring case and the hyphen (SST2, sst-2); the folder names GLUE ships use.</summary>
    public static GlueTask ByName(string name)
    {
        static string Key(string s) => s.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return All.FirstOrDefault(t => Key(t.Name) == Key(name))
            ?? throw new ArgumentException($"'{name}' is not a GLUE task; known: {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));
    }

    /// <summary>Reads one of the task's TSV files. GLUE's files use no quoting: a field is what lies between tabs.</summary>
    public IReadOnlyList<GlueExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"GLUE {Name}: '{path}' is missing.", path);
        var lines = File.ReadAllLines(path);
        int first = HasHeader ? 1 : 0;
        if (lines.Length <= first || lines.Skip(first).All(l => l.Length == 0))
            throw new InvalidDataException($"'{path}': GLUE {Name} file has no examples.");
        int need = Math.Max(Math.Max(TextColumn, PairColumn ?? 0), LabelColumn) + 1;
        var examples = new List<GlueExample>();
        for (int i = first; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            string where = $"'{path}' line {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            var fields = lines[i].Split('\t');
            if (fields.Length < need)
                throw new InvalidDataException($"{where}: {fields.Length} fields; GLUE {Name} needs at least {need} (sentence in field {TextColumn + 1}" +
                    (PairColumn is int p ? $", pair in field {p + 1}" : "") + (LabelColumn >= 0 ? $", label in field {LabelColumn + 1}" : ", label last") + ").");
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
            examples.Add(new GlueExample(text, PairColumn is int pair ? fields[pair] : null, label, score, $"{path} line {i + 1}"));
        }
        return examples;
    }

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
