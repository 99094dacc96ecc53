using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Ahwa.Runtime;
using Ahwa.Runtime.Decoders;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Lab.Decoding;

/// <summary>A prompt (already templated) and the number its answer must equal.</summary>
public sealed record RewardPrompt(string Prompt, decimal Answer);

/// <summary>One GRPO step: the loss of its last update, the mean reward of its samples, the mean KL to the reference.</summary>
public sealed record GrpoStep(int Step, int TotalSteps, double Loss, double MeanReward, double Kl, TimeSpan Elapsed);

/// <summary>GRPO with AHWA-LoRA: sample <see cref="GrpoOptions.GroupSize"/> completions per prompt with the key-value
/// cache, reward 1 for the exact number and 0 otherwise, then update only the adapters (LoRA, digital heads) under the
/// chosen execution (training-time noise by default), with a KL penalty to the initial adapters. Adam with linear
/// decay to 0, as <see cref="AhwaTrainer"/>; prompt order from (seed, Shuffle, epoch), sampling from (seed, Sampling,
/// step), noise from the model's seeded streams.</summary>
public static class GrpoTrainer
{
    /// <summary>1 if the completion's number (by <paramref name="extract"/>) equals the answer, else 0.</summary>
    public static double Reward(string completion, decimal answer, Func<string, decimal?> extract) => extract(completion) == answer ? 1 : 0;

    /// <summary>A group for one prompt: completions sampled at the options' temperature, rewarded.</summary>
    public static GrpoGroup Sample(ICausalLanguageModel model, ITokenizer tokenizer, RewardPrompt prompt, Func<string, decimal?> extract, GrpoOptions options, ulong seed)
    {
        var ids = tokenizer.Encode(prompt.Prompt);
        var completions = Generation.Complete(model, ids, options.GroupSize, options.MaxNewTokens, tokenizer.EndOfSequence, options.Temperature, seed, tokenizer.VocabularySize);
        var rewards = completions.Select(c => Reward(tokenizer.Decode(c), prompt.Answer, extract)).ToArray();
        return new GrpoGroup(ids, completions, rewards);
    }

    /// <summary>The GRPO loss of groups (averaged over them) given each group's old log-probabilities; the policy is the
    /// softmax over the ids below <paramref name="vocabulary"/> (all of the model's when null).</summary>
    public static (Tensor Loss, Tensor Kl) Loss(ICausalLanguageModel model, IReadOnlyList<GrpoGroup> groups, IReadOnlyList<Tensor> oldLogProbs,
        IReadOnlyList<(Parameter Parameter, Tensor Reference)> reference, int padding, GrpoOptions options, int? vocabulary = null)
    {
        using var scope = NewDisposeScope();
        Tensor? loss = null, kl = null;
        // The reference first: swapping its values in and out writes the parameters, which the policy's graph must not see.
        var refLogps = groups.Select(g => Grpo.WithParameters(reference, () => Grpo.CompletionLogProbs(model, g, padding, vocabulary).LogProbs)).ToList();
        for (int i = 0; i < groups.Count; i++)
        {
            var (logp, mask) = Grpo.CompletionLogProbs(model, groups[i], padding, vocabulary);
            var refLogp = refLogps[i];
            var advantages = tensor(Grpo.Advantages(groups[i].Rewards, options.AdvantageEpsilon).Select(a => (float)a).ToArray());
            var (l, k) = Grpo.Loss(logp, oldLogProbs[i], refLogp, mask, advantages, options.ClipEpsilon, options.KlBeta);
            loss = loss is null ? l : loss.add(l);
            kl = kl is null ? k : kl.add(k);
        }
        return (loss!.div(groups.Count).MoveToOuterDisposeScope(), kl!.div(groups.Count).MoveToOuterDisposeScope());
    }

    /// <summary>The old policy's log-probabilities of each group (no gradient): the ratio's denominator.</summary>
    public static IReadOnlyList<Tensor> OldLogProbs(ICausalLanguageModel model, IReadOnlyList<GrpoGroup> groups, int padding, int? vocabulary = null)
    {
        using var noGrad = no_grad();
        return groups.Select(g => Grpo.CompletionLogProbs(model, g, padding, vocabulary).LogProbs.DetachFromDisposeScope()).ToList();
    }

    /// <summary>A snapshot of the adapters as they are now: the frozen reference policy.</summary>
    public static IReadOnlyList<(Parameter Parameter, Tensor Reference)> Snapshot(AhwaModel model) =>
        model.AdapterParameters().Select(p => (p.Parameter, p.Parameter.detach().clone().DetachFromDisposeScope())).ToList();

    /// <summary>GRPO on prompts: each step samples <see cref="GrpoOptions.PromptsPerStep"/> groups with the current policy.</summary>
    public static IReadOnlyList<GrpoStep> Train(AhwaModel model, ITokenizer tokenizer, IReadOnlyList<RewardPrompt> prompts, Func<string, decimal?> extract,
        GrpoOptions options, IProgress<GrpoStep>? progress = null, CancellationToken cancellation = default)
    {
        var lm = model as ICausalLanguageModel ?? throw new ArgumentException($"Model '{model?.ModelSpec.Name}' is not an {nameof(ICausalLanguageModel)}.", nameof(model));
        if (prompts.Count == 0) throw new ArgumentException("GRPO needs at least one prompt.", nameof(prompts));
        var order = Enumerable.Range(0, prompts.Count).ToArray();
        int epoch = -1, position = prompts.Count;
        IReadOnlyList<GrpoGroup> GroupsOf(int step)
        {
            var groups = new List<GrpoGroup>();
            for (int k = 0; k < options.PromptsPerStep; k++)
            {
                if (position == prompts.Count)
                {
                    epoch++;
                    position = 0;
                    for (int i = 0; i < order.Length; i++) order[i] = i;
                    RandomStream.For(options.Seed, StreamPurpose.Shuffle, epoch).Shuffle(order.AsSpan());
                }
                ulong seed = RandomStream.Derive(options.Seed, StreamPurpose.Sampling, (long)step * options.PromptsPerStep + k);
                groups.Add(Sample(lm, tokenizer, prompts[order[position++]], extract, options, seed));
            }
            return groups;
        }
        return Run(model, GroupsOf, tokenizer.Padding, options, progress, cancellation, vocabulary: tokenizer.VocabularySize);
    }

    /// <summary>GRPO on the groups <paramref name="groupsOf"/> gives for each step (sampled, or fixed for off-policy
    /// data and tests): old log-probabilities once, then <see cref="GrpoOptions.InnerSteps"/> Adam updates; the policy
    /// is the softmax over the ids below <paramref name="vocabulary"/> (all of the model's when null).</summary>
    public static IReadOnlyList<GrpoStep> Run(AhwaModel model, Func<int, IReadOnlyList<GrpoGroup>> groupsOf, int padding, GrpoOptions options,
        IProgress<GrpoStep>? progress = null, CancellationToken cancellation = default, Action<double, double>? update = null, int? vocabulary = null)
    {
        var lm = model as ICausalLanguageModel ?? throw new ArgumentException($"Model '{model?.ModelSpec.Name}' is not an {nameof(ICausalLanguageModel)}.", nameof(model));
        options.Validate();
        var trainable = model.ConfigureTraining(TrainingRegime.AhwaLora);
        if (trainable.Count == 0) throw new InvalidOperationException($"Model '{model.ModelSpec.Name}' has no adapters to train.");
        model.SetExecution(options.Execution);
        model.SeedNoise(options.Seed);
        torch.random.manual_seed(unchecked((long)RandomStream.Derive(options.Seed, StreamPurpose.Dropout, 0)));
        model.train();
        var reference = Snapshot(model);
        int total = options.Steps * options.InnerSteps;
        using var optimizer = new ScratchAdam(trainable, options.LearningRate); // optim.Adam's arithmetic, without its per-step allocations
        var schedule = optim.lr_scheduler.LambdaLR(optimizer, done => Math.Max(0.0, 1.0 - (double)done / total));
        var steps = new List<GrpoStep>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int step = 0; step < options.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                var groups = groupsOf(step);
                if (groups.Count == 0) throw new InvalidOperationException($"Step {step + 1} has no groups.");
                var old = OldLogProbs(lm, groups, padding, vocabulary);
                double loss = 0, kl = 0;
                for (int inner = 0; inner < options.InnerSteps; inner++)
                {
                    using var scope = NewDisposeScope();
                    optimizer.zero_grad();
                    var (l, k) = Loss(lm, groups, old, reference, padding, options, vocabulary);
                    l.backward();
                    optimizer.step();
                    schedule.step();
                    loss = l.item<float>();
                    kl = k.item<float>();
                    if (!double.IsFinite(loss)) throw new InvalidOperationException($"The GRPO loss became {loss} at step {step + 1}; lower the learning rate.");
                    update?.Invoke(loss, kl);
                }
                foreach (var t in old) t.Dispose();
                var record = new GrpoStep(step + 1, options.Steps, loss, groups.Average(g => g.Rewards.Average()), kl, clock.Elapsed);
                steps.Add(record);
                progress?.Report(record);
            }
        }
        finally
        {
            foreach (var (_, value) in reference) value.Dispose();
            model.eval();
        }
        return steps;
    }
}
