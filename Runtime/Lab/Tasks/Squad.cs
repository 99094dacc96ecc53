using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Ahwa.Lab.Tasks;

/// <summary>A gold answer: its text and where it starts in the context (characters).</summary>
public sealed record SquadAnswer(string Text, int Start);

/// <summary>One question on a context. <see cref="Source"/> names file and JSON path for errors; <see cref="Article"/>
/// is the index of its article in the file.</summary>
public sealed record SquadExample(string Id, string Question, string Context, IReadOnlyList<SquadAnswer> Answers, string Source, int Article = 0);

/// <summary>SQuAD v1.1: the JSON reader and the official evaluation (answer normalisation, exact match, F1).</summary>
public static class Squad
{
    /// <summary>Reads <c>{"data": [{"paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text",
    /// "answer_start"}]}]}]}]}</c>. Each gold answer must be the context's text at its start, so a shifted offset is
    /// found here, not as a silently wrong training label.</summary>
    public static IReadOnlyList<SquadExample> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"SQuAD file '{path}' is missing.", path);
        var bytes = File.ReadAllBytes(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{path}' line {error.LineNumber + 1}: not valid JSON ({error.Message})", error);
        }
        using (document)
        {
            try
            {
                return Examples(document, path);
            }
            catch (BadField error)
            {
                throw new InvalidDataException($"'{path}' line {LineOf(bytes, error.At)}, {error.At}{error.Message}", error);
            }
        }
    }

    /// <summary>One file's questions split by article: the first <paramref name="trainArticles"/> articles for
    /// training, the others for evaluation, so no context is seen in both (how a run that has only the dev set gets
    /// a small but real QA task).</summary>
    public static (IReadOnlyList<SquadExample> Train, IReadOnlyList<SquadExample> Test) SplitByArticle(IReadOnlyList<SquadExample> examples, int trainArticles)
    {
        int articles = examples.Count == 0 ? 0 : examples.Max(e => e.Article) + 1;
        if (trainArticles < 1 || trainArticles >= articles)
            throw new ArgumentOutOfRangeException(nameof(trainArticles), trainArticles, $"A split by article needs 1 to {articles - 1} training articles of the {articles}.");
        return (examples.Where(e => e.Article < trainArticles).ToList(), examples.Where(e => e.Article >= trainArticles).ToList());
    }

    /// <summary>A problem at a JSON path; <see cref="Read"/> adds the file and the line.</summary>
    sealed class BadField(string at, string message) : Exception(message)
    {
        public string At { get; } = at;
    }

    /// <summary>The line where the value at <paramref name="at"/> (<c>$.data[0].paragraphs[1]</c>) starts: JsonDocument
    /// keeps no positions, so the reader walks the bytes once more, only when an error is reported.</summary>
    static int LineOf(byte[] bytes, string at)
    {
        var reader = new Utf8JsonReader(bytes);
        var frames = new List<(bool Array, int Index, string Path)>();
        string? name = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    name = reader.GetString();
                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    continue;
            }
            string here = "$";
            if (frames.Count > 0)
            {
                var top = frames[^1];
                if (top.Array) frames[^1] = top with { Index = top.Index + 1 };
                here = top.Array ? $"{top.Path}[{top.Index + 1}]" : $"{top.Path}.{name}";
            }
            if (here == at) return 1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n');
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) frames.Add((reader.TokenType == JsonTokenType.StartArray, -1, here));
        }
        return 0;
    }

    static IReadOnlyList<SquadExample> Examples(JsonDocument document, string path)
    {
        var examples = new List<SquadExample>();
        var data = Get(document.RootElement, "data", JsonValueKind.Array, "$");
        int a = 0;
        foreach (var article in data.EnumerateArray())
        {
            int articleIndex = a++;
            string at = $"$.data[{articleIndex}]";
            int p = 0;
            foreach (var paragraph in Get(article, "paragraphs", JsonValueKind.Array, at).EnumerateArray())
            {
                string pat = $"{at}.paragraphs[{p++}]";
                string context = Get(paragraph, "context", JsonValueKind.String, pat).GetString()!;
                int q = 0;
                foreach (var qa in Get(paragraph, "qas", JsonValueKind.Array, pat).EnumerateArray())
                {
                    string qat = $"{pat}.qas[{q++}]";
                    string id = Get(qa, "id", JsonValueKind.String, qat).GetString()!;
                    string question = Get(qa, "question", JsonValueKind.String, qat).GetString()!;
                    var answers = new List<SquadAnswer>();
                    int n = 0;
                    foreach (var answer in Get(qa, "answers", JsonValueKind.Array, qat).EnumerateArray())
                    {
                        string aat = $"{qat}.answers[{n++}]";
                        string text = Get(answer, "text", JsonValueKind.String, aat).GetString()!;
                        var startElement = Get(answer, "answer_start", JsonValueKind.Number, aat);
                        if (!startElement.TryGetInt32(out int start) || start < 0 || start + text.Length > context.Length)
                            throw new BadField($"{aat}.answer_start", $" (question '{id}'): {startElement.GetRawText()} is outside the context of {context.Length} characters.");
                        if (string.CompareOrdinal(context, start, text, 0, text.Length) != 0)
                            throw new BadField($"{aat}.answer_start", $" (question '{id}'): the context at {start} reads " +
                                $"\"{context.Substring(start, text.Length)}\", not the answer \"{text}\".");
                        answers.Add(new SquadAnswer(text, start));
                    }
                    if (answers.Count == 0) throw new BadField($"{qat}.answers", $" (question '{id}'): SQuAD v1.1 questions have at least one answer.");
                    examples.Add(new SquadExample(id, question, context, answers, $"{path} {qat}", articleIndex));
                }
            }
        }
        if (examples.Count == 0) throw new InvalidDataException($"'{path}': no questions.");
        return examples;
    }

    static JsonElement Get(JsonElement parent, string name, JsonValueKind kind, string at)
    {
        if (parent.ValueKind != JsonValueKind.Object) throw new BadField(at, $": expected an object, found {parent.ValueKind}.");
        if (!parent.TryGetProperty(name, out var value)) throw new BadField(at, $": field '{name}' is missing.");
        if (value.ValueKind != kind) throw new BadField($"{at}.{name}", $": expected {kind}, found {value.ValueKind}.");
        return value;
    }

    /// <summary>The official normalisation: lower case, ASCII punctuation removed, the articles a, an, the removed,
    /// whitespace collapsed.</summary>
    public static string Normalize(string answer)
    {
        var kept = new StringBuilder(answer.Length);
        foreach (char c in answer.ToLowerInvariant())
            if (!(c < 128 && char.IsPunctuation(c) || c < 128 && char.IsSymbol(c))) kept.Append(c);
        var words = kept.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not ("a" or "an" or "the"));
        return string.Join(' ', words);
    }

    public static bool ExactMatch(string prediction, string gold) => Normalize(prediction) == Normalize(gold);

    /// <summary>Token-overlap F1 of the normalised answers (a bag of words: a repeated word counts as often as it
    /// appears in both).</summary>
    public static double F1(string prediction, string gold)
    {
        var predicted = Normalize(prediction).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var truth = Normalize(gold).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var counts = truth.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        int common = 0;
        foreach (var w in predicted)
            if (counts.TryGetValue(w, out int c) && c > 0) { common++; counts[w] = c - 1; }
        if (common == 0) return 0;
        double precision = (double)common / predicted.Length, recall = (double)common / truth.Length;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Exact match and F1 in percent over the examples, each the best over its gold answers. A question with
    /// no prediction scores 0.</summary>
    public static (double ExactMatch, double F1) Evaluate(IReadOnlyList<SquadExample> examples, IReadOnlyDictionary<string, string> predictions)
    {
        var each = PerQuestion(examples, predictions);
        double em = 0, f1 = 0;
        for (int i = 0; i < examples.Count; i++)
        {
            em += each.ExactMatch[i];
            f1 += each.F1[i];
        }
        return (100 * em / examples.Count, 100 * f1 / examples.Count);
    }

    /// <summary>Exact match (0 or 1) and F1 (0 to 1) of each question, the best over its gold answers; 0 without a
    /// prediction. <see cref="Evaluate"/> is their mean in percent; the paired bootstrap resamples them.</summary>
    public static (double[] ExactMatch, double[] F1) PerQuestion(IReadOnlyList<SquadExample> examples, IReadOnlyDictionary<string, string> predictions)
    {
        if (examples.Count == 0) throw new ArgumentException("No examples to score.", nameof(examples));
        var (em, f1) = (new double[examples.Count], new double[examples.Count]);
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (!predictions.TryGetValue(e.Id, out var prediction)) continue;
            em[i] = e.Answers.Max(a => ExactMatch(prediction, a.Text) ? 1.0 : 0.0);
            f1[i] = e.Answers.Max(a => F1(prediction, a.Text));
        }
        return (em, f1);
    }
}
