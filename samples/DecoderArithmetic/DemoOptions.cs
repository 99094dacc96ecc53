using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using Ahwa.Lab.CommandLine;
using Spectre.Console.Cli;

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

    public static DemoOptions Full(string output = DefaultOutput) => new(output, Ahwa.Hardware.Seeds.Default, Seeds: 3, Digits: 2, TestCount: 400, TrainCount: null,
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

    /// <summary>Reads the command line (Lab's shared reader, as the other samples): options, or help shown (both
    /// null, exit 0), or an error naming the option and the value (exit 2).</summary>
    public static ParsedOptions<DemoOptions> Parse(IReadOnlyList<string> args, Spectre.Console.IAnsiConsole? console = null) =>
        SettingsReader.Read<DemoSettings, DemoOptions>(args, "DecoderArithmetic",
            "TinyLlama on generated arithmetic: digital, on the analog chip, and recovered by AHWA-LoRA instruction tuning and GRPO. " + ExitCodes.Summary,
            console);
}

/// <summary>The demonstration's options; each default and range is declared once, on its property.</summary>
public sealed class DemoSettings : OptionsSettings<DemoOptions>
{
    [CommandOption("--quick")]
    [Description("A first look in a few minutes: fewer seeds, examples, steps and programmings")]
    public bool Quick { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default " + DemoOptions.DefaultOutput + ")")]
    public string? Output { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the first run (the data, the pretraining, the noise and the programmings)")]
    public string? Seed { get; init; }

    [CommandOption("--seeds <N>")]
    [PositiveIntOption("Runs with consecutive seeds (default by preset)", 1000)]
    public string? Seeds { get; init; }

    /// <summary>1 by default: the model's matrices are too small for more to pay, and on a loaded machine more threads
    /// spin against each other.</summary>
    [CommandOption("--threads <N>")]
    [PositiveIntOption("LibTorch's threads", 1, 1024)]
    public string? Threads { get; init; }

    public override string? TryBuild(out DemoOptions options)
    {
        string output = Output ?? DemoOptions.DefaultOutput;
        var preset = Quick ? DemoOptions.Quick(output) : DemoOptions.Full(output);
        // Each value is read (every out assigned); the first problem is the one reported.
        var seedProblem = OptionValues.Read(this, nameof(Seed), out ulong seed);
        var seedsProblem = OptionValues.Read(this, nameof(Seeds), preset.Seeds, out int seeds);
        var threadsProblem = OptionValues.Read(this, nameof(Threads), out int threads);
        var problem = OptionValues.BlankPath("--out", Output) ?? seedProblem ?? seedsProblem ?? threadsProblem;
        options = preset with { Seed = seed, Seeds = seeds, Threads = threads };
        return problem;
    }
}
