using System.ComponentModel;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

/// <summary>Options of every command that reads the user's built assembly.</summary>
public class AssemblySettings : CommandSettings
{
    [CommandOption("--assembly <PATH>")]
    [Description("The built assembly with the models (default: the project in the current folder, built with dotnet build)")]
    public string? Assembly { get; init; }

    [CommandOption("--json")]
    [Description("Write JSON to standard output instead of tables")]
    public bool Json { get; init; }
}

/// <summary>Options of a command on one model.</summary>
public class ModelSettings : AssemblySettings
{
    [CommandArgument(0, "[MODEL]")]
    [Description("The model's name ('ahwa models' lists them); may be left out when the assembly has one model")]
    public string? Model { get; init; }
}

/// <summary>Options of a command that runs a model on one of the assembly's tasks.</summary>
public class TaskSettings : ModelSettings
{
    [CommandOption("--task <NAME>")]
    [Description("The task (a ModelTask of the assembly); may be left out when the model has one")]
    public string? Task { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the model, the data order, the noise and the programmings")]
    public string? Seed { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default out/MODEL)")]
    public string? Output { get; init; }

    [CommandOption("--adapter <DIR>")]
    [Description("Load these adapters (PEFT layout, as 'ahwa train' writes them) before running")]
    public string? Adapter { get; init; }

    /// <summary>A bad --adapter is a bad command line (exit 2, naming the option) found before the model is built.</summary>
    protected string? AdapterProblem() =>
        OptionValues.BlankPath("--adapter", Adapter)
        ?? (Adapter is not null && !System.IO.Directory.Exists(Adapter) ? $"--adapter folder '{Adapter}' does not exist." : null);
}
