using System.Globalization;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Lab.Pipeline;

/// <summary>The paper's layer shapes (MobileBERT's bottlenecks), which no model of this repository has: the one place
/// outside the generator that plans, because these layers are hypothetical.</summary>
public static class PaperShapes
{
    /// <summary>The paper's two layer shapes at its three integration times, with Ahwa's defaults (not tuned).</summary>
    public static string Comparison(int tokens = 128, int rank = 8)
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
                b.Append($"| {ins} x {outs} | {Format(t, "0")} ns | {Format(latency.AnalogNs, "0")} | {Format(latency.DigitalNs, "0")} | {Format(latency.Sequential.TotalNs / latency.AnalogNs, "0.00")}x | ");
                b.Append($"{best.Strategy} ({best.BlockTokens}) | {Format(latency.Overhead * 100, "0.0")} % | {Format((plan.Kernel?.L1Used ?? plan.BytesNeeded) / 1024.0, "0.0")} KiB (tile {plan.Kernel?.TokenTile ?? 0}) |\n");
            }
        return b.ToString();
    }

    static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
