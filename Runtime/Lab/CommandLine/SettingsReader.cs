using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

/// <summary>What a command line asked for: options to run with, help already shown (neither set, exit 0), or an
/// error message (exit 2).</summary>
public sealed record ParsedOptions<TOptions>(TOptions? Options, string? Error) where TOptions : class
{
    public int ExitCode => Error is null ? ExitCodes.Done : ExitCodes.BadCommandLine;
}

/// <summary>Settings that turn themselves into a program's options, or say what is wrong (checked as the library
/// validates, so a bad value is a command-line error before anything runs).</summary>
public abstract class OptionsSettings<TOptions> : CommandSettings where TOptions : class
{
    /// <summary>Null and the options, or the message naming the option and the value.</summary>
    public abstract string? TryBuild(out TOptions options);

    public sealed override ValidationResult Validate() =>
        TryBuild(out _) is string error ? ValidationResult.Error(error) : ValidationResult.Success();

    /// <summary>The options; throws <see cref="ArgumentException"/> for a bad value.</summary>
    public TOptions ToOptions() => TryBuild(out var options) is string error ? throw new ArgumentException(error) : options;
}

/// <summary>The one command-line reader of single-command programs (the main job, the samples): binds a Spectre
/// settings class without running anything, so a program and its tests read options and messages the same way.
/// Every error names the option and value and ends with a pointer to --help.</summary>
public static class SettingsReader
{
    public const string SeeHelp = "Run with --help for the options.";

    /// <param name="console">Where help goes (the terminal unless a test captures it).</param>
    public static ParsedOptions<TOptions> Read<TSettings, TOptions>(IReadOnlyList<string> args, string applicationName, string description,
        IAnsiConsole? console = null) where TSettings : OptionsSettings<TOptions> where TOptions : class
    {
        // The library lets a repeated value option win by its last value; one rule for flags and values instead.
        if (Repeated(args, LongNames(typeof(TSettings))) is string repeated) return new(null, $"Option {repeated} is given twice. {SeeHelp}");
        // The library's own message for a value option at the end names it without its dashes ("Option 'seed' ...").
        if (WithoutValue(args, typeof(TSettings)) is string bare) return new(null, $"Option {bare} needs a value. {SeeHelp}");
        var captured = new Captured<TOptions>();
        var app = new CommandApp<CaptureCommand<TSettings, TOptions>>().WithData(captured).WithDescription(description);
        app.Configure(config =>
        {
            config.SetApplicationName(applicationName);
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
        if (captured.Error is not null) return new(null, captured.Error);
        return new(captured.Options, null);
    }

    /// <summary>Every long option name of a settings class (without the dashes).</summary>
    public static IReadOnlyList<string> LongNames(Type settings) => settings.GetProperties()
        .SelectMany(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames ?? (IEnumerable<string>)Array.Empty<string>())
        .ToArray();

    /// <summary>The first known option given more than once (also as --name=value or --name:value), if any.</summary>
    public static string? Repeated(IReadOnlyList<string> args, IReadOnlyList<string> longNames)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var arg in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            string name = arg[2..].Split('=', ':')[0];
            if (longNames.Contains(name, StringComparer.Ordinal) && !seen.Add(name)) return "--" + name;
        }
        return null;
    }

    /// <summary>The first option that takes a value given without one (last, or followed by another long option), if any.</summary>
    public static string? WithoutValue(IReadOnlyList<string> args, Type settings)
    {
        var valued = settings.GetProperties().Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(o => o is { ValueName: not null, ValueIsOptional: false }).SelectMany(o => o!.LongNames).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
            if (args[i].StartsWith("--", StringComparison.Ordinal) && valued.Contains(args[i][2..])
                && (i + 1 == args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                return args[i];
        return null;
    }

    /// <summary>What the library could not bind: unknown options by name, anything after "--" as given.</summary>
    public static string? Unbound(CommandContext context) =>
        context.Remaining.Parsed.Select(g => $"Unknown option '{(g.Key.StartsWith('-') ? g.Key : "--" + g.Key)}'.")
            .Concat(context.Remaining.Raw.Select(a => $"Unexpected argument '{a}'.")).FirstOrDefault();

    sealed class Captured<TOptions>
    {
        public TOptions? Options { get; set; }

        public string? Error { get; set; }
    }

    sealed class CaptureCommand<TSettings, TOptions> : Command<TSettings> where TSettings : OptionsSettings<TOptions> where TOptions : class
    {
        public override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
        {
            var captured = (Captured<TOptions>)context.Data!;
            if (Unbound(context) is string unbound) captured.Error = $"{unbound} {SeeHelp}";
            else captured.Options = settings.ToOptions();
            return 0;
        }
    }
}
