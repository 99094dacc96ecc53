using System.ComponentModel;
using Spectre.Console;
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
    [Description("The task: a ModelTask of the assembly, which may be left out when the model has one; with --data a GLUE task " +
                 "(cola, sst-2, mrpc, sts-b, qqp, mnli, qnli, rte, wnli) or squad")]
    public string? Task { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Folder of the --task's benchmark files: a GLUE task's train.tsv and dev files, or SQuAD v1.1's " +
                 "train-v1.1.json and dev-v1.1.json (the dev files are the test sets); the model must implement IEncoderModel")]
    public string? Data { get; init; }

    [CommandOption("--tokenizer <FILE>")]
    [Description("The tokenizer.json of the model's vocabulary, for --data")]
    public string? Tokenizer { get; init; }

    [CommandOption("--max-tokens <N>")]
    [PositiveIntOption("Tokens of a --data item or SQuAD window, longer ones cut", 128, 4096)]
    public string? MaxTokens { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the model, the data order, the noise and the programmings")]
    public string? Seed { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default out/MODEL)")]
    public string? Output { get; init; }

    [CommandOption("--adapter <DIR>")]
    [Description("Load these adapters (PEFT layout, as 'ahwa train' writes them) before running")]
    public string? Adapter { get; init; }

    /// <summary>The checks every task command shares; a command with options of its own adds its checks to these.</summary>
    public override ValidationResult Validate() =>
        (OptionValues.Problem(this) ?? AdapterProblem() ?? DataProblem()) is string e ? ValidationResult.Error(e) : ValidationResult.Success();

    /// <summary>A --data run's options, checked before the assembly is read: the task a benchmark's, the folder and
    /// the tokenizer file there (what the folder must hold is checked when the task is read).</summary>
    protected string? DataProblem()
    {
        if (OptionValues.Read(this, nameof(MaxTokens), out int _) is string tokens) return tokens;
        if (Data is null)
            return Tokenizer is null ? null : $"--tokenizer '{Tokenizer}' is read only with --data.";
        if (OptionValues.BlankPath("--data", Data) is string blank) return blank;
        if (!System.IO.Directory.Exists(Data)) return $"--data folder '{Data}' does not exist.";
        if (Task is null) return $"--data '{Data}' needs --task NAME, a GLUE task or squad ({DataTasks.Names}).";
        if (!DataTasks.IsKnown(Task)) return $"--task '{Task}' is not a GLUE task or squad, which --data reads; known: {DataTasks.Names}.";
        return Tokenizer is null ? $"--data '{Data}' needs --tokenizer FILE (the model's tokenizer.json)." : OptionValues.ExistingFile("--tokenizer", Tokenizer);
    }

    /// <summary>A bad --adapter is a bad command line (exit 2, naming the option) found before the model is built.</summary>
    protected string? AdapterProblem() =>
        OptionValues.BlankPath("--adapter", Adapter)
        ?? (Adapter is not null && !System.IO.Directory.Exists(Adapter) ? $"--adapter folder '{Adapter}' does not exist." : null);
}
