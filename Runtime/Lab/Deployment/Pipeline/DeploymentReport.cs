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
    /// <summary>Tokens per sequence when none are given: the paper's (and GLUE's) 128; at most 65,536, beyond which a
    /// report is a typo, not a question.</summary>
    public const int DefaultTokens = 128, MaxTokens = 1 << 16;

    public double TotalNs => Layers.Sum(l => l.Latency.Best.TotalNs);
    public double AllAnalogNs => Layers.Sum(l => l.Latency.AnalogNs);
    public double Overhead => TotalNs / AllAnalogNs - 1;

    /// <summary>The report of a model from its generated plan (<c>MyModel.Spec</c>, <c>MyModel.Plan</c>): tiles and
    /// kernels are read from the plan, never planned again.</summary>
    public static DeploymentReport Build(ModelSpec model, DeploymentPlan plan, int tokens, AnalogTiming? analog = null, ClusterTiming? cluster = null)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (plan is null) throw new ArgumentNullException(nameof(plan));
        analog ??= new AnalogTiming();
        cluster ??= ClusterTiming.From(model.Cluster);
        if (cluster.L1KiB != model.Cluster.L1KiB)
            throw new ArgumentException($"The plan of '{model.Name}' was made for {model.Cluster.L1KiB} KiB of L1, not {cluster.L1KiB}; change [RiscVCluster(L1KiB = ...)] and rebuild to plan for another size.", nameof(cluster));
        var map = plan.TileMap;
        var layers = new List<LayerReport>();
        foreach (var layer in model.Layers.Where(l => l.IsAnalog))
        {
            var tiles = map.Layer(layer.Name);
            var kernel = plan.KernelOf(layer.Name);
            var latency = LatencyModel.Layer(layer.InFeatures, layer.OutFeatures, layer.Lora?.Rank ?? 0, model.Chip.TileRows, tokens, analog, cluster);
            layers.Add(new LayerReport(layer.Name, tiles.TileCount, tiles.Utilisation(map.Geometry), layer.LoraParameterCount,
                kernel.L1Used, kernel.TokenTile, latency));
        }
        long all = model.Layers.Sum(l => l.BaseParameterCount + l.LoraParameterCount);
        return new DeploymentReport(model.Name, tokens, analog, cluster, map, all, model.Layers.Sum(l => l.LoraParameterCount), layers);
    }

    static string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.Append("# Deployment report: ").Append(Model).Append("\n\n");
        b.Append($"{Tokens} tokens; tile MVM {N(Analog.IntegrationNs, "0.#")} ns; cluster of {Cluster.Cores} cores at {N(Cluster.ClockGHz, "0.##")} GHz, {Cluster.L1KiB} KiB L1, ");
        b.Append(Cluster.MatrixEngine
            ? $"matrix engine {Cluster.EngineWidth} x {Cluster.EngineHeight} FP16 FMAs ({Cluster.EnginePipeRegs} pipeline registers)"
            : $"no matrix engine (scalar FP32 kernel: {N(Cluster.DownInstructionsPerMac, "0.00")} / {N(Cluster.UpInstructionsPerMac, "0.00")} instructions per MAC down / up)");
        b.Append(Cluster.TileDescales ? ", de-scale in the tile periphery" : ", de-scale on the cores");
        b.Append($", {Cluster.ClustersPerLayer} cluster(s) per layer.\n\n");
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

    /// <summary>The paper's layer shapes under three stated parameter sets, and the design spaces of MiniLM and
    /// MobileBERT on the paper's hardware (the same tables as docs/pipeline.md).</summary>
    public static string PaperComparison(int tokens = 128)
    {
        var b = new StringBuilder();
        b.Append("## Against the paper\n\nThe paper: best case 4 % per layer, worst case up to 2.72x (512 x 128 at 128 ns); memory 8.2-70 KiB (128 x 128) and ");
        b.Append($"21-172 KiB (512 x 128). Rank 8, {tokens} tokens, not tuned.\n\n");
        foreach (var (name, cluster) in ParameterSets)
            b.Append("### ").Append(name).Append("\n\n").Append(PaperShapes.Comparison(cluster, tokens)).Append('\n');
        foreach (var encoder in new[] { EncoderShape.MiniLm, EncoderShape.MobileBert })
            b.Append("## Design space: ").Append(encoder.Name).Append(" on the paper's hardware\n\n").Append(DesignSpace.Markdown(encoder, ClusterTiming.Paper, tokens)).Append('\n');
        return b.ToString();
    }

    /// <summary>The parameter sets the comparison states: the paper's hardware as far as the sources describe it,
    /// Ahwa's engine kernel (de-scale on the cores), and Ahwa's engine-less scalar FP32 kernel.</summary>
    public static IReadOnlyList<(string Name, ClusterTiming Cluster)> ParameterSets { get; } = new[]
    {
        ("Paper's hardware: RedMulE 8 x 4, de-scale in the tile periphery, 1 GHz", ClusterTiming.Paper),
        ("Ahwa's engine kernel: RedMulE 8 x 4, de-scale on the 8 cores", ClusterTiming.Paper with { TileDescales = false }),
        ("Ahwa's scalar FP32 kernel, no engine", new ClusterTiming()),
    };

    public string ToJson() => JsonFiles.Write(new ReportDocument(Model, Tokens, Analog.IntegrationNs, Cluster.Cores, TileMap.TilesUsed,
        TileMap.Geometry.Tiles, TileMap.Utilisation, LoraParameters, ModelParameters, TotalNs, AllAnalogNs, Overhead,
        Layers.Select(l => new LayerDocument(l.Layer, l.Tiles, l.Utilisation, l.LoraParameters, l.L1Bytes, l.Latency.AnalogNs, l.Latency.DigitalNs,
            l.Latency.Best.Strategy.ToString(), l.Latency.Best.BlockTokens, l.Latency.Best.TotalNs, l.Latency.Overhead)).ToList()));

    // The JSON's shape, flat per layer (the report's records nest timing inputs a reader of the JSON does not need).
    sealed record ReportDocument(string Model, int Tokens, double IntegrationNs, int Cores, int TilesUsed, int ChipTiles, double Utilisation,
        long LoraParameters, long ModelParameters, double TotalNs, double AllAnalogNs, double Overhead, IReadOnlyList<LayerDocument> Layers);

    sealed record LayerDocument(string Layer, int Tiles, double Utilisation, long LoraParameters, int L1Bytes, double AnalogNs, double DigitalNs,
        string Strategy, int BlockTokens, double TotalNs, double Overhead);
}
