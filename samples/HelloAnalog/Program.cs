using System;
using System.Globalization;
using System.Linq;
using Ahwa.Hardware;
using HelloAnalog;
using Spectre.Console;
using static TorchSharp.torch;

// Builds the annotated model, prints what the generator produced, runs one forward pass, then a short AHWA-LoRA
// run (unless --no-train). Options (--help lists them): --epochs N, --seed N, --out DIR, --no-train.
var parsed = HelloSettings.Parse(args);
if (parsed.Error is not null) Console.Error.WriteLine(parsed.Error);
if (parsed.Options is not { } options) return parsed.ExitCode; // an error, or help was asked for and shown
var (epochs, seed, outputFolder) = (options.Epochs, options.Seed, options.Output);
if (System.Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // logs: keep layer names on one line
var model = new TinyEncoder(); // the default seed: --seed is the task's, the training's and the programmings'
var spec = TinyEncoder.Spec;
var map = TinyEncoder.TileMap;
string F(double v, string format = "0.###") => v.ToString(format, CultureInfo.InvariantCulture);

AnsiConsole.MarkupLine($"[bold]{spec.Name}[/]: chip of {spec.Chip.Tiles} tiles of {spec.Chip.TileRows} x {spec.Chip.TileCols}, " +
                       $"DAC {spec.Chip.DacBits} bit, ADC {spec.Chip.AdcBits} bit; cluster of {spec.Cluster.Cores} cores, {spec.Cluster.L1KiB} KiB L1");

var layers = new Table().Title("Layers").AddColumns("name", "kind", "in", "out", "bias", "LoRA rank", "alpha", "LoRA params");
foreach (var layer in spec.Layers)
    layers.AddRow(layer.Name, layer.Kind.ToString(), layer.InFeatures.ToString(CultureInfo.InvariantCulture), layer.OutFeatures.ToString(CultureInfo.InvariantCulture),
        layer.Bias ? "yes" : "no", layer.Lora?.Rank.ToString(CultureInfo.InvariantCulture) ?? "-", layer.Lora is null ? "-" : F(layer.Lora.Alpha),
        layer.LoraParameterCount.ToString(CultureInfo.InvariantCulture));
AnsiConsole.Write(layers);

var tiles = new Table().Title("Tile map").AddColumns("layer", "tiles", "ids", "input blocks", "output blocks", "utilisation");
foreach (var t in map.Layers)
    tiles.AddRow(t.Name, t.TileCount.ToString(CultureInfo.InvariantCulture), $"{t.FirstTile}..{t.FirstTile + t.TileCount - 1}",
        string.Join(" ", t.InputBlocks.Select(b => $"[[{b.Start},{b.End})")), string.Join(" ", t.OutputBlocks.Select(b => $"[[{b.Start},{b.End})")),
        F(t.Utilisation(map.Geometry) * 100, "0.0") + " %");
AnsiConsole.Write(tiles);
AnsiConsole.MarkupLine($"Chip: {map.TilesUsed} of {map.Geometry.Tiles} tiles used ({F(map.ChipOccupancy * 100, "0.0")} %), utilisation of used tiles {F(map.Utilisation * 100, "0.0")} %");

var groups = model.ParameterGroups();
AnsiConsole.MarkupLine($"Parameters: {groups.Count(groups.MetaWeights)} meta-weights (analog), {groups.Count(groups.Lora)} LoRA, {groups.Count(groups.Digital)} digital");

model.eval();
using var input = randn(new long[] { 4, 32 }, generator: new Generator(Ahwa.Simulator.RandomStream.Derive(7, Ahwa.Simulator.StreamPurpose.SampleData, 0)));
using var output = model.Forward(input);
AnsiConsole.MarkupLine($"Forward pass: input [[{string.Join(", ", input.shape)}]] -> output [[{string.Join(", ", output.shape)}]], " +
                       $"first row {string.Join(" ", output[0].data<float>().ToArray().Select(v => F(v, "0.0000")))}");

// The deployment report: tiles, LoRA parameters, L1 working set and the pipeline latency of every analog layer.
var report = Ahwa.Lab.Pipeline.DeploymentReport.Build(TinyEncoder.Spec, TinyEncoder.Plan, tokens: 128);
System.IO.Directory.CreateDirectory(outputFolder);
Ahwa.Lab.Formats.AtomicFile.WriteText(System.IO.Path.Combine(outputFolder, "report.md"), report.ToMarkdown());
Ahwa.Lab.Formats.AtomicFile.WriteText(System.IO.Path.Combine(outputFolder, "report.json"), report.ToJson());
var latency = new Table().Title("Pipeline latency, 128 tokens at 256 ns per MVM").AddColumns("layer", "analog ns", "digital ns", "strategy", "overhead");
foreach (var l in report.Layers)
    latency.AddRow(l.Layer, F(l.Latency.AnalogNs, "0"), F(l.Latency.DigitalNs, "0"), $"{l.Latency.Best.Strategy} ({l.Latency.Best.BlockTokens})", F(l.Latency.Overhead * 100, "0.0") + " %");
AnsiConsole.Write(latency);
var plots = Ahwa.Lab.Pipeline.ReportPlots.Write(TinyEncoder.Spec, outputFolder);
AnsiConsole.MarkupLine($"Whole model: {F(report.TotalNs, "0")} ns against {F(report.AllAnalogNs, "0")} ns all-analog ({F(report.Overhead * 100, "0.0")} % overhead); report.md, report.json and {plots.Count} PNG plots in {Markup.Escape(outputFolder)}");

if (options.Train) HelloAnalog.Demo.Run(model, outputFolder, epochs, seed);
return 0;
