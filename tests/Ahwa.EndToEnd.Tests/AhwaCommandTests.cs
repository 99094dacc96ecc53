using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.CommandLine;
using HelloAnalog;
using static Ahwa.Runtime.Tests.CommandLineRun;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The <c>ahwa</c> command in process, on HelloAnalog's built assembly (its TinyEncoder and SyntheticTask):
/// every command's help, its errors (exit 2, naming the argument and the value) and what each command does.</summary>
public sealed class AhwaCommandTests : IDisposable
{
    static readonly string Assembly = typeof(TinyEncoder).Assembly.Location;
    readonly string folder = Path.Combine(Path.GetTempPath(), "ahwa-cli-" + Guid.NewGuid().ToString("N"));

    public AhwaCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("models", "--assembly")]
    [InlineData("inspect", "--tokens")]
    [InlineData("train", "--steps")]
    [InlineData("evaluate", "--repetitions")]
    [InlineData("deploy", "--no-check")]
    [InlineData("report", "--out")]
    [InlineData("export pytorch", "--adapter")]
    [InlineData("scaffold", "--from")]
    public void EveryCommandHasHelp(string command, string option)
    {
        var result = Run([.. command.Split(' '), "--help"]);
        Assert.Equal(0, result.Code);
        Assert.Contains(option, result.Console, StringComparison.Ordinal);
        Assert.Contains("USAGE", result.Console, StringComparison.Ordinal);
    }

    /// <summary>The engine the tool and the build start (Runtime/Lab/Engine) finds Lab's command line by name through the
    /// deps file it is given: here this test project's, which lists HelloAnalog and Lab as a user project's does.</summary>
    [Fact]
    public void TheEngineRunsLabsCommandLineWithTheProjectsDepsFile()
    {
        string bin = AppContext.BaseDirectory, name = typeof(AhwaCommandTests).Assembly.GetName().Name!;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var (code, stdout, stderr) = Ahwa.Lab.Tools.Processes.Run(dotnet,
            new[] { "exec", "--depsfile", Path.Combine(bin, name + ".deps.json"), "--runtimeconfig", Path.Combine(bin, name + ".runtimeconfig.json"),
                    Path.Combine(bin, "Ahwa.Lab.Engine.dll"), "models", "--assembly", Assembly, "--json" }, folder, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Contains("TinyEncoder", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TopLevelHelpListsEveryCommand()
    {
        var result = Run("--help");
        Assert.Equal(0, result.Code);
        foreach (var command in new[] { "models", "inspect", "train", "evaluate", "deploy", "report", "export", "scaffold" })
            Assert.Contains(command, result.Console, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MODEL 'Nope' is not a model of 'HelloAnalog'; its models: TinyEncoder.", "inspect", "Nope", "--assembly", "ASSEMBLY")]
    [InlineData("--tokens must be a positive integer, got 'many'.", "inspect", "--tokens", "many", "--assembly", "ASSEMBLY")]
    [InlineData("--steps must be a positive integer, got '0'.", "train", "--steps", "0", "--assembly", "ASSEMBLY")]
    [InlineData("--lr must be a positive number, got '-1'.", "train", "--lr", "-1", "--assembly", "ASSEMBLY")]
    [InlineData("--seed must be a non-negative integer, got 'x'.", "evaluate", "--seed", "x", "--assembly", "ASSEMBLY")]
    [InlineData("--repetitions must be at most 1000, got '5000'.", "evaluate", "--repetitions", "5000", "--assembly", "ASSEMBLY")]
    [InlineData("--task 'Other' is not a task of model 'TinyEncoder'; its tasks: SyntheticTask.", "train", "--task", "Other", "--assembly", "ASSEMBLY")]
    [InlineData("--assembly file 'missing.dll' does not exist.", "models", "--assembly", "missing.dll")]
    [InlineData("Unknown option '--bogus'.", "models", "--bogus", "--assembly", "ASSEMBLY")]
    [InlineData("Option --seed is given twice.", "deploy", "--seed", "1", "--seed", "2", "--assembly", "ASSEMBLY")]
    [InlineData("MODEL 'TinyEncoder' and --all exclude each other.", "deploy", "TinyEncoder", "--all", "--assembly", "ASSEMBLY")]
    [InlineData("--from file 'none.json' does not exist.", "scaffold", "--from", "none.json")]
    [InlineData("--name must be a C# identifier, got '1x'.", "scaffold", "--from", "ASSEMBLY", "--name", "1x")]
    [InlineData("--adapter folder '/no/such/adapter' does not exist.", "train", "--adapter", "/no/such/adapter", "--assembly", "ASSEMBLY")]
    [InlineData("--adapter folder '/no/such/adapter' does not exist.", "evaluate", "--adapter", "/no/such/adapter", "--assembly", "ASSEMBLY")]
    [InlineData("--out needs a folder name, got '  '.", "train", "--out", "  ", "--assembly", "ASSEMBLY")]
    [InlineData("Option --steps needs a value.", "train", "--assembly", "ASSEMBLY", "--steps")]
    [InlineData("Option --out needs a value.", "export", "pytorch", "--out", "--assembly", "ASSEMBLY")]
    public void BadArgumentsAreRefusedByName(string message, params string[] args)
    {
        var result = Run(args.Select(a => a == "ASSEMBLY" ? Assembly : a).ToArray());
        Assert.Equal(ExitCodes.BadCommandLine, result.Code);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.EndsWith("Run 'ahwa --help' or 'ahwa COMMAND --help' for the options." + Environment.NewLine, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelsListsTheRegistryWithTasks()
    {
        var result = Run("models", "--assembly", Assembly, "--json");
        Assert.Equal(0, result.Code);
        var model = JsonDocument.Parse(result.Output).RootElement.EnumerateArray().Single();
        Assert.Equal("TinyEncoder", model.GetProperty("name").GetString());
        Assert.Equal(TinyEncoder.TileMap.TilesUsed, model.GetProperty("tilesUsed").GetInt32());
        Assert.Equal("SyntheticTask", model.GetProperty("tasks").EnumerateArray().Single().GetString());
    }

    [Fact]
    public void InspectShowsTilesLoraAndL1FromThePlan()
    {
        var json = Run("inspect", "--assembly", Assembly, "--json");
        Assert.Equal(0, json.Code);
        var root = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(TinyEncoder.TileMap.TilesUsed, root.GetProperty("tilesUsed").GetInt32());
        Assert.Equal(TinyEncoder.Spec.Layers.Sum(l => l.LoraParameterCount), root.GetProperty("loraParameters").GetInt64());
        var report = Ahwa.Lab.Pipeline.DeploymentReport.Build(TinyEncoder.Spec, TinyEncoder.Plan, 128);
        Assert.Equal(report.Layers.Max(l => l.L1Bytes), root.GetProperty("maxL1Bytes").GetInt32());
        var table = Run("inspect", "TinyEncoder", "--assembly", Assembly);
        Assert.Contains("encoder.layer.1.output.dense", table.Console, StringComparison.Ordinal);
        Assert.Contains("Tiles: " + TinyEncoder.TileMap.TilesUsed + " of 32 used", table.Console, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainEvaluateDeployReportAndExportRunOnTheModel()
    {
        var train = Run("train", "--assembly", Assembly, "--steps", "2", "--out", folder, "--json");
        Assert.True(train.Code == 0, train.Error);
        var trained = JsonDocument.Parse(train.Output).RootElement;
        Assert.Equal(2, trained.GetProperty("steps").GetInt32());
        Assert.True(File.Exists(Path.Combine(folder, "adapter", Ahwa.Lab.Formats.AdapterFiles.WeightsFile)));

        var evaluate = Run("evaluate", "--assembly", Assembly, "--adapter", Path.Combine(folder, "adapter"), "--quick", "--repetitions", "1", "--out", folder);
        Assert.True(evaluate.Code == 0, evaluate.Error);
        Assert.Equal(3, JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "drift.json"))).RootElement.GetProperty("points").GetArrayLength());

        string deploy = Path.Combine(folder, "deploy");
        string[] CheckFolders() => Directory.GetDirectories(Path.GetTempPath(), "ahwa-kernel-check-*");
        var checkFoldersBefore = CheckFolders();
        var first = Run("deploy", "--assembly", Assembly, "--out", deploy, "--json");
        Assert.True(first.Code == 0, first.Error);
        Assert.Equal(checkFoldersBefore, CheckFolders()); // the cross-check's scratch folder is gone
        var deployed = JsonDocument.Parse(first.Output).RootElement[0];
        Assert.Equal(TinyEncoder.Artifacts.Count, deployed.GetProperty("written").GetInt32());
        Assert.Equal(TinyEncoder.Spec.Layers.Count(l => l.Kind == Ahwa.Hardware.LayerKind.Analog), deployed.GetProperty("checkedLayers").GetInt32());
        Assert.Equal(0, deployed.GetProperty("differences").GetInt64());
        var again = Run("deploy", "--assembly", Assembly, "--out", deploy, "--no-check", "--json");
        Assert.Equal(0, JsonDocument.Parse(again.Output).RootElement[0].GetProperty("written").GetInt32());

        Assert.Equal(0, Run("report", "--assembly", Assembly, "--out", Path.Combine(folder, "report")).Code);
        Assert.Contains("encoder.layer.0.intermediate.dense", File.ReadAllText(Path.Combine(folder, "report", "report.md")), StringComparison.Ordinal);
        var export = Run("export", "pytorch", "--assembly", Assembly, "--out", Path.Combine(folder, "pytorch"));
        Assert.True(export.Code == 0, export.Error);
        Assert.True(File.Exists(Path.Combine(folder, "pytorch", Ahwa.Lab.Export.PyTorchExport.PlanFile)));
    }

    [Fact]
    public void ScaffoldRefusesAnUnknownModelTypeNamingIt()
    {
        var config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, """{"model_type": "gpt2", "hidden_size": 768}""");
        var result = Run("scaffold", "--from", config, "--out", Path.Combine(folder, "Gpt.cs"));
        Assert.Equal(ExitCodes.Failed, result.Code);
        Assert.Contains("model_type 'gpt2' is not one scaffold knows (bert, mobilebert, llama)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HelloAnalogReadsItsOptionsThroughTheSharedLayer()
    {
        Assert.Equal("--epochs must be a positive integer, got '0'. Run with --help for the options.", HelloSettings.Parse(["--epochs", "0"]).Error);
        Assert.Equal("Unknown option '--epoch'. Run with --help for the options.", HelloSettings.Parse(["--epoch", "2"]).Error);
        Assert.Equal(2, HelloSettings.Parse(["--epochs", "0"]).ExitCode);
        var options = HelloSettings.Parse(["--epochs", "2", "--seed", "7", "--no-train", "--out", folder]).Options!;
        Assert.Equal(new HelloOptions(2, 7, folder, false), options);
    }
}
