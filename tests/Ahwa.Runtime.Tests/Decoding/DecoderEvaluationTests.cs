using System;
using System.Linq;
using Ahwa.Lab.Decoding;
using Ahwa.Lab.Evaluation;
using Ahwa.Simulator;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

public class DecoderEvaluationTests
{
    static readonly CharacterTokenizer Tokenizer = new("0123456789+=abcdef"); // 20 ids: the test model's vocabulary

    [Fact]
    public void ChoicesAreScoredByTheirLogLikelihoodGivenTheContext()
    {
        using var model = new TinyCausalDecoder(seed: 81);
        var item = new ChoiceItem("12+", new[] { "3", "45" }, 1);
        var scores = DecoderEvaluation.Scores(model, Tokenizer, item);
        using var noGrad = no_grad();
        var logp = nn.functional.log_softmax(model.Logits(tensor(Tokenizer.Encode("12+45").Select(t => (long)t).ToArray(), new long[] { 1, 5 })), -1);
        double expected = logp[0, 2, Tokenizer.Encode("4")[0]].item<float>() + logp[0, 3, Tokenizer.Encode("5")[0]].item<float>();
        Assert.Equal(expected, scores[1].Sum, 5);
        Assert.Equal(expected / 2, scores[1].PerToken, 5);
        bool sumPicksSecond = scores[1].Sum > scores[0].Sum, perTokenPicksSecond = scores[1].PerToken > scores[0].PerToken;
        Assert.Equal(sumPicksSecond ? 1.0 : 0.0, DecoderEvaluation.MultipleChoiceAccuracy(model, Tokenizer, new[] { item }, lengthNormalised: false));
        Assert.Equal(perTokenPicksSecond ? 1.0 : 0.0, DecoderEvaluation.MultipleChoiceAccuracy(model, Tokenizer, new[] { item }, lengthNormalised: true));
    }

    [Fact]
    public void ATokenizerSmallerThanTheModelLimitsSamplingScoringAndGreedyAnswers()
    {
        // The demonstration's case: TinyLlama has 128 ids, its arithmetic tokenizer 15. An id past the tokenizer's
        // cannot be decoded, so it must never be sampled, and the policy's softmax runs over the same ids.
        using var model = new TinyCausalDecoder(seed: 84);
        var small = new CharacterTokenizer("0123"); // 6 of the model's 20 ids
        var prompt = small.Encode("12");
        var unlimited = Generation.Complete(model, prompt, 32, 6, small.EndOfSequence, temperature: 3.0, seed: 5);
        Assert.Contains(unlimited, c => c.Any(id => id >= small.VocabularySize)); // without the limit the test would fail
        var limited = Generation.Complete(model, prompt, 32, 6, small.EndOfSequence, temperature: 3.0, seed: 5, vocabulary: small.VocabularySize);
        Assert.All(limited, c => Assert.All(c, id => Assert.InRange(id, 0, small.VocabularySize - 1)));
        var group = GrpoTrainer.Sample(model, small, new RewardPrompt("12", 3), DecoderData.Number, new GrpoOptions(GroupSize: 16, MaxNewTokens: 4, Temperature: 3.0), seed: 6);
        Assert.All(group.Completions, c => Assert.All(c, id => Assert.InRange(id, 0, small.VocabularySize - 1)));

        using var noGrad = no_grad();
        var restricted = Grpo.CompletionLogProbs(model, group, small.Padding, small.VocabularySize).LogProbs;
        var full = Grpo.CompletionLogProbs(model, group, small.Padding).LogProbs;
        var ids = tensor(group.Prompt.Concat(group.Completions[0]).Select(t => (long)t).ToArray(), new long[] { 1, group.Prompt.Length + group.Completions[0].Length });
        var logits = model.Logits(ids)[0, group.Prompt.Length - 1];
        double expected = nn.functional.log_softmax(logits.narrow(0, 0, small.VocabularySize), 0)[group.Completions[0][0]].item<float>();
        Assert.Equal(expected, restricted[0, 0].item<float>(), 5);
        Assert.True(restricted[0, 0].item<float>() > full[0, 0].item<float>()); // fewer ids share the probability
        Assert.Throws<ArgumentOutOfRangeException>(() => Generation.Complete(model, prompt, 1, 2, small.EndOfSequence, vocabulary: 21));
    }

    [Fact]
    public void PromptsOfOneLengthAreGeneratedTogetherAsTheyWouldBeOneByOne()
    {
        using var model = new TinyCausalDecoder(seed: 85);
        var prompts = new[] { "1+2=", "3+4=", "5+6=", "77=", "8+9=" };
        var alone = prompts.Select(p => Generation.Complete(model, Tokenizer.Encode(p), 1, 5, Tokenizer.EndOfSequence)[0]).ToList();
        var four = prompts.Where(p => p.Length == 4).Select(p => (System.Collections.Generic.IReadOnlyList<int>)Tokenizer.Encode(p)).ToList();
        var together = Generation.Complete(model, four, 5, Tokenizer.EndOfSequence);
        Assert.Equal(alone.Where((_, i) => prompts[i].Length == 4), together);
        // Answers: what each says alone for the even ones, a wrong number for the odd ones.
        var questions = prompts.Select((p, i) => new RewardPrompt(p, i % 2 == 0 && DecoderData.Number(Tokenizer.Decode(alone[i])) is { } n ? n : 12345m)).ToList();
        double one = DecoderEvaluation.ExactMatch(model, Tokenizer, questions, DecoderData.Number, 5);
        Assert.Equal(one, DecoderEvaluation.ExactMatch(model, Tokenizer, questions, DecoderData.Number, 5, batch: 2), 10);
        Assert.Equal(one, DecoderEvaluation.ExactMatch(model, Tokenizer, questions, DecoderData.Number, 5, batch: 64), 10);
        Assert.Throws<ArgumentException>(() => Generation.Complete(model, new[] { four[0], Tokenizer.Encode("77=") }, 5, Tokenizer.EndOfSequence));
    }

    [Fact]
    public void ExactMatchCountsGreedyCompletionsWithTheRightNumberDigitallyAndOnTheProgrammedChip()
    {
        using var model = new TinyCausalDecoder(seed: 82);
        var prompts = new[] { "1+2=", "3+4=", "5+6=" };
        // The answers are what the untrained model says greedily for the first two (if a number), something else for the third.
        var said = prompts.Select(p => DecoderData.Number(Tokenizer.Decode(Generation.Complete(model, Tokenizer.Encode(p), 1, 4, Tokenizer.EndOfSequence)[0]))).ToArray();
        var questions = prompts.Select((p, i) => new RewardPrompt(p, i < 2 && said[i] is { } n ? n : 12345m)).ToArray();
        double expected = said.Take(2).Count(n => n is not null) / 3.0;
        Assert.Equal(expected, DecoderEvaluation.ExactMatch(model, Tokenizer, questions, DecoderData.Number, 4), 10);

        var points = DriftSweep.Run(model, new PcmLikeDevice(), () => DecoderEvaluation.ExactMatch(model, Tokenizer, questions, DecoderData.Number, 4),
            repetitions: 2, seed: 83, times: new[] { (0.0, "0 s"), (86400.0, "1 day") });
        Assert.Equal(2, points.Count);
        Assert.All(points, p => Assert.All(p.Values, v => Assert.InRange(v, 0, 2 / 3.0 + 1e-9)));
        Assert.Equal(AnalogExecution.Programmed, model.Mix.Execution);
    }
}
