using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Lab.Decoding;

/// <summary>GRPO's settings (DeepSeekMath): G completions per prompt sampled at a temperature, advantages normalised
/// within the group, PPO's clipped ratio (epsilon 0.2), a KL penalty to the reference (beta), and
/// <see cref="InnerSteps"/> updates on each sampled batch (the ratio moves from 1 after the first).</summary>
public sealed record GrpoOptions(
    int GroupSize = 8,
    int PromptsPerStep = 4,
    int Steps = 100,
    int InnerSteps = 1,
    int MaxNewTokens = 8,
    double Temperature = 1.0,
    double ClipEpsilon = 0.2,
    double KlBeta = 0.04,
    double AdvantageEpsilon = 1e-4,
    double LearningRate = 1e-3,
    ulong Seed = Ahwa.Hardware.Seeds.Default,
    Runtime.AnalogExecution Execution = Runtime.AnalogExecution.HardwareAware)
{
    public void Validate()
    {
        if (GroupSize < 2) throw new ArgumentOutOfRangeException(nameof(GroupSize), GroupSize, "A group needs at least two completions to compare.");
        if (PromptsPerStep < 1) throw new ArgumentOutOfRangeException(nameof(PromptsPerStep), PromptsPerStep, "At least one prompt per step.");
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "At least one step.");
        if (InnerSteps < 1) throw new ArgumentOutOfRangeException(nameof(InnerSteps), InnerSteps, "At least one update per sampled batch.");
        if (MaxNewTokens < 1) throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "At least one new token.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "GRPO samples: the temperature must be positive and finite.");
        if (!(ClipEpsilon > 0 && ClipEpsilon < 1)) throw new ArgumentOutOfRangeException(nameof(ClipEpsilon), ClipEpsilon, "The clip range must be in (0, 1).");
        if (!(KlBeta >= 0) || double.IsInfinity(KlBeta)) throw new ArgumentOutOfRangeException(nameof(KlBeta), KlBeta, "The KL weight must be finite and >= 0.");
        if (!(AdvantageEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(AdvantageEpsilon), AdvantageEpsilon, "The advantage epsilon must be positive.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Learning rate must be positive and finite.");
    }
}

/// <summary>One prompt's sampled completions (each ending at the end-of-sequence id or the length cap) and their rewards.</summary>
public sealed record GrpoGroup(int[] Prompt, IReadOnlyList<int[]> Completions, double[] Rewards);

/// <summary>GRPO's arithmetic, separate from sampling so a fixed group can be checked by hand and against PyTorch.</summary>
public static class Grpo
{
    /// <summary>(r - mean) / (std + eps) within the group, std with Bessel's correction (as torch.std).</summary>
    public static double[] Advantages(IReadOnlyList<double> rewards, double epsilon)
    {
        if (rewards.Count < 2) throw new ArgumentException("A group needs at least two rewards.", nameof(rewards));
        var (mean, std) = SampleStatistics.MeanAndStd(rewards);
        return rewards.Select(r => (r - mean) / (std + epsilon)).ToArray();
    }

    /// <summary>Per-token loss -(min(rho A, clip(rho, 1 - e, 1 + e) A) - beta KL), with rho = exp(logp - old) and the
    /// k3 estimator KL = exp(ref - logp) - (ref - logp) - 1; averaged over each completion's tokens, then over the
    /// group (DeepSeekMath's 1/G sum_i 1/|o_i| sum_t). Inputs [G, L] with a 0/1 mask; advantages [G].</summary>
    public static (Tensor Loss, Tensor Kl) Loss(Tensor logp, Tensor oldLogp, Tensor refLogp, Tensor mask, Tensor advantages, double clip, double beta)
    {
        using var scope = NewDisposeScope();
        var a = advantages.unsqueeze(1);
        var ratio = logp.sub(oldLogp).exp();
        var surrogate = minimum(ratio.mul(a), ratio.clamp(1 - clip, 1 + clip).mul(a));
        var delta = refLogp.sub(logp);
        var kl = delta.exp().sub(delta).sub(1.0);
        var perToken = surrogate.sub(kl.mul(beta)).neg();
        var lengths = mask.sum(1).clamp_min(1.0);
        var loss = perToken.mul(mask).sum(1).div(lengths).mean();
        var meanKl = kl.mul(mask).sum(1).div(lengths).mean();
        return (loss.MoveToOuterDisposeScope(), meanKl.MoveToOuterDisposeScope());
    }

    /// <summary>Log-probabilities [G, L] of each completion's tokens given the prompt and the tokens before them, with
    /// the mask of real tokens (completions are right-padded with <paramref name="padding"/>); the softmax runs over
    /// the ids below <paramref name="vocabulary"/> (the model's whole vocabulary when null), as sampling does.</summary>
    public static (Tensor LogProbs, Tensor Mask) CompletionLogProbs(Runtime.Decoders.ICausalLanguageModel model, GrpoGroup group, int padding, int? vocabulary = null)
    {
        using var scope = NewDisposeScope();
        int g = group.Completions.Count, p = group.Prompt.Length;
        int length = group.Completions.Max(c => c.Length);
        if (length == 0) throw new ArgumentException("Every completion is empty.", nameof(group));
        var ids = new long[g * (p + length)];
        var mask = new float[g * length];
        for (int r = 0; r < g; r++)
        {
            for (int i = 0; i < p; i++) ids[r * (p + length) + i] = group.Prompt[i];
            for (int i = 0; i < length; i++)
            {
                bool real = i < group.Completions[r].Length;
                ids[r * (p + length) + p + i] = real ? group.Completions[r][i] : padding;
                mask[r * length + i] = real ? 1 : 0;
            }
        }
        var input = tensor(ids, new long[] { g, p + length });
        // Position p - 1 + i predicts completion token i.
        var logits = model.Logits(input).narrow(1, p - 1, length).to_type(ScalarType.Float32);
        if (vocabulary is { } limit) logits = logits.narrow(-1, 0, limit);
        var targets = input.narrow(1, p, length).unsqueeze(-1);
        var logp = nn.functional.log_softmax(logits, -1).gather(-1, targets).squeeze(-1);
        return (logp.MoveToOuterDisposeScope(), tensor(mask, new long[] { g, length }).MoveToOuterDisposeScope());
    }

    /// <summary>Runs <paramref name="forward"/> with the parameters set to <paramref name="reference"/> (the initial
    /// adapters: the frozen reference policy) and puts the current values back, whatever happens.</summary>
    public static T WithParameters<T>(IReadOnlyList<(Parameter Parameter, Tensor Reference)> reference, Func<T> forward)
    {
        var current = new List<Tensor>(reference.Count);
        using var noGrad = no_grad();
        try
        {
            foreach (var (parameter, value) in reference)
            {
                current.Add(parameter.detach().clone());
                parameter.copy_(value);
            }
            return forward();
        }
        finally
        {
            for (int i = 0; i < current.Count; i++)
            {
                reference[i].Parameter.copy_(current[i]);
                current[i].Dispose();
            }
        }
    }
}
