using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Ahwa.Lab.Decoding;

/// <summary>A prompt and the response the model should learn to give; the loss covers the response only.</summary>
public sealed record PromptResponse(string Prompt, string Response);

/// <summary>A multiple-choice item (HellaSwag, PIQA, BoolQ style): the context, its candidate continuations and the
/// index of the right one.</summary>
public sealed record ChoiceItem(string Context, IReadOnlyList<string> Choices, int Label);

/// <summary>A question with a verifiable numeric answer (GSM8K style); <see cref="Answer"/> is the final number.</summary>
public sealed record NumericQuestion(string Question, decimal Answer);

/// <summary>Readers of the decoder workflows' JSONL files. Every bad line is an error naming the file, the line and
/// the field.</summary>
public static class DecoderData
{
    const string WithInput = "Below is an instruction that describes a task, paired with an input that provides further context. " +
                             "Write a response that appropriately completes the request.\n\n### Instruction:\n{0}\n\n### Input:\n{1}\n\n### Response:\n";
    const string WithoutInput = "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n" +
                                "### Instruction:\n{0}\n\n### Response:\n";

    /// <summary>The Alpaca prompt template (the input section only when the input is not empty).</summary>
    public static string AlpacaPrompt(string instruction, string input) =>
        string.Format(CultureInfo.InvariantCulture, input.Length > 0 ? WithInput : WithoutInput, instruction, input);

    /// <summary>Alpaca JSONL: one object a line with "instruction" and "output" (non-empty strings) and an optional
    /// "input"; blank lines are skipped.</summary>
    public static IReadOnlyList<PromptResponse> ReadAlpaca(string path) => Read(path, "Alpaca", (where, o) =>
    {
        string instruction = Text(where, o, "instruction");
        string input = o.TryGetProperty("input", out var i) ? TextOf(where, "input", i, allowEmpty: true) : "";
        return new PromptResponse(AlpacaPrompt(instruction, input), Text(where, o, "output"));
    });

    /// <summary>Multiple-choice JSONL: "context" (string), "choices" (at least two non-empty strings), "label" (their index).</summary>
    public static IReadOnlyList<ChoiceItem> ReadChoices(string path) => Read(path, "multiple-choice", (where, o) =>
    {
        string context = Text(where, o, "context", allowEmpty: true);
        if (!o.TryGetProperty("choices", out var c)) throw Bad(where, "choices", "is missing");
        if (c.ValueKind != JsonValueKind.Array || c.GetArrayLength() < 2) throw Bad(where, "choices", $"must be an array of at least two strings, got {c.GetRawText()}");
        var choices = c.EnumerateArray().Select((e, k) => TextOf(where, $"choices[{k}]", e)).ToList();
        if (!o.TryGetProperty("label", out var l)) throw Bad(where, "label", "is missing");
        if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out int label) || label < 0 || label >= choices.Count)
            throw Bad(where, "label", $"is {l.GetRawText()}; it must be the index of a choice, 0 to {choices.Count - 1}");
        return new ChoiceItem(context, choices, label);
    });

    /// <summary>GSM8K JSONL: "question" and "answer", whose final number follows "####".</summary>
    public static IReadOnlyList<NumericQuestion> ReadGsm8k(string path) => Read(path, "GSM8K", (where, o) =>
    {
        string question = Text(where, o, "question");
        string answer = Text(where, o, "answer");
        return new NumericQuestion(question, Gsm8kAnswer(answer) ?? throw Bad(where, "answer", $"has no final number after \"####\": \"{Shorten(answer)}\""));
    });

    /// <summary>GSM8K's rule: the number after the last "####", commas and a trailing period removed; null if there is none.</summary>
    public static decimal? Gsm8kAnswer(string text)
    {
        int mark = text.LastIndexOf("####", StringComparison.Ordinal);
        return mark < 0 ? null : Number(text[(mark + 4)..]);
    }

    /// <summary>The whole text as one number (a completion such as "19"); null if it is not one.</summary>
    public static decimal? Number(string text)
    {
        var s = text.Trim().Replace(",", "", StringComparison.Ordinal).TrimEnd('.');
        return decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    static IReadOnlyList<T> Read<T>(string path, string format, Func<string, JsonElement, T> parse)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{format} JSONL file '{path}' is missing.", path);
        var items = new List<T>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            string where = $"'{path}' line {number}";
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{where}: not valid JSON ({e.Message})", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: a {format} line must be a JSON object, got {document.RootElement.ValueKind}.");
                items.Add(parse(where, document.RootElement));
            }
        }
        if (items.Count == 0) throw new InvalidDataException($"'{path}': the {format} file has no items.");
        return items;
    }

    static string Text(string where, JsonElement o, string field, bool allowEmpty = false) =>
        o.TryGetProperty(field, out var value) ? TextOf(where, field, value, allowEmpty) : throw Bad(where, field, "is missing");

    static string TextOf(string where, string field, JsonElement value, bool allowEmpty = false)
    {
        if (value.ValueKind != JsonValueKind.String) throw Bad(where, field, $"must be a string, got {value.ValueKind}");
        var text = value.GetString()!;
        if (!allowEmpty && text.Trim().Length == 0) throw Bad(where, field, "is empty");
        return text;
    }

    static InvalidDataException Bad(string where, string field, string problem) => new($"{where}: field '{field}' {problem}.");

    static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
