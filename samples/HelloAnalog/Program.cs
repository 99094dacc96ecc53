using System.Globalization;
using System.Linq;
using Ahwa.Targets;
using HelloAnalog;
using Spectre.Console;
using static TorchSharp.torch;

// Builds the annotated model, prints what the generator produced, and runs one forward pass.
if (System.Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // logs: keep layer names on one line
var model = new TinyEncoder(seed: 42);
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
using var input = randn(new long[] { 4, 32 }, generator: new Generator(7));
using var output = model.Forward(input);
AnsiConsole.MarkupLine($"Forward pass: input [[{string.Join(", ", input.shape)}]] -> output [[{string.Join(", ", output.shape)}]], " +
                       $"first row {string.Join(" ", output[0].data<float>().ToArray().Select(v => F(v, "0.0000")))}");
