using System;
using System.IO;
using Ahwa.Lab.Decoding;
using Xunit;

namespace Ahwa.Runtime.Tests.Decoding;

public class DecoderDataTests
{
    static string Write(string name, params string[] lines)
    {
        var directory = Path.Combine(Path.GetTempPath(), "ahwa-decoding-data", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void AlpacaLinesBecomeTemplatedPromptsWithAndWithoutInput()
    {
        var path = Write("alpaca.jsonl",
            """{"instruction": "Add the numbers.", "input": "2 and 3", "output": "5"}""",
            "",
            """{"instruction": "Say hi.", "output": "hi"}""");
        var pairs = DecoderData.ReadAlpaca(path);
        Assert.Equal(2, pairs.Count);
        Assert.EndsWith("### Instruction:\nAdd the numbers.\n\n### Input:\n2 and 3\n\n### Response:\n", pairs[0].Prompt);
        Assert.StartsWith("Below is an instruction that describes a task, paired with an input", pairs[0].Prompt);
        Assert.Equal("5", pairs[0].Response);
        Assert.DoesNotContain("### Input:", pairs[1].Prompt);
        Assert.EndsWith("### Instruction:\nSay hi.\n\n### Response:\n", pairs[1].Prompt);
    }

    [Theory]
    [InlineData("""{"instruction": "Say hi."}""", "line 2: field 'output' is missing")]
    [InlineData("""{"instruction": "Say hi.", "output": "  "}""", "line 2: field 'output' is empty")]
    [InlineData("""{"instruction": 3, "output": "x"}""", "line 2: field 'instruction' must be a string")]
    [InlineData("""{"instruction": "Say hi", "output": """, "line 2: not valid JSON")]
    [InlineData("""["a"]""", "line 2: a Alpaca line must be a JSON object")]
    public void ABadAlpacaLineIsAnErrorNamingFileLineAndField(string line, string message)
    {
        var path = Write("bad.jsonl", """{"instruction": "a", "output": "b"}""", line);
        var error = Assert.Throws<InvalidDataException>(() => DecoderData.ReadAlpaca(path));
        Assert.Contains($"'{path}' {message}", error.Message);
    }

    [Fact]
    public void MultipleChoiceItemsAndTheirErrors()
    {
        var items = DecoderData.ReadChoices(Write("mc.jsonl", """{"context": "The sky is", "choices": [" blue", " loud"], "label": 0}"""));
        Assert.Equal(" loud", items[0].Choices[1]);
        Assert.Equal(0, items[0].Label);
        var bad = Write("mc.jsonl", """{"context": "x", "choices": ["a", "b"], "label": 2}""");
        Assert.Contains($"'{bad}' line 1: field 'label' is 2; it must be the index of a choice, 0 to 1",
            Assert.Throws<InvalidDataException>(() => DecoderData.ReadChoices(bad)).Message);
        var one = Write("mc.jsonl", """{"context": "x", "choices": ["a"], "label": 0}""");
        Assert.Contains("field 'choices' must be an array of at least two strings", Assert.Throws<InvalidDataException>(() => DecoderData.ReadChoices(one)).Message);
    }

    [Fact]
    public void Gsm8kAnswersAreTheNumberAfterTheLastMark()
    {
        var items = DecoderData.ReadGsm8k(Write("gsm.jsonl", """{"question": "How many?", "answer": "3 + 4 = 7 and #### 1,234"}"""));
        Assert.Equal(1234m, items[0].Answer);
        Assert.Equal(-5.5m, DecoderData.Gsm8kAnswer("x #### 3\n#### -5.5."));
        Assert.Null(DecoderData.Gsm8kAnswer("the answer is 7"));
        Assert.Null(DecoderData.Gsm8kAnswer("#### seven"));
        Assert.Equal(19m, DecoderData.Number(" 19 "));
        Assert.Null(DecoderData.Number("19+"));
        var bad = Write("gsm.jsonl", """{"question": "q", "answer": "7"}""");
        Assert.Contains($"'{bad}' line 1: field 'answer' has no final number after \"####\"", Assert.Throws<InvalidDataException>(() => DecoderData.ReadGsm8k(bad)).Message);
        Assert.Contains("is missing", Assert.Throws<FileNotFoundException>(() => DecoderData.ReadGsm8k(bad + ".none")).Message);
    }

    [Fact]
    public void CharacterTokenizerRoundTripsAndNamesAnUnknownCharacter()
    {
        var tokenizer = new CharacterTokenizer("0123456789+=");
        Assert.Equal(14, tokenizer.VocabularySize);
        var ids = tokenizer.Encode("12+7=");
        Assert.Equal(new[] { 3, 4, 12, 9, 13 }, ids);
        Assert.Equal("12+7=", tokenizer.Decode(ids));
        Assert.Equal("19", tokenizer.Decode(new[] { 3, 11, CharacterTokenizer.EndId, CharacterTokenizer.PaddingId }));
        Assert.Contains("Character '-' (U+002D) at position 1", Assert.Throws<ArgumentException>(() => tokenizer.Encode("1-2")).Message);
        Assert.Throws<ArgumentException>(() => new CharacterTokenizer("00"));
    }

    [Fact]
    public void CausalBatchesLabelTheNextResponseTokenOnly()
    {
        var pair = new TokenizedPair(new[] { 5, 6, 7 }, new[] { 8, 9, CharacterTokenizer.EndId });
        var (ids, mask, labels) = CausalBatches.Build(new[] { pair, new TokenizedPair(new[] { 4 }, new[] { 1 }) }, CharacterTokenizer.PaddingId);
        Assert.Equal(new long[] { 5, 6, 7, 8, 9, 1, 4, 1, 0, 0, 0, 0 }, ids.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0 }, mask.data<long>().ToArray());
        // Position 2 (the last prompt token) predicts the first response token; the end-of-sequence id is a target.
        Assert.Equal(new long[] { -100, -100, 8, 9, 1, -100, 1, -100, -100, -100, -100, -100 }, labels.data<long>().ToArray());
        var tokenizer = new CharacterTokenizer("0123456789+=");
        Assert.Contains("Item 3: prompt and response are 5 + 3 tokens, more than the 7 allowed",
            Assert.Throws<ArgumentException>(() => CausalBatches.Tokenize(new PromptResponse("12+7=", "19"), tokenizer, 7, "3")).Message);
    }
}
