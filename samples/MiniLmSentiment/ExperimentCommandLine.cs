using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiniLmSentiment;

/// <summary>The job's options as Spectre.Console.Cli binds them. Numbers arrive as text and are read in
/// <see cref="Validate"/>, so a bad value gets the job's own message naming the option and the value (the library's
/// conversion error names neither).</summary>
public sealed class ExperimentSettings : CommandSettings
{
    [CommandOption("--quick")]
    [Description("Small preset: fewer sentences, epochs, programmings and drift times")]
    public bool Quick { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default " + ExperimentOptions.DefaultOutput + ")")]
    public string? Output { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Training epochs")]
    public string? Epochs { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of the data split, the programmings and the drift draws")]
    public string? Seed { get; init; }

    [CommandOption("--repetitions <N>")]
    [Description("Programmings of the meta-weights for the sentiment table")]
    public string? Repetitions { get; init; }

    [CommandOption("--lr <X>")]
    [Description("LoRA learning rate")]
    public string? LearningRate { get; init; }

    [CommandOption("--glue <DIR>")]
    [Description("train.tsv and dev.tsv of a GLUE task such as SST-2, instead of the UCI sentences")]
    public string? Glue { get; init; }

    [CommandOption("--task <NAME>")]
    [Description("Task of the main table: " + Workloads.Sentiment + " (UCI sentences, default) or " + Workloads.SotuEra + " (era of a State of the Union passage)")]
    public string? Task { get; init; }

    [CommandOption("--export-pytorch <DIR>")]
    [Description("Write the model's PyTorch export (generated module, weights, tokenised data, launch.sh) to DIR instead of running")]
    public string? ExportPyTorch { get; init; }

    public override ValidationResult Validate() =>
        TryBuild(out _, out string? error) ? ValidationResult.Success() : ValidationResult.Error(error);

    /// <summary>The preset with every given option applied; throws <see cref="ArgumentException"/> for a bad value.</summary>
    public ExperimentOptions ToOptions() =>
        TryBuild(out var options, out string? error) ? options : throw new ArgumentException(error);

    /// <summary>Upper bounds: beyond them a run takes days (a programming costs a full drift sweep, an epoch a pass over
    /// the training set), so a typo such as <c>--repetitions 1000000</c> is refused, not started.</summary>
    public const int MaxEpochs = 1000, MaxRepetitions = 1000;

    bool TryBuild(out ExperimentOptions options, out string error)
    {
        var preset = Quick ? ExperimentOptions.Quick() : ExperimentOptions.Default();
        options = preset;
        error = "";
        if (Output is not null && Output.Trim().Length == 0) return Fail(out error, "--out needs a folder name, got ''.");
        if (ExportPyTorch is not null && ExportPyTorch.Trim().Length == 0) return Fail(out error, "--export-pytorch needs a folder name, got ''.");
        if (OutputProblem(Output ?? preset.Output) is string outputProblem) return Fail(out error, outputProblem);
        if (!Positive("--epochs", Epochs, preset.Epochs, MaxEpochs, out int epochs, ref error)) return false;
        if (!Positive("--repetitions", Repetitions, preset.Repetitions, MaxRepetitions, out int repetitions, ref error)) return false;
        if (Glue is not null && Glue.Trim().Length == 0) return Fail(out error, "--glue needs a folder name, got ''.");
        if (Glue is not null && !System.IO.Directory.Exists(Glue)) return Fail(out error, $"--glue folder '{Glue}' does not exist.");
        if (Glue is not null && new[] { "train.tsv", "dev.tsv" }.FirstOrDefault(f => !System.IO.File.Exists(System.IO.Path.Combine(Glue, f))) is string absent)
            return Fail(out error, $"--glue folder '{Glue}' has no {absent}.");
        if (Task is not null && !Workloads.Names.Contains(Task)) return Fail(out error, $"--task must be one of {string.Join(", ", Workloads.Names)}, got '{Task}'.");
        if (Task is not null && Glue is not null) return Fail(out error, "--task and --glue both choose the main task; give one.");
        ulong seed = preset.Seed;
        if (Seed is not null && !ulong.TryParse(Seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
            return Fail(out error, $"--seed must be a non-negative integer, got '{Seed}'.");
        double lr = preset.LoraLearningRate;
        if (LearningRate is not null && !(double.TryParse(LearningRate, NumberStyles.Float, CultureInfo.InvariantCulture, out lr) && lr > 0 && !double.IsInfinity(lr)))
            return Fail(out error, $"--lr must be a positive number, got '{LearningRate}'.");
        options = preset with
        {
            Output = Output ?? preset.Output,
            Epochs = epochs,
            Repetitions = repetitions,
            Seed = seed,
            LoraLearningRate = lr,
            GlueFolder = Glue,
            PyTorchExport = ExportPyTorch,
            Task = Task ?? preset.Task,
        };
        return true;
    }

    static bool Positive(string name, string? text, int fallback, int max, out int value, ref string error)
    {
        value = fallback;
        if (text is null) return true;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value <= 0)
            return Fail(out error, $"{name} must be a positive integer, got '{text}'.");
        if (value > max) return Fail(out error, $"{name} must be at most {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'.");
        return true;
    }

    /// <summary>Why the output folder cannot be used, without creating it: a file in the way, or a nearest existing
    /// ancestor that is not a writable folder.</summary>
    static string? OutputProblem(string output)
    {
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(output);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or System.IO.PathTooLongException)
        {
            return $"--out '{output}' is not a valid folder name ({e.Message}).";
        }
        if (System.IO.File.Exists(full)) return $"--out '{output}' is a file, not a folder.";
        var existing = full;
        while (!System.IO.Directory.Exists(existing))
        {
            var parent = System.IO.Path.GetDirectoryName(existing);
            if (parent is null) return $"--out '{output}' cannot be created: no part of the path exists.";
            if (System.IO.File.Exists(parent)) return $"--out '{output}' cannot be created: '{parent}' is a file.";
            existing = parent;
        }
        if (!IsWritable(existing)) return $"--out '{output}' cannot be written: '{existing}' is not writable.";
        return null;
    }

    /// <summary>Creates and removes a probe folder: permission bits do not tell (root, read-only mounts, /proc).</summary>
    static bool IsWritable(string folder)
    {
        var probe = System.IO.Path.Combine(folder, ".ahwa-write-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            System.IO.Directory.CreateDirectory(probe);
            System.IO.Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    static bool Fail(out string error, string message)
    {
        error = message;
        return false;
    }
}

/// <summary>What the command line asked for: options to run with, help already shown (neither set, exit 0), or an
/// error message (exit 2).</summary>
public sealed record CommandLineResult(ExperimentOptions? Options, string? Error)
{
    public int ExitCode => Error is null ? 0 : 2;
}

/// <summary>Reads the command line without running anything, so tests can check options and messages directly.</summary>
public static class ExperimentCommandLine
{
    public const string ApplicationName = "MiniLmSentiment";

    /// <param name="console">Where help goes (the terminal unless a test captures it).</param>
    public static CommandLineResult Parse(IReadOnlyList<string> args, IAnsiConsole? console = null)
    {
        // The library lets a repeated value option win by its last value; one rule for flags and values instead.
        var repeated = Repeated(args);
        if (repeated is not null) return new(null, $"Option {repeated} is given twice. {SeeHelp}");
        var captured = new Captured();
        var app = new CommandApp<CaptureCommand>().WithData(captured).WithDescription(
            "all-MiniLM-L6-v2 adapted to simulated PCM tiles with AHWA-LoRA, evaluated under drift, and deployed. " +
            "Exit codes: 0 done, 1 the run failed (missing model package, unreadable data), 2 bad command line.");
        app.Configure(config =>
        {
            config.SetApplicationName(ApplicationName);
            // Not UseStrictParsing: in 0.57.2 it hands a trailing value option the hidden default command's name as its
            // value (`--out` alone would run with out = "__default_command"); unknown options are refused below instead.
            config.PropagateExceptions(); // errors come back here as exceptions, to be reported with exit code 2
            if (console is not null) config.Settings.Console = console;
        });
        try
        {
            app.Run(args);
        }
        catch (Exception error) when (error is CommandParseException or CommandRuntimeException)
        {
            return new(null, $"{error.Message} {SeeHelp}");
        }
        if (captured.Unknown is not null) return new(null, $"{captured.Unknown} {SeeHelp}");
        return new(captured.Options, null);
    }

    const string SeeHelp = "Run with --help for the options.";

    static readonly string[] LongNames = typeof(ExperimentSettings).GetProperties()
        .SelectMany(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames ?? (IEnumerable<string>)Array.Empty<string>())
        .ToArray();

    /// <summary>The first known option given more than once (also as --name=value or --name:value), if any.</summary>
    static string? Repeated(IReadOnlyList<string> args)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            string name = arg[2..].Split('=', ':')[0];
            if (LongNames.Contains(name, StringComparer.Ordinal) && !seen.Add(name)) return "--" + name;
        }
        return null;
    }

    sealed class Captured
    {
        public ExperimentOptions? Options { get; set; }

        /// <summary>The message for the first argument nothing bound, if any.</summary>
        public string? Unknown { get; set; }
    }

    sealed class CaptureCommand : Command<ExperimentSettings>
    {
        public override int Execute(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken)
        {
            var captured = (Captured)context.Data!;
            // What the library could not bind: unknown options by name, anything after "--" as given.
            captured.Unknown = context.Remaining.Parsed.Select(g => $"Unknown option '{(g.Key.StartsWith('-') ? g.Key : "--" + g.Key)}'.")
                .Concat(context.Remaining.Raw.Select(a => $"Unexpected argument '{a}'.")).FirstOrDefault();
            if (captured.Unknown is null) captured.Options = settings.ToOptions();
            return 0;
        }
    }
}
