using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Ahwa.Lab.Decoding;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using Llama3;
using TorchSharp;

namespace DecoderArithmetic;

/// <summary>One way of evaluating: digital, under the training-time weight noise, or on programmed PCM tiles at a drift time.</summary>
public sealed record Condition(string Name, string Kind, double Seconds = 0);

/// <summary>One method's exact-match accuracy: <c>Values[condition][run]</c> holds the values of that training run
/// (seed) over the condition's noise draws or programmings.</summary>
public sealed record MethodResult(string Method, string Training, IReadOnlyList<ulong> Seeds, IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> Values);

/// <summary>One training: what, with which seed, how many steps, how long, and its first and last losses (or rewards).</summary>
public sealed record TrainingRecord(string Label, ulong Seed, int Steps, double Seconds, double First, double Last);

/// <summary>Everything one run measured.</summary>
public sealed record DemoResults(DemoOptions Options, int TrainCount, int TestCount, long Parameters, long AdapterParameters, PretrainingRun Pretraining,
    IReadOnlyList<Condition> Conditions, IReadOnlyList<MethodResult> Methods, IReadOnlyList<TrainingRecord> Trainings, double Seconds);

/// <summary>
/// The offline decoder demonstration: TinyLlama pretrained digitally on generated arithmetic (the meta-weights), its
/// exact-match accuracy digital and on the analog chip (the drop), then AHWA-LoRA instruction tuning and GRPO from
/// those meta-weights, each over several seeds, evaluated the same way (the recovery).
/// </summary>
public static class Demo
{
    /// <summary>Test questions generated together (every prompt has one length): one batch per forward.</summary>
    public const int EvaluationBatch = 100;

    public const string NoAdaptation = "Pretrained, no adaptation", Sft = "AHWA-LoRA instruction tuning", Grpo = "AHWA-LoRA GRPO";

    public static DemoResults Run(DemoOptions o, Action<string> log, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var tokenizer = Arithmetic.Tokenizer();
        var (train, test) = Arithmetic.Split(o.Digits, o.TestCount, o.TrainCount, o.Seed);
        var pairs = CausalBatches.Tokenize(Arithmetic.Pairs(train), tokenizer, o.MaxTokens);
        var questions = Arithmetic.Questions(test);
        log($"Task: {o.Digits}-digit addition and subtraction, {train.Count} training and {test.Count} test problems (disjoint, seed {o.Seed}), e.g. {test[0].Prompt}{test[0].Response}.");

        using var model = new TinyLlama((long)o.Seed);
        InitializeEmbeddings(model, o.Seed);
        var untrained = AdapterFiles.Capture(model, "untrained");
        long parameters = model.parameters().Sum(p => p.numel()), adapterSize = model.AdapterParameters().Sum(p => p.Parameter.numel());
        log($"Model: TinyLlama, {parameters:N0} parameters ({parameters - adapterSize:N0} without LoRA), LoRA {adapterSize:N0}; chip: ideal converters, no clipping.");

        var pretraining = Pretraining.LoadOrTrain(model, o, pairs, tokenizer.Padding, log);
        var trainings = new List<TrainingRecord>();
        if (!pretraining.Cached) trainings.Add(new TrainingRecord("pretraining (digital, all weights but LoRA)", o.Seed, pretraining.Steps, pretraining.Seconds, pretraining.FirstEpochLoss, pretraining.LastEpochLoss));

        var seeds = Enumerable.Range(0, o.Seeds).Select(s => o.Seed + (ulong)s).ToList();
        var sft = new List<Adapter>();
        var sftPairs = pairs.Take(o.SftCount).ToList();
        foreach (var seed in seeds)
        {
            cancellation.ThrowIfCancellationRequested();
            AdapterFiles.Apply(model, untrained);
            var watch = Stopwatch.StartNew();
            var losses = InstructionTuning.Train(model, sftPairs, tokenizer.Padding,
                new TrainingOptions(o.LoraLearningRate, o.BatchSize, o.SftEpochs, seed, TrainingRegime.AhwaLora, AnalogExecution.HardwareAware), cancellation: cancellation);
            trainings.Add(new TrainingRecord($"{Sft} ({Report.Percent(DemoOptions.EvaluationWeightNoise)} weight noise)", seed, losses.Count, watch.Elapsed.TotalSeconds, losses[0], losses[^1]));
            log($"{Sft}, seed {seed}: {losses.Count} steps, loss {Report.Number(losses[0], "0.000")} -> {Report.Number(losses[^1], "0.000")}, {Report.Number(watch.Elapsed.TotalSeconds, "0")} s.");
            sft.Add(AdapterFiles.Capture(model, $"sft-{seed}"));
        }

        var grpo = new List<Adapter>();
        foreach (var seed in seeds)
        {
            cancellation.ThrowIfCancellationRequested();
            AdapterFiles.Apply(model, untrained);
            SetWeightNoise(model, DemoOptions.GrpoWeightNoise);
            var watch = Stopwatch.StartNew();
            var steps = GrpoTrainer.Train(model, tokenizer, Arithmetic.Questions(train), DecoderData.Number,
                new GrpoOptions(o.GroupSize, o.PromptsPerStep, o.GrpoSteps, MaxNewTokens: o.MaxNewTokens, LearningRate: o.GrpoLearningRate, Seed: seed),
                cancellation: cancellation);
            SetWeightNoise(model, DemoOptions.EvaluationWeightNoise);
            int window = Math.Max(1, steps.Count / 5);
            double first = steps.Take(window).Average(s => s.MeanReward), last = steps.TakeLast(window).Average(s => s.MeanReward);
            trainings.Add(new TrainingRecord($"{Grpo} ({Report.Percent(DemoOptions.GrpoWeightNoise)} weight noise; mean reward)", seed, steps.Count, watch.Elapsed.TotalSeconds, first, last));
            log($"{Grpo}, seed {seed}: {steps.Count} steps, mean reward {Report.Number(first, "0.00")} -> {Report.Number(last, "0.00")} (first and last fifth), {Report.Number(watch.Elapsed.TotalSeconds, "0")} s.");
            grpo.Add(AdapterFiles.Capture(model, $"grpo-{seed}"));
        }

        var methods = new (string Method, string Training, IReadOnlyList<ulong> Seeds, IReadOnlyList<Adapter> Adapters)[]
        {
            (NoAdaptation, "digital pretraining only", new[] { o.Seed }, new[] { untrained }),
            (Sft, $"{o.SftEpochs} epoch(s) on {sftPairs.Count} problems, {Report.Percent(DemoOptions.EvaluationWeightNoise)} weight noise", seeds, sft),
            (Grpo, $"{o.GrpoSteps} steps of {o.PromptsPerStep} x {o.GroupSize} samples, {Report.Percent(DemoOptions.GrpoWeightNoise)} weight noise", seeds, grpo),
        };
        var conditions = Conditions(o);
        var values = Evaluate(model, tokenizer, questions, o, conditions, methods.Select(m => m.Adapters).ToList(), log);
        var results = methods.Select((m, i) => new MethodResult(m.Method, m.Training, m.Seeds, values[i])).ToList();
        return new DemoResults(o, train.Count, test.Count, parameters, adapterSize, pretraining, conditions, results, trainings, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The standard deviation of <see cref="InitializeEmbeddings"/>: Hugging Face's LLaMA initializer_range.</summary>
    public const double EmbeddingStd = 0.02;

    /// <summary>nn.Embedding draws its table from LibTorch's global generator, outside the model's seed; this redraws
    /// it from <c>(seed, Initialisation, 0)</c> as N(0, <see cref="EmbeddingStd"/>^2), so pretraining from scratch
    /// repeats with its seed.</summary>
    public static void InitializeEmbeddings(TinyLlama model, ulong seed)
    {
        var table = model.named_parameters().Single(p => p.name == "model.embed_tokens.weight").parameter;
        var values = new float[table.numel()];
        RandomStream.For(seed, StreamPurpose.Initialisation, 0).FillGaussian(values);
        for (int i = 0; i < values.Length; i++) values[i] *= (float)EmbeddingStd;
        using var noGrad = torch.no_grad();
        table.copy_(torch.tensor(values, table.shape));
    }

    public static IReadOnlyList<Condition> Conditions(DemoOptions o) =>
        new[] { new Condition("digital", "digital"), new Condition($"{Report.Percent(DemoOptions.EvaluationWeightNoise)} weight noise", "noise") }
            .Concat(o.Times.Select(t => new Condition($"PCM, {t.Label}", "pcm", t.Seconds))).ToList();

    /// <summary>The training-time weight noise of every analog layer (the chip's other settings unchanged).</summary>
    public static void SetWeightNoise(AhwaModel model, double noise)
    {
        foreach (var layer in model.AnalogLayers) layer.Chip = layer.Chip with { WeightNoise = noise };
    }

    /// <summary><c>[method][condition][run]</c>: every adapter under the same noise draws (each draw reseeds the
    /// training-time noise) and on the same programmings (one drift sweep with a probe per adapter).</summary>
    static IReadOnlyList<IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>>> Evaluate(TinyLlama model, ITokenizer tokenizer, IReadOnlyList<RewardPrompt> questions,
        DemoOptions o, IReadOnlyList<Condition> conditions, IReadOnlyList<IReadOnlyList<Adapter>> adapters, Action<string> log)
    {
        double Score() => DecoderEvaluation.ExactMatch(model, tokenizer, questions, DecoderData.Number, o.MaxNewTokens, EvaluationBatch);
        var result = adapters.Select(runs => conditions.Select(_ => runs.Select(_ => new List<double>()).ToList()).ToList()).ToList();
        var watch = Stopwatch.StartNew();

        model.SetExecution(AnalogExecution.Digital);
        model.eval();
        ForEachRun((m, r, adapter) =>
        {
            AdapterFiles.Apply(model, adapter);
            result[m][0][r].Add(Score());
        });
        log($"Evaluated digitally: {Report.Number(watch.Elapsed.TotalSeconds, "0")} s.");

        model.SetExecution(AnalogExecution.HardwareAware);
        for (int k = 0; k < o.NoiseDraws; k++)
        {
            ulong draw = RandomStream.Derive(o.Seed, StreamPurpose.Evaluation, k);
            ForEachRun((m, r, adapter) =>
            {
                AdapterFiles.Apply(model, adapter);
                model.SeedNoise(draw);
                result[m][1][r].Add(Score());
            });
        }
        log($"Evaluated under {Report.Percent(DemoOptions.EvaluationWeightNoise)} weight noise ({o.NoiseDraws} draws): {Report.Number(watch.Elapsed.TotalSeconds, "0")} s.");

        var probes = new List<SweepProbe>();
        ForEachRun((m, r, adapter) => probes.Add(new SweepProbe($"{m}/{r}", Score, () => AdapterFiles.Apply(model, adapter))));
        var points = DriftSweep.Run(model, model.DeclaredDevice(), probes, o.Programmings, o.Seed, o.Times);
        ForEachRun((m, r, _) =>
        {
            var sweep = points[$"{m}/{r}"];
            for (int t = 0; t < o.Times.Count; t++) result[m][2 + t][r].AddRange(sweep[t].Values);
        });
        log($"Evaluated on programmed PCM tiles ({o.Programmings} programmings): {Report.Number(watch.Elapsed.TotalSeconds, "0")} s.");
        model.SetExecution(AnalogExecution.Digital);
        return result.Select(m => (IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>>)m.Select(c => (IReadOnlyList<IReadOnlyList<double>>)c.Select(r => (IReadOnlyList<double>)r).ToList()).ToList()).ToList();

        void ForEachRun(Action<int, int, Adapter> action)
        {
            for (int m = 0; m < adapters.Count; m++)
                for (int r = 0; r < adapters[m].Count; r++) action(m, r, adapters[m][r]);
        }
    }
}
