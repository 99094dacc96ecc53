using System;
using System.Collections.Generic;
using System.Globalization;

namespace DecoderArithmetic;

/// <summary>What one run of the demonstration does. <see cref="Full"/> is the README's run, <see cref="Quick"/> a
/// first look in a few minutes, <see cref="Tiny"/> the test's pipeline check.</summary>
public sealed record DemoOptions(
    string Output,
    ulong Seed,
    int Seeds,
    int Digits,
    int TestCount,
    int? TrainCount,
    int PretrainEpochs,
    double PretrainLearningRate,
    int BatchSize,
    int SftCount,
    int SftEpochs,
    double LoraLearningRate,
    int GrpoSteps,
    int GroupSize,
    int PromptsPerStep,
    double GrpoLearningRate,
    int NoiseDraws,
    int Programmings,
    IReadOnlyList<(double Seconds, string Label)> Times,
    string Preset,
    int Threads = 1)
{
    public const string DefaultOutput = "out/decoder-arithmetic";

    /// <summary>The paper's LLaMA settings (HARDWARE-MODEL.md): 6.7 % weight noise for instruction tuning and its
    /// evaluation, 3 % for the GRPO run; ideal converters and no clipping are TinyLlama's chip.</summary>
    public const double EvaluationWeightNoise = 0.067, GrpoWeightNoise = 0.03;

    /// <summary>Longest answer ("-99", "198") plus the end of sequence, with one token to spare.</summary>
    public int MaxNewTokens => Digits + 3;

    public int MaxTokens => 2 * Digits + 2 + MaxNewTokens;

    static readonly IReadOnlyList<(double Seconds, string Label)> QuickTimes = Ahwa.Simulator.DriftTimes.Labelled("0 s", "1 day");

    public static DemoOptions Full(string output = DefaultOutput) => new(output, 42, Seeds: 3, Digits: 2, TestCount: 400, TrainCount: null,
        PretrainEpochs: 6, PretrainLearningRate: 2e-3, BatchSize: 64, SftCount: 3000, SftEpochs: 1, LoraLearningRate: 1e-3,
        GrpoSteps: 30, GroupSize: 8, PromptsPerStep: 4, GrpoLearningRate: 2e-4, NoiseDraws: 3, Programmings: 3, QuickTimes, "full");

    public static DemoOptions Quick(string output = DefaultOutput) => Full(output) with
    {
        Seeds = 2,
        TestCount = 100,
        TrainCount = 4000,
        PretrainEpochs = 3,
        SftCount = 1500,
        SftEpochs = 1,
        GrpoSteps = 8,
        NoiseDraws = 2,
        Programmings = 2,
        Preset = "quick",
    };

    /// <summary>One-digit operands and a handful of steps: the pipeline end to end in seconds (the test's size).</summary>
    public static DemoOptions Tiny(string output) => Full(output) with
    {
        Seeds = 2,
        Digits = 1,
        TestCount = 24,
        PretrainEpochs = 2,
        BatchSize = 32,
        SftCount = 32,
        SftEpochs = 1,
        GrpoSteps = 1,
        GroupSize = 4,
        PromptsPerStep = 2,
        NoiseDraws = 2,
        Programmings = 1,
        Times = Ahwa.Simulator.DriftTimes.Labelled("0 s"),
        Preset = "tiny",
    };

    /// <summary>The settings that decide the pretrained weights: a cached pretraining is reused only when they match.</summary>
    public string PretrainingKey => string.Join(";", "seed=" + Seed, "digits=" + Digits, "test=" + TestCount, "train=" + (TrainCount?.ToString(CultureInfo.InvariantCulture) ?? "all"),
        "epochs=" + PretrainEpochs, "lr=" + PretrainLearningRate.ToString("R", CultureInfo.InvariantCulture), "batch=" + BatchSize);

    /// <summary>Command line: <c>--quick</c>, <c>--out DIR</c>, <c>--seed N</c>, <c>--seeds N</c>, <c>--threads N</c>
    /// (LibTorch's threads; 1 by default: the model's matrices are too small for more to pay, and on a loaded machine
    /// more threads spin against each other). Null and an error
    /// message when an argument is wrong.</summary>
    public static (DemoOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        bool quick = false;
        string output = DefaultOutput;
        ulong? seed = null;
        int? seeds = null;
        int threads = 1;
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--quick": quick = true; break;
                    case "--out": output = Value(); break;
                    case "--seed": seed = ulong.Parse(Value(), CultureInfo.InvariantCulture); break;
                    case "--seeds":
                        seeds = int.Parse(Value(), CultureInfo.InvariantCulture);
                        if (seeds < 1) return (null, $"--seeds must be at least 1, got {seeds}.");
                        break;
                    case "--threads":
                        threads = int.Parse(Value(), CultureInfo.InvariantCulture);
                        if (threads < 1) return (null, $"--threads must be at least 1, got {threads}.");
                        break;
                    default: return (null, $"Unknown argument '{args[i]}'. Usage: [--quick] [--out DIR] [--seed N] [--seeds N] [--threads N]");
                }
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                return (null, $"Argument {args[i]}: {e.Message}");
            }
        }
        var options = quick ? Quick(output) : Full(output);
        return (options with { Seed = seed ?? options.Seed, Seeds = seeds ?? options.Seeds, Threads = threads }, null);
    }
}
