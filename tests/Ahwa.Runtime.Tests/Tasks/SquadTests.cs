using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Tasks;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>Issue 14, items 1 and 2: the SQuAD v1.1 reader, the official normalisation and scores, BERT's windowing
/// and the post-processing on hand-made examples (overlapping windows, answers at window edges, logits outside the
/// context never turned into answers).</summary>
public sealed class SquadTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "ahwa-squad-" + Guid.NewGuid().ToString("N"));
    readonly Dictionary<string, long> vocabulary = new() { ["[CLS]"] = 1, ["[SEP]"] = 2 };

    public SquadTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A word-piece stand-in: runs of letters or digits, and each punctuation mark, with their offsets.</summary>
    IReadOnlyList<Piece> Tokenize(string text)
    {
        var pieces = new List<Piece>();
        for (int i = 0; i < text.Length;)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            int start = i;
            if (char.IsLetterOrDigit(text[i])) while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            else i++;
            string word = text[start..i].ToLowerInvariant();
            if (!vocabulary.TryGetValue(word, out long id)) vocabulary[word] = id = vocabulary.Count + 1;
            pieces.Add(new Piece(id, start, i - start));
        }
        return pieces;
    }

    static SquadExample Example(string context, string answer, string id = "q1") =>
        new(id, "where", context, [new SquadAnswer(answer, context.IndexOf(answer, StringComparison.Ordinal))], "test");

    static readonly string Words = string.Join(' ', Enumerable.Range(0, 20).Select(i => $"w{i}"));

    /// <summary>Query "where" (1 piece), 12 tokens: 8 context pieces a window, a new window every 4 pieces.</summary>
    static readonly SquadOptions Small = new(MaxLength: 12, DocStride: 4, MaxQueryLength: 64, NBest: 20, MaxAnswerLength: 30);

    [Fact]
    public void WindowsOverlapAndTargetOnlyWindowsHoldingTheAnswer()
    {
        var features = SquadFeatures.Create([Example(Words, "w6 w7 w8")], Tokenize, 1, 2, Small);
        Assert.Equal(4, features.Count); // windows at pieces 0, 4, 8, 12
        var second = features[1];
        Assert.Equal(12, second.Ids.Length);
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], second.Segments);
        Assert.Equal((1L, 2L, 2L), (second.Ids[0], second.Ids[2], second.Ids[^1]));
        Assert.Equal((5, 7), (second.StartPosition, second.EndPosition));
        Assert.Equal("w6", Words.Substring(second.Context[5].Start, second.Context[5].Length));
        // Window 0 (pieces 0-7) cuts the answer and window 2 (8-15) too: both target [CLS].
        Assert.Equal((0, 0), (features[0].StartPosition, features[0].EndPosition));
        Assert.Equal((0, 0), (features[2].StartPosition, features[2].EndPosition));
    }

    [Fact]
    public void MaxLengthAndStrideOfThePaperRecipe()
    {
        var context = string.Join(' ', Enumerable.Range(0, 1000).Select(i => $"x{i}"));
        var features = SquadFeatures.Create([Example(context, "x500")], Tokenize, 1, 2, SquadOptions.MobileBert);
        Assert.All(features, f => Assert.True(f.Ids.Length <= 320));
        Assert.Equal(316, features[0].Context.Count); // 320 - query - [CLS] - 2 x [SEP]
        var first = features[1].Context.OrderBy(c => c.Key).First().Value;
        Assert.Equal("x128", context.Substring(first.Start, first.Length)); // the second window starts 128 pieces on
    }

    (float[] Start, float[] End) Logits(SquadFeature f, params (int Token, float Start, float End)[] set)
    {
        // Every other token gets a low logit, so only the set ones can form the best span.
        var start = Enumerable.Repeat(-100f, f.Ids.Length).ToArray();
        var end = Enumerable.Repeat(-100f, f.Ids.Length).ToArray();
        foreach (var (token, s, e) in set) { start[token] = s; end[token] = e; }
        return (start, end);
    }

    IReadOnlyList<SquadPrediction> Predict(SquadExample example, SquadOptions options, Func<SquadFeature, (float[], float[])> logits)
    {
        var features = SquadFeatures.Create([example], Tokenize, 1, 2, options);
        var all = features.Select(logits).ToList();
        return SquadFeatures.Predict(example, features, Enumerable.Range(0, features.Count).ToList(), all.Select(l => l.Item1).ToList(), all.Select(l => l.Item2).ToList(), options);
    }

    [Fact]
    public void AnAnswerSeenByTwoWindowsIsTakenFromTheOneWithMoreContext()
    {
        // w7 is window 0's last piece (token 10) and window 1's fourth (token 6): window 1 has more context around it,
        // so window 0's higher logits for it do not count; w4 is window 1's first piece, so there window 0 wins.
        var w7 = Predict(Example(Words, "w7"), Small, f => f.Window switch
        {
            0 => Logits(f, (10, 10, 10)),
            1 => Logits(f, (6, 4, 4)),
            _ => Logits(f),
        });
        Assert.Equal(("w7", 8.0, 1), (w7[0].Text, w7[0].Score, w7[0].Feature));
        var w4 = Predict(Example(Words, "w4"), Small, f => f.Window switch
        {
            0 => Logits(f, (7, 3, 3)),
            1 => Logits(f, (3, 9, 9)),
            _ => Logits(f),
        });
        Assert.Equal(("w4", 6.0, 0), (w4[0].Text, w4[0].Score, w4[0].Feature));
        Assert.DoesNotContain(w4, p => p.Feature == 1 && p.StartToken == 3);
    }

    [Fact]
    public void SpansOutsideTheContextAreNeverPredicted()
    {
        // The highest logits sit on [CLS], the question and both [SEP]s, and on a backward span; none may be chosen.
        // One window of all 20 pieces: [CLS] 0, question 1, [SEP] 2, context 3 to 22, [SEP] 23.
        var options = Small with { MaxLength = 30 };
        var predictions = Predict(Example(Words, "w1"), options, f => Logits(f, (0, 50, 50), (1, 40, 40), (2, 30, 30), (23, 30, 30), (9, 20, -5), (4, -5, 20), (5, 1, 1)));
        Assert.All(predictions, p => Assert.True(p.StartToken >= 3 && p.EndToken <= 22 && p.EndToken >= p.StartToken));
        // The best valid spans are single pieces: w1 (-5 + 20) and w6 (20 - 5); ties go to the earlier start.
        Assert.Equal(("w1", 15.0), (predictions[0].Text, predictions[0].Score));
        Assert.Equal(("w6", 15.0), (predictions[1].Text, predictions[1].Score));
        Assert.Equal(20, predictions.Count);
        Assert.True(predictions.Count <= Small.NBest);
    }

    [Fact]
    public void LongSpansAreCutAtTheMaximumAnswerLength()
    {
        var options = Small with { MaxAnswerLength = 3 };
        var predictions = Predict(Example(Words, "w1"), options, f => f.Window == 0 ? Logits(f, (3, 10, 0), (10, 0, 10), (5, 0, 5)) : Logits(f));
        Assert.Equal("w0 w1 w2", predictions[0].Text); // w0 .. w7 would score 20 but is 8 pieces long
    }

    [Fact]
    public void AnswerTextComesFromTheContextsCharacters()
    {
        var context = "The Broncos won, 24-10, in  Santa Clara.";
        var example = Example(context, "24-10");
        var features = SquadFeatures.Create([example], Tokenize, 1, 2, new SquadOptions());
        var f = Assert.Single(features);
        Assert.Equal("24", context.Substring(f.Context[f.StartPosition].Start, 2));
        var start = new float[f.Ids.Length];
        var end = new float[f.Ids.Length];
        start[f.StartPosition] = 5;
        end[f.EndPosition] = 5;
        var answers = SquadFeatures.Answers([example], features, [start], [end], new SquadOptions());
        Assert.Equal("24-10", answers["q1"]);
        end[f.EndPosition] = 0;
        end[f.EndPosition + 3] = 9; // "Santa Clara": the double space of the context is kept
        Assert.Equal("24-10, in  Santa", SquadFeatures.Answers([example], features, [start], [end], new SquadOptions())["q1"]);
    }

    [Fact]
    public void OfficialNormalisationAndScores()
    {
        Assert.Equal("denver broncos", Squad.Normalize("The  Denver Broncos!"));
        Assert.Equal("theater 1990s", Squad.Normalize("a theater, (an) 1990's"));
        Assert.Equal(0.8, Squad.F1("the Denver Broncos team", "Denver Broncos"), 12);
        Assert.Equal(2.0 / 3, Squad.F1("broncos broncos", "broncos"), 12); // the repeat counts once: precision 1/2, recall 1
        Assert.True(Squad.ExactMatch("denver broncos.", "Denver Broncos"));
        var examples = new[]
        {
            new SquadExample("a", "q", "Denver Broncos won", [new SquadAnswer("Broncos", 7), new SquadAnswer("Denver Broncos", 0)], "t"),
            new SquadExample("b", "q", "Denver Broncos won", [new SquadAnswer("Denver Broncos", 0)], "t"),
            new SquadExample("c", "q", "Denver Broncos won", [new SquadAnswer("won", 15)], "t"),
        };
        var (em, f1) = Squad.Evaluate(examples, new Dictionary<string, string> { ["a"] = "the broncos", ["b"] = "Denver Broncos won" });
        Assert.Equal(100.0 / 3, em, 9); // a matches its first gold answer; b does not; c has no prediction
        Assert.Equal(100 * (1 + 0.8) / 3, f1, 9);
    }

    [Fact]
    public void ReaderChecksEveryAnswerAgainstItsContext()
    {
        string Json(int start) => "{\"version\": \"1.1\", \"data\": [{\"title\": \"Super_Bowl_50\", \"paragraphs\": [{\"context\": \"Denver Broncos won.\", " +
            $"\"qas\": [{{\"id\": \"56be4db0\", \"question\": \"Who won?\", \"answers\": [{{\"answer_start\": {start}, \"text\": \"Denver Broncos\"}}]}}]}}]}}]}}";
        var path = Path.Combine(folder, "dev-v1.1.json");
        File.WriteAllText(path, Json(0));
        var example = Assert.Single(Squad.Read(path));
        Assert.Equal(("56be4db0", "Who won?", "Denver Broncos"), (example.Id, example.Question, example.Answers[0].Text));
        File.WriteAllText(path, Json(2));
        var shifted = Assert.Throws<InvalidDataException>(() => Squad.Read(path)).Message;
        Assert.Contains("dev-v1.1.json' line 1, $.data[0].paragraphs[0].qas[0].answers[0].answer_start (question '56be4db0'): the context at 2 reads", shifted);
        File.WriteAllText(path, Json(40));
        Assert.Contains("40 is outside the context of 19 characters", Assert.Throws<InvalidDataException>(() => Squad.Read(path)).Message);
        File.WriteAllText(path, "{\"data\": [\n  {\"paragraphs\": [\n    {\"context\": \"a\", \"qas\": []},\n    {\"qas\": []}]}]}");
        Assert.Contains("line 4, $.data[0].paragraphs[1]: field 'context' is missing", Assert.Throws<InvalidDataException>(() => Squad.Read(path)).Message);
        File.WriteAllText(path, "{\"data\": [{\"paragraphs\": [{\"context\": \"a\",\n \"qas\": [{\"id\": 7}]}]}]}");
        Assert.Contains("line 2, $.data[0].paragraphs[0].qas[0].id: expected String, found Number", Assert.Throws<InvalidDataException>(() => Squad.Read(path)).Message);
        File.WriteAllText(path, "{\"data\": [\n{\"paragraphs\": ]}");
        Assert.Contains("dev-v1.1.json' line 2: not valid JSON", Assert.Throws<InvalidDataException>(() => Squad.Read(path)).Message);
    }
}
