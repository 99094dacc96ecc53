using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Pipeline;

/// <summary>One analog layer in the deployment report.</summary>
public sealed record LayerReport(string Layer, int Tiles, double Utilisation, long LoraParameters, int L1Bytes, int TokenTile, LayerLatency Latency);

/// <summary>Per layer: tiles, utilisation, LoRA parameters, L1 working set, stage times, the best strategy and its
/// overhead over an all-analog layer; totals for the chip.</summary>
public sealed record DeploymentReport(string Model, int Tokens, AnalogTiming Analog, ClusterTiming Cluster, TileMap TileMap,
    long ModelParameters, long LoraParameters, IReadOnlyList<LayerReport> Layers)
{
    public double TotalNs => Layers.Sum(l => l.Latency.Best.TotalNs);
    public double AllAnalogNs => Layers.Sum(l => l.Latency.AnalogNs);
    public double Overhead => TotalNs / AllAnalogNs - 1;

    public static DeploymentReport Build(ModelSpec model, int tokens, AnalogTiming? analog = null, ClusterTiming? cluster = null)
    {
        analog ??= new AnalogTiming();
        cluster ??= new ClusterTiming(Cores: model.Cluster.Cores, L1KiB: model.Cluster.L1KiB);
        var map = TileMapBuilder.Build(model);
        var layers = new List<LayerReport>();
        foreach (var layer in model.Layers.Where(l => l.IsAnalog))
        {
            var tiles = map.Layer(layer.Name);
            var plan = MemoryPlanner.Plan(layer, model.Chip, model.Cluster with { L1KiB = cluster.L1KiB });
            var latency = LatencyModel.Layer(layer.InFeatures, layer.OutFeatures, layer.Lora?.Rank ?? 0, model.Chip.TileRows, tokens, analog, cluster);
            layers.Add(new LayerReport(layer.Name, tiles.TileCount, tiles.Utilisation(map.Geometry), layer.LoraParameterCount,
                plan.Kernel?.L1Used ?? plan.BytesNeeded, plan.Kernel?.TokenTile ?? 0, latency));
        }
        long all = model.Layers.Sum(l => l.BaseParameterCount + l.LoraParameterCount);
        return new DeploymentReport(model.Name, tokens, analog, cluster, map, all, model.Layers.Sum(l => l.LoraParameterCount), layers);
    }

    static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.Append("# Deployment report: ").Append(Model).Append("\n\n");
        b.Append($"{Tokens} tokens; tile MVM {N(Analog.IntegrationNs, "0.#")} ns; cluster of {Cluster.Cores} cores at {N(Cluster.ClockGHz, "0.##")} GHz, ");
        b.Append($"{Cluster.SimdLanes} FP16 lanes, {N(Cluster.InstructionsPerMac, "0.##")} instructions per MAC, {Cluster.L1KiB} KiB L1.\n\n");
        b.Append($"Chip: {TileMap.TilesUsed} of {TileMap.Geometry.Tiles} tiles of {TileMap.Geometry.TileRows} x {TileMap.Geometry.TileCols}, utilisation {N(TileMap.Utilisation * 100, "0.0")} %. ");
        b.Append($"LoRA parameters: {LoraParameters} ({N(100.0 * LoraParameters / ModelParameters, "0.00")} % of the {ModelParameters} linear-layer parameters).\n\n");
        b.Append("| layer | tiles | utilisation | LoRA params | L1 bytes | analog ns | digital ns | strategy | block | total ns | overhead |\n");
        b.Append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        foreach (var l in Layers)
        {
            var best = l.Latency.Best;
            b.Append($"| {l.Layer} | {l.Tiles} | {N(l.Utilisation * 100, "0.0")} % | {l.LoraParameters} | {l.L1Bytes} | {N(l.Latency.AnalogNs, "0")} | {N(l.Latency.DigitalNs, "0")} | ");
            b.Append($"{best.Strategy} | {best.BlockTokens} | {N(best.TotalNs, "0")} | {N(l.Latency.Overhead * 100, "0.0")} % |\n");
        }
        b.Append($"\nAll layers in turn: {N(TotalNs, "0")} ns against {N(AllAnalogNs, "0")} ns all-analog: overhead {N(Overhead * 100, "0.0")} %.\n");
        return b.ToString();
    }

    public string ToJson() => JsonFiles.Write(new ReportDocument(Model, Tokens, Analog.IntegrationNs, Cluster.Cores, TileMap.TilesUsed,
        TileMap.Geometry.Tiles, TileMap.Utilisation, LoraParameters, ModelParameters, TotalNs, AllAnalogNs, Overhead,
        Layers.Select(l => new LayerDocument(l.Layer, l.Tiles, l.Utilisation, l.LoraParameters, l.L1Bytes, l.Latency.AnalogNs, l.Latency.DigitalNs,
            l.Latency.Best.Strategy.ToString(), l.Latency.Best.BlockTokens, l.Latency.Best.TotalNs, l.Latency.Overhead)).ToList()));

    // The JSON's shape, flat per layer (the report's records nest timing inputs a reader of the JSON does not need).
    sealed record ReportDocument(string Model, int Tokens, double IntegrationNs, int Cores, int TilesUsed, int ChipTiles, double Utilisation,
        long LoraParameters, long ModelParameters, double TotalNs, double AllAnalogNs, double Overhead, IReadOnlyList<LayerDocument> Layers);

    sealed record LayerDocument(string Layer, int Tiles, double Utilisation, long LoraParameters, int L1Bytes, double AnalogNs, double DigitalNs,
        string Strategy, int BlockTokens, double TotalNs, double Overhead);

    /// <summary>The paper's two layer shapes at its three integration times, with Ahwa's defaults (not tuned).</summary>
    public static string PaperComparison(int tokens = 128, int rank = 8)
    {
        var b = new StringBuilder();
        b.Append($"| layer | t_int | analog ns | digital ns | sequential | best strategy (block) | overhead | L1 working set |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var (ins, outs) in new[] { (128, 128), (512, 128) })
            foreach (var t in new[] { 128.0, 256.0, 512.0 })
            {
                var latency = LatencyModel.Layer(ins, outs, rank, 512, tokens, new AnalogTiming(t), new ClusterTiming());
                var layer = new LayerSpec("paper", LayerKind.Analog, ins, outs, true, new LoraSpec(rank, 2 * rank, 0));
                var plan = MemoryPlanner.Plan(layer, ChipSpec.Default, ClusterSpec.Default);
                var best = latency.Best;
                b.Append($"| {ins} x {outs} | {N(t, "0")} ns | {N(latency.AnalogNs, "0")} | {N(latency.DigitalNs, "0")} | {N(latency.Sequential.TotalNs / latency.AnalogNs, "0.00")}x | ");
                b.Append($"{best.Strategy} ({best.BlockTokens}) | {N(latency.Overhead * 100, "0.0")} % | {N((plan.Kernel?.L1Used ?? plan.BytesNeeded) / 1024.0, "0.0")} KiB (tile {plan.Kernel?.TokenTile ?? 0}) |\n");
            }
        return b.ToString();
    }
}
