using System;
using System.Linq;
using Ahwa.Lab.Decoding;
using Ahwa.Simulator;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

public class GrpoTests
{
    [Fact]
    public void AdvantagesAreGroupNormalisedWithBesselsStd()
    {
        var a = Grpo.Advantages(new[] { 1.0, 0, 0, 1 }, 1e-4);
        double std = Math.Sqrt(1.0 / 3); // four deviations of 0.5, divided by 3
        Assert.Equal(new[] { 0.5 / (std + 1e-4), -0.5 / (std + 1e-4), -0.5 / (std + 1e-4), 0.5 / (std + 1e-4) }, a);
        Assert.Equal(new[] { 0.0, 0, 0 }, Grpo.Advantages(new[] { 1.0, 1, 1 }, 1e-4));
    }

    /// <summary>Two completions, the first of two tokens (ratios 1.5 and 1, advantage +1), the second of one real token
    /// (ratio 0.5, advantage -1) and one padding token: the clip binds on both first tokens.</summary>
    [Fact]
    public void TheLossOfAHandComputedGroup()
    {
        double ln15 = Math.Log(1.5), ln2 = Math.Log(2), ln05 = Math.Log(0.5);
        var logp = tensor(new float[] { -1, -2, -0.5f, -3 }, new long[] { 2, 2 }).requires_grad_(true);
        var old = tensor(new[] { (float)(-1 - ln15), -2, (float)(-0.5 - ln05), (float)(-3 - ln2) }, new long[] { 2, 2 });
        var reference = tensor(new[] { -1, (float)(-2 + ln2), (float)(-0.5 + ln05), -3 }, new long[] { 2, 2 });
        var mask = tensor(new float[] { 1, 1, 1, 0 }, new long[] { 2, 2 });
        var (loss, kl) = Grpo.Loss(logp, old, reference, mask, tensor(new float[] { 1, -1 }), 0.2, 0.1);
        // Row 0: surrogates min(1.5, 1.2) = 1.2 and 1; k3 0 and 2 - ln 2 - 1. Row 1: min(-0.5, -0.8) = -0.8; k3 0.5 + ln 2 - 1.
        double kl01 = 1 - ln2, kl10 = ln2 - 0.5;
        double row0 = (-1.2 + -(1.0 - 0.1 * kl01)) / 2, row1 = -(-0.8 - 0.1 * kl10);
        Assert.Equal((row0 + row1) / 2, loss.item<float>(), 5);
        Assert.Equal((kl01 / 2 + kl10) / 2, kl.item<float>(), 5);
        loss.backward();
        var grad = logp.grad!.data<float>().ToArray();
        // Clipped with the KL at its minimum: no gradient; the padding token: none; row 0 token 1: -(1 + 0.1 (e^d - 1)... ) / 2 / 2.
        Assert.Equal(0, grad[0], 6);
        Assert.Equal(-(1 + 0.1 * (2 - 1)) / 4, grad[1], 5);
        Assert.Equal(0, grad[3], 6);
    }

    [Fact]
    public void CompletionLogProbsAreTheModelsNextTokenLogProbs()
    {
        using var model = new TinyCausalDecoder(seed: 9);
        var group = new GrpoGroup(new[] { 3, 4 }, new[] { new[] { 5, 1 }, new[] { 6 } }, new[] { 1.0, 0 });
        using var noGrad = no_grad();
        var (logp, mask) = Grpo.CompletionLogProbs(model, group, 0);
        Assert.Equal(new float[] { 1, 1, 1, 0 }, mask.data<float>().ToArray());
        var full = nn.functional.log_softmax(model.Logits(tensor(new long[] { 3, 4, 5, 1 }, new long[] { 1, 4 })), -1);
        Assert.Equal(full[0, 1, 5].item<float>(), logp[0, 0].item<float>(), 5);
        Assert.Equal(full[0, 2, 1].item<float>(), logp[0, 1].item<float>(), 5);
    }

    [Fact]
    public void GenerationWithTheCacheEqualsGenerationWithoutAndSamplingIsSeeded()
    {
        using var model = new TinyCausalDecoder(seed: 10);
        var prompt = new[] { 3, 4, 5 };
        var greedy = Generation.Complete(model, prompt, 1, 6, endOfSequence: 1)[0];
        var ids = prompt.Select(t => (long)t).ToList();
        using (no_grad())
            for (int i = 0; i < greedy.Length; i++)
            {
                var logits = model.Logits(tensor(ids.ToArray(), new long[] { 1, ids.Count }))[0, -1];
                Assert.Equal(logits.argmax().item<long>(), greedy[i]);
                ids.Add(greedy[i]);
            }
        var a = Generation.Complete(model, prompt, 4, 6, 1, temperature: 1.0, seed: 11);
        var b = Generation.Complete(model, prompt, 4, 6, 1, temperature: 1.0, seed: 11);
        var c = Generation.Complete(model, prompt, 4, 6, 1, temperature: 1.0, seed: 12);
        Assert.Equal(a.Select(x => string.Join(",", x)), b.Select(x => string.Join(",", x)));
        Assert.NotEqual(a.Select(x => string.Join(",", x)), c.Select(x => string.Join(",", x)));
    }

    [Fact]
    public void AnUpdateRaisesTheRewardedCompletionAndTrainsOnlyTheAdapters()
    {
        using var model = new TinyCausalDecoder(seed: 13);
        var group = new GrpoGroup(new[] { 3, 4 }, new[] { new[] { 5, 1 }, new[] { 6, 1 }, new[] { 7, 1 }, new[] { 8, 1 } }, new[] { 1.0, 0, 0, 0 });
        double LogProbOf(int row)
        {
            using var noGrad = no_grad();
            return Grpo.CompletionLogProbs(model, group, 0).LogProbs[row].sum().item<float>();
        }
        double before = LogProbOf(0);
        var embedding = model.named_parameters().Single(p => p.name.Contains("embed_tokens", StringComparison.Ordinal)).parameter.detach().clone();
        var steps = GrpoTrainer.Run(model, _ => new[] { group }, 0,
            new GrpoOptions(Steps: 3, InnerSteps: 2, LearningRate: 0.05, Seed: 14, Execution: AnalogExecution.HardwareAware));
        Assert.Equal(3, steps.Count);
        Assert.All(steps, s => Assert.Equal(0.25, s.MeanReward));
        Assert.True(LogProbOf(0) > before + 0.1, $"log p of the rewarded completion {before:F3} -> {LogProbOf(0):F3}");
        Assert.True(model.named_parameters().Single(p => p.name.Contains("embed_tokens", StringComparison.Ordinal)).parameter.allclose(embedding, 0, 0));
    }
}
