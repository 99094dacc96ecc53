using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Pipeline;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

/// <summary>Base of every command: refuses what the library could not bind, so a typo is an error, not ignored.</summary>
public abstract class AhwaCommand<TSettings> : Command<TSettings> where TSettings : CommandSettings
{
    protected AhwaCommand(CliHost host) => Host = host;

    protected CliHost Host { get; }

    public sealed override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (SettingsReader.Unbound(context) is string unbound) throw new CommandLineException(unbound);
        return Run(settings, cancellationToken);
    }

    protected abstract int Run(TSettings settings, CancellationToken cancellation);

    protected static string F(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);

    protected static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}

public sealed class ModelsCommand(CliHost host) : AhwaCommand<AssemblySettings>(host)
{
    protected override int Run(AssemblySettings settings, CancellationToken cancellation)
    {
        var assembly = Resolve.Assembly(Host, settings);
        var models = Runtime.ModelRegistry.Of(assembly).Select(m => new ModelRow(m.Name, m.Type.FullName!, m.Spec.Layers.Count,
            m.Spec.Layers.Count(l => l.Kind == Hardware.LayerKind.Analog), m.Plan.TileMap.TilesUsed, m.Spec.Chip.Tiles, m.PyTorch?.IsAvailable == true,
            m.Create is not null, Resolve.Tasks(assembly, m).Select(t => t.Name).ToList())).ToList();
        if (settings.Json)
        {
            Host.Output.WriteLine(JsonFiles.Write(models));
            return ExitCodes.Done;
        }
        if (models.Count == 0) Host.Console.WriteLine($"Assembly '{assembly.GetName().Name}' has no [AnalogModel] class.");
        var table = new Table().AddColumns("model", "type", "layers", "analog", "tiles", "PyTorch", "tasks");
        foreach (var m in models)
            table.AddRow(Markup.Escape(m.Name), Markup.Escape(m.Type), I(m.Layers), I(m.AnalogLayers), $"{I(m.TilesUsed)} of {I(m.Tiles)}", m.PyTorch ? "yes" : "no",
                Markup.Escape(string.Join(", ", m.Tasks)));
        Host.Console.Write(table);
        return ExitCodes.Done;
    }

    sealed record ModelRow(string Name, string Type, int Layers, int AnalogLayers, int TilesUsed, int Tiles, bool PyTorch, bool Constructible,
        System.Collections.Generic.IReadOnlyList<string> Tasks);
}

public sealed class InspectSettings : ModelSettings
{
    [CommandOption("--tokens <N>")]
    [PositiveIntOption("Tokens per sequence for the pipeline latency column", DeploymentReport.DefaultTokens, DeploymentReport.MaxTokens)]
    public string? Tokens { get; init; }

    public override ValidationResult Validate() => OptionValues.Problem(this) is string e ? ValidationResult.Error(e) : ValidationResult.Success();

    public int TokenCount => OptionValues.Value<int>(this, nameof(Tokens));
}

public sealed class InspectCommand(CliHost host) : AhwaCommand<InspectSettings>(host)
{
    protected override int Run(InspectSettings settings, CancellationToken cancellation)
    {
        var model = Resolve.Model(Resolve.Assembly(Host, settings), settings.Model);
        var report = DeploymentReport.Build(model.Spec, model.Plan, settings.TokenCount);
        var map = model.Plan.TileMap;
        var layers = model.Spec.Layers.Select(l =>
        {
            var r = report.Layers.FirstOrDefault(x => x.Layer == l.Name);
            return new LayerRow(l.Name, l.Kind.ToString(), l.InFeatures, l.OutFeatures, l.Bias, l.Lora?.Rank ?? 0, l.Lora?.Alpha ?? 0, l.LoraParameterCount,
                r?.Tiles ?? 0, r?.Utilisation ?? 0, r?.L1Bytes ?? 0, r?.TokenTile ?? 0);
        }).ToList();
        var summary = new InspectDocument(model.Name, model.Spec.Chip.Tiles, model.Spec.Chip.TileRows, model.Spec.Chip.TileCols, model.Spec.Cluster.Cores,
            model.Spec.Cluster.L1KiB, map.TilesUsed, map.Utilisation, layers.Sum(l => l.LoraParameters), layers.Max(l => l.L1Bytes), layers);
        if (settings.Json)
        {
            Host.Output.WriteLine(JsonFiles.Write(summary));
            return ExitCodes.Done;
        }
        Host.Console.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/]: chip of {I(summary.Tiles)} tiles of {I(summary.TileRows)} x {I(summary.TileCols)}; " +
                                $"cluster of {I(summary.Cores)} cores with {I(summary.L1KiB)} KiB L1");
        var table = new Table().AddColumns("layer", "kind", "in", "out", "tiles", "utilisation", "LoRA rank", "LoRA params", "L1 bytes", "token tile");
        foreach (var l in layers)
            table.AddRow(Markup.Escape(l.Name), l.Kind, I(l.In), I(l.Out), l.Tiles == 0 ? "-" : I(l.Tiles), l.Tiles == 0 ? "-" : F(l.Utilisation * 100, "0.0") + " %",
                l.LoraRank == 0 ? "-" : I(l.LoraRank), I(l.LoraParameters), l.L1Bytes == 0 ? "-" : I(l.L1Bytes), l.TokenTile == 0 ? "-" : I(l.TokenTile));
        Host.Console.Write(table);
        Host.Console.WriteLine($"Tiles: {I(summary.TilesUsed)} of {I(summary.Tiles)} used, utilisation {F(summary.Utilisation * 100, "0.0")} %; " +
                               $"LoRA parameters {I(summary.LoraParameters)}; largest L1 working set {I(summary.MaxL1Bytes)} bytes of {I(summary.L1KiB * 1024L)}");
        return ExitCodes.Done;
    }

    sealed record LayerRow(string Name, string Kind, int In, int Out, bool Bias, int LoraRank, double LoraAlpha, long LoraParameters, int Tiles,
        double Utilisation, int L1Bytes, int TokenTile);

    sealed record InspectDocument(string Model, int Tiles, int TileRows, int TileCols, int Cores, int L1KiB, int TilesUsed, double Utilisation,
        long LoraParameters, int MaxL1Bytes, System.Collections.Generic.IReadOnlyList<LayerRow> Layers);
}

public sealed class ReportSettings : ModelSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Output folder for report.md, report.json and the plots (default out/MODEL/report)")]
    public string? Output { get; init; }

    [CommandOption("--tokens <N>")]
    [PositiveIntOption("Tokens per sequence", DeploymentReport.DefaultTokens, DeploymentReport.MaxTokens)]
    public string? Tokens { get; init; }

    public override ValidationResult Validate() =>
        (OptionValues.Problem(this) ?? (Output is null ? null : OptionValues.OutputFolder("--out", Output))) is string e
            ? ValidationResult.Error(e) : ValidationResult.Success();
}

public sealed class ReportCommand(CliHost host) : AhwaCommand<ReportSettings>(host)
{
    protected override int Run(ReportSettings settings, CancellationToken cancellation)
    {
        var model = Resolve.Model(Resolve.Assembly(Host, settings), settings.Model);
        int tokens = OptionValues.Value<int>(settings, nameof(settings.Tokens));
        string folder = settings.Output ?? Path.Combine("out", model.Name, "report");
        var report = DeploymentReport.Build(model.Spec, model.Plan, tokens);
        Directory.CreateDirectory(folder);
        AtomicFile.WriteText(Path.Combine(folder, "report.md"), report.ToMarkdown());
        AtomicFile.WriteText(Path.Combine(folder, "report.json"), report.ToJson());
        var plots = ReportPlots.Write(model.Spec, folder);
        if (settings.Json) Host.Output.WriteLine(report.ToJson());
        else
            Host.Console.WriteLine($"{model.Name}: {F(report.TotalNs, "0")} ns per {I(tokens)}-token sequence against {F(report.AllAnalogNs, "0")} ns all-analog " +
                                   $"({F(report.Overhead * 100, "0.0")} % overhead); report.md, report.json and {I(plots.Count)} plots in {folder}");
        return ExitCodes.Done;
    }
}
