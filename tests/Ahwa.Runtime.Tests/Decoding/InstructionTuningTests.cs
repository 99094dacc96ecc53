using System;
using System.Linq;
using Ahwa.Lab.Decoding;
using Ahwa.Runtime.Decoders;
using Ahwa.Runtime.Tests.PyTorch;
using Ahwa.Runtime.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

public class InstructionTuningTests
{
    internal static readonly TokenizedPair[] Pairs =
    {
        new(new[] { 3, 4, 5, 6 }, new[] { 7, 8, 1 }),
        new(new[] { 9, 2 }, new[] { 10, 11, 12, 1 }),
        new(new[] { 13, 14, 15 }, new[] { 16, 1 }),
        new(new[] { 17, 18, 19, 3, 4 }, new[] { 5, 1 }),
    };

    [Fact]
    public void TheLossCoversResponseTokensOnly()
    {
        using var model = new TinyCausalDecoder(seed: 3);
        PyTorchTargetTests.RandomiseAdapters(model, 4);
        var (ids, _, labels) = CausalBatches.Build(Pairs, CharacterTokenizer.PaddingId);
        using var noGrad = no_grad();
        double loss = InstructionTuning.Loss(model, ids, labels).item<float>();

        // By hand: -log p(next token) at the positions whose next token is a response token, averaged over those.
        var logp = nn.functional.log_softmax(model.Logits(ids), -1);
        double response = 0, every = 0;
        int responseCount = 0, everyCount = 0;
        for (int b = 0; b < Pairs.Length; b++)
        {
            var tokens = Pairs[b].Prompt.Concat(Pairs[b].Response).ToArray();
            for (int t = 0; t + 1 < tokens.Length; t++)
            {
                double nll = -logp[b, t, tokens[t + 1]].item<float>();
                every += nll;
                everyCount++;
                if (t + 1 >= Pairs[b].Prompt.Length)
                {
                    response += nll;
                    responseCount++;
                }
            }
        }
        Assert.Equal(11, responseCount);
        Assert.Equal(response / responseCount, loss, 5);
        // The check is sensitive: with prompt tokens as targets the loss would be measurably different.
        Assert.True(Math.Abs(every / everyCount - loss) > 1e-3, $"prompt-inclusive loss {every / everyCount} is too close to {loss} to tell them apart");
    }

    [Fact]
    public void AhwaLoraTuningUnderNoiseLowersTheLossAndTrainsOnlyTheAdapters()
    {
        using var model = new TinyCausalDecoder(seed: 5);
        Assert.True(model.Mix.Chip.WeightNoise > 0, "the test needs training-time weight noise");
        var frozen = model.named_parameters().Where(p => !p.name.Contains("lora_", StringComparison.Ordinal))
            .Select(p => (p.name, Value: p.parameter.detach().clone())).ToList();
        Assert.Contains(frozen, p => p.name.Contains("embed_tokens", StringComparison.Ordinal));
        var losses = InstructionTuning.Train(model, Pairs, CharacterTokenizer.PaddingId,
            new TrainingOptions(LearningRate: 0.05, BatchSize: 4, Epochs: 12, Seed: 6, Execution: AnalogExecution.HardwareAware));
        Assert.Equal(12, losses.Count);
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]:F3} -> {losses[^1]:F3}");
        var now = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, value) in frozen) Assert.True(now[name].allclose(value, 0, 0), $"{name} changed but only LoRA trains");
        Assert.True(model.Head.LoraB!.weight!.abs().max().item<float>() > 0, "LoRA B of the head did not train");
    }

    [Fact]
    public void LogitsWithTheCacheEqualLogitsWithout()
    {
        using var model = new TinyCausalDecoder(seed: 7);
        var ids = tensor(new long[] { 3, 4, 5, 6, 7, 9, 2, 2, 8, 1 }, new long[] { 2, 5 });
        using var noGrad = no_grad();
        var whole = model.Logits(ids);
        using var cache = new KeyValueCache(model.Layers);
        var first = model.Logits(ids.narrow(1, 0, 3), cache);
        var second = model.Logits(ids.narrow(1, 3, 2), cache);
        Assert.True(cat(new[] { first, second }, 1).allclose(whole, 1e-5, 1e-6));
        Assert.Equal(5, cache.Length);
    }
}
