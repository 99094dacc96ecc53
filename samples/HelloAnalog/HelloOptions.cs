using System.ComponentModel;
using Ahwa.Lab.CommandLine;
using Spectre.Console.Cli;

namespace HelloAnalog;

/// <summary>What the sample runs with.</summary>
public sealed record HelloOptions(int Epochs, ulong Seed, string Output, bool Train);

/// <summary>The sample's options, read by Lab's shared command-line layer (the main job reads its own the same way).</summary>
public sealed class HelloSettings : OptionsSettings<HelloOptions>
{
    [CommandOption("--epochs <N>")]
    [PositiveIntOption("Training epochs", 5, 1000)]
    public string? Epochs { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the task, the training order and the programmings")]
    public string? Seed { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default out/hello-analog)")]
    public string? Output { get; init; }

    [CommandOption("--no-train")]
    [Description("Stop after the forward pass and the deployment report")]
    public bool NoTrain { get; init; }

    public override string? TryBuild(out HelloOptions options)
    {
        string output = Output ?? "out/hello-analog";
        // Each value is read (every out assigned); the first problem is the one reported.
        var epochsProblem = OptionValues.Read(this, nameof(Epochs), out int epochs);
        var seedProblem = OptionValues.Read(this, nameof(Seed), out ulong seed);
        var problem = epochsProblem ?? seedProblem ?? OptionValues.OutputFolder("--out", output);
        options = new HelloOptions(epochs, seed, output, !NoTrain);
        return problem;
    }

    public static ParsedOptions<HelloOptions> Parse(string[] args, Spectre.Console.IAnsiConsole? console = null) =>
        SettingsReader.Read<HelloSettings, HelloOptions>(args, "HelloAnalog",
            "A toy encoder on simulated analog tiles: the generated spec and tile map, a forward pass, the deployment report and a short AHWA-LoRA run. " +
            ExitCodes.Summary, console);
}
