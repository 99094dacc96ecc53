using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

/// <summary>A command-line error found after parsing (a model that is not there, a value the model cannot take):
/// reported like a parse error, exit code 2.</summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException(string message) : base(message) { }
}

/// <summary>Where a command writes and which assembly it reads, shared by every command of one run.</summary>
public sealed class CliHost
{
    public CliHost(IAnsiConsole console, TextWriter output, Assembly? models)
    {
        Console = console;
        Output = output;
        Models = models;
    }

    /// <summary>Tables, progress and messages.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Plain text for scripts (<c>--json</c>), never wrapped.</summary>
    public TextWriter Output { get; }

    /// <summary>The user's assembly as the launcher loaded it, if it did.</summary>
    public Assembly? Models { get; }
}

/// <summary>The <c>ahwa</c> command: every subcommand, its help and its exit codes (<see cref="ExitCodes"/>).</summary>
public static class AhwaCli
{
    public const string ApplicationName = "ahwa";

    /// <summary>The engine's entry (<c>Ahwa.Lab.Engine</c>, started with the user's deps file): the first Ctrl-C cancels
    /// the command (exit 130), redirected output gets wide lines (logs: tables on one line).</summary>
    public static int RunConsole(string[] args)
    {
        using var cancel = new System.Threading.CancellationTokenSource();
        System.Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        if (System.Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
        return Run(args, cancellation: cancel.Token);
    }

    /// <summary>Runs one command line. <paramref name="models"/> is the user's assembly when the launcher loaded it;
    /// otherwise commands read <c>--assembly</c> or find the project in the current folder.</summary>
    public static int Run(IReadOnlyList<string> args, Assembly? models = null, IAnsiConsole? console = null, TextWriter? output = null,
        TextWriter? error = null, System.Threading.CancellationToken cancellation = default)
    {
        console ??= AnsiConsole.Console;
        error ??= System.Console.Error;
        var host = new CliHost(console, output ?? System.Console.Out, models);
        var app = new CommandApp();
        var commands = new Dictionary<string, Type>(StringComparer.Ordinal); // "train", "export pytorch": its settings
        app.Configure(config =>
        {
            config.SetApplicationName(ApplicationName);
            config.Settings.Console = console;
            config.PropagateExceptions();
            config.Settings.Registrar.RegisterInstance(host);
            Add<ModelsCommand>(config, commands, "models", "List the models of the assembly (its generated registry)");
            Add<InspectCommand>(config, commands, "inspect", "Layers, tiles and utilisation, LoRA parameters and L1 working sets of a model");
            Add<TrainCommand>(config, commands, "train", "AHWA-LoRA training on one of the assembly's tasks; writes the adapters");
            Add<EvaluateCommand>(config, commands, "evaluate", "Drift sweep: the task's metric on programmed PCM tiles from 0 s to 10 years");
            Add<DeployCommand>(config, commands, "deploy", "Write the deployment files (kernels, cluster runtime, tile map, Makefile, manifest) and cross-check the kernels");
            Add<ReportCommand>(config, commands, "report", "Deployment report: per-layer tiles, L1 and pipeline latency, as Markdown, JSON and plots");
            config.AddBranch("export", export =>
            {
                export.SetDescription("Export a model to another framework");
                export.AddCommand<ExportPyTorchCommand>("pytorch").WithDescription("The generated PyTorch module, the ahwa package, weights and launch.sh");
                commands["export pytorch"] = SettingsOf(typeof(ExportPyTorchCommand));
            });
            Add<ScaffoldCommand>(config, commands, "scaffold", "Write an annotated C# model class from a Hugging Face BERT, MobileBERT or LLaMA config.json");
        });
        if (SettingsReader.Repeated(args, RepeatableNames) is string repeated) return Refuse(error, $"Option {repeated} is given twice.");
        // The library's own message for a value option given without one names it without its dashes; the house's instead.
        string named = args.Count > 1 && commands.ContainsKey(args[0] + " " + args[1]) ? args[0] + " " + args[1] : args.Count > 0 ? args[0] : "";
        if (commands.TryGetValue(named, out var settings) && SettingsReader.WithoutValue(args, settings) is string bare) return Refuse(error, $"Option {bare} needs a value.");
        try
        {
            return app.Run(args, cancellation);
        }
        catch (Exception e) when (e is CommandParseException or CommandRuntimeException or CommandLineException)
        {
            return Refuse(error, e.Message);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException
                                      or ArgumentException or KeyNotFoundException or BadImageFormatException)
        {
            error.WriteLine("error: " + e.Message);
            return ExitCodes.Failed;
        }
    }

    static void Add<TCommand>(IConfigurator config, Dictionary<string, Type> commands, string name, string description) where TCommand : class, ICommand
    {
        config.AddCommand<TCommand>(name).WithDescription(description);
        commands[name] = SettingsOf(typeof(TCommand));
    }

    /// <summary>The settings class of a command (its <c>Command&lt;TSettings&gt;</c>).</summary>
    static Type SettingsOf(Type command)
    {
        for (var type = command; type is not null; type = type.BaseType)
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Command<>)) return type.GetGenericArguments()[0];
        throw new ArgumentException($"{command.Name} is not a Command<TSettings>.", nameof(command));
    }

    static int Refuse(TextWriter error, string message)
    {
        error.WriteLine($"error: {message} Run 'ahwa --help' or 'ahwa COMMAND --help' for the options.");
        return ExitCodes.BadCommandLine;
    }

    static readonly IReadOnlyList<string> RepeatableNames = typeof(AhwaCli).Assembly.GetTypes()
        .Where(t => typeof(CommandSettings).IsAssignableFrom(t) && t.Namespace == typeof(AhwaCli).Namespace)
        .SelectMany(SettingsReader.LongNames).Distinct().ToArray();
}
