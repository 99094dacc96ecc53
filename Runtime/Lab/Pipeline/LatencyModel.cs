using System;
using System.Collections.Generic;
using Ahwa.Hardware;

namespace Ahwa.Lab.Pipeline;

/// <summary>The analog stage's timing. Defaults and sources beside each parameter.</summary>
/// <param name="IntegrationNs">Time of one tile MVM; the paper studies 128, 256 and 512 ns (HARDWARE-MODEL.md).</param>
/// <param name="BoundManagementReruns">Average extra MVMs per token from bound management; 0 unless measured with the simulator.</param>
public sealed record AnalogTiming(double IntegrationNs = 256, double BoundManagementReruns = 0)
{
    public void Validate()
    {
        if (!(IntegrationNs > 0) || double.IsInfinity(IntegrationNs)) throw new ArgumentOutOfRangeException(nameof(IntegrationNs), IntegrationNs, "Integration time must be positive and finite.");
        if (!(BoundManagementReruns >= 0) || double.IsInfinity(BoundManagementReruns)) throw new ArgumentOutOfRangeException(nameof(BoundManagementReruns), BoundManagementReruns, "Bound-management re-runs must be >= 0.");
    }
}

/// <summary>The digital cluster's timing. Defaults and sources beside each parameter.</summary>
/// <param name="ClockGHz">Snitch clusters run at about 1 GHz (Zaruba et al., IEEE TC 2021).</param>
/// <param name="Cores">8 worker cores (HARDWARE-MODEL.md, Snitch cluster).</param>
/// <param name="SimdLanes">FP16 SIMD: 4 half-precision lanes in Snitch's 64-bit FPU (HARDWARE-MODEL.md).</param>
/// <param name="InstructionsPerMac">Instructions per LoRA multiply-accumulate, add-back and setup included: 2.96
/// measured for Ahwa's scalar rv64gc kernel (384 x 384, rank 8, 64 tokens) under QEMU (README); one per cycle.</param>
/// <param name="AddBackInstructionsPerOutput">Of those, per output element: code load and convert, two fused
/// multiply-adds, FP16 convert and store, loop (about 8, from the same measurement).</param>
/// <param name="MatrixEngineMacsPerCycle">An optional matrix engine's throughput for the LoRA products; 0 for none.</param>
/// <param name="DmaBytesPerCycle">Snitch's 512-bit AXI DMA: 64 bytes per cycle.</param>
/// <param name="L1KiB">128 KiB of tightly coupled L1 (HARDWARE-MODEL.md).</param>
/// <param name="PhaseOverheadCycles">Fork, join and barrier per kernel phase: 200 cycles (assumed).</param>
public sealed record ClusterTiming(
    double ClockGHz = 1.0,
    int Cores = 8,
    int SimdLanes = 4,
    double InstructionsPerMac = 2.96,
    double AddBackInstructionsPerOutput = 8,
    double MatrixEngineMacsPerCycle = 0,
    double DmaBytesPerCycle = 64,
    int L1KiB = 128,
    double PhaseOverheadCycles = 200)
{
    public void Validate()
    {
        if (!(ClockGHz > 0) || double.IsInfinity(ClockGHz)) throw new ArgumentOutOfRangeException(nameof(ClockGHz), ClockGHz, "Clock must be positive and finite.");
        if (Cores < 1) throw new ArgumentOutOfRangeException(nameof(Cores), Cores, "A cluster needs at least one core.");
        if (SimdLanes < 1) throw new ArgumentOutOfRangeException(nameof(SimdLanes), SimdLanes, "SIMD lanes must be at least 1.");
        if (!(InstructionsPerMac > 0)) throw new ArgumentOutOfRangeException(nameof(InstructionsPerMac), InstructionsPerMac, "Instructions per MAC must be positive.");
        if (!(AddBackInstructionsPerOutput >= 0)) throw new ArgumentOutOfRangeException(nameof(AddBackInstructionsPerOutput), AddBackInstructionsPerOutput, "Must be >= 0.");
        if (!(MatrixEngineMacsPerCycle >= 0)) throw new ArgumentOutOfRangeException(nameof(MatrixEngineMacsPerCycle), MatrixEngineMacsPerCycle, "Must be >= 0.");
        if (!(DmaBytesPerCycle > 0)) throw new ArgumentOutOfRangeException(nameof(DmaBytesPerCycle), DmaBytesPerCycle, "DMA bandwidth must be positive.");
        if (L1KiB < 1) throw new ArgumentOutOfRangeException(nameof(L1KiB), L1KiB, "L1 must be at least 1 KiB.");
        if (!(PhaseOverheadCycles >= 0)) throw new ArgumentOutOfRangeException(nameof(PhaseOverheadCycles), PhaseOverheadCycles, "Must be >= 0.");
    }
}

public enum PipelineStrategy
{
    /// <summary>Analog for all tokens, then digital for all tokens.</summary>
    Sequential = 0,
    /// <summary>Digital work on token block i overlaps analog work on block i + 1; fill and drain.</summary>
    TokenPipelined = 1,
    /// <summary>The LoRA branch (x -> A -> B) runs during the analog MVMs on the same tokens; the add-back follows.</summary>
    ParallelBranches = 2,
}

/// <summary>Latency of one layer under one strategy and block size.</summary>
public sealed record StrategyLatency(PipelineStrategy Strategy, int BlockTokens, double TotalNs);

/// <summary>Analog and digital stage times of one layer for a number of tokens, and every strategy.</summary>
public sealed record LayerLatency(int InFeatures, int OutFeatures, int Rank, int InputBlocks, int Tokens,
    double AnalogNs, double DigitalNs, double LoraNs, double AddBackNs, double DmaNs, IReadOnlyList<StrategyLatency> Strategies)
{
    public StrategyLatency Best
    {
        get
        {
            var best = Strategies[0];
            foreach (var s in Strategies) if (s.TotalNs < best.TotalNs) best = s;
            return best;
        }
    }

    public StrategyLatency Sequential => Strategies[0];

    /// <summary>Extra latency of the best strategy over the analog stage alone (an all-analog layer).</summary>
    public double Overhead => Best.TotalNs / AnalogNs - 1;
}

/// <summary>
/// Latency of the hybrid layer (formulas in docs/pipeline.md). Analog: tiles of a split layer work in parallel, so a
/// token costs one integration time (plus bound-management re-runs): A(T) = T t_int (1 + r_bm). Digital: the LoRA
/// MACs T (in + out) r at the measured instructions per MAC, spread over cores x SIMD lanes (or a matrix engine),
/// plus a fixed cost per phase; DMA of inputs, ADC codes and outputs overlaps compute (double buffering), so
/// D(T) = max(compute, DMA).
/// </summary>
public static class LatencyModel
{
    public static LayerLatency Layer(int inFeatures, int outFeatures, int rank, int tileRows, int tokens, AnalogTiming analog, ClusterTiming cluster)
    {
        if (inFeatures < 1 || outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"{inFeatures} x {outFeatures}", "Layer dimensions must be positive.");
        if (rank < 0) throw new ArgumentOutOfRangeException(nameof(rank), rank, "Rank must be >= 0.");
        if (tokens < 1) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "At least one token.");
        analog.Validate();
        cluster.Validate();
        int blocks = TileSplitting.BlockCount(inFeatures, tileRows);

        double A(int t) => t * analog.IntegrationNs * (1 + analog.BoundManagementReruns);
        double Cycles(double value) => value / cluster.ClockGHz;
        double AddBack(int t) => Cycles(t * (double)outFeatures * cluster.AddBackInstructionsPerOutput / cluster.Cores);
        double Lora(int t)
        {
            double macs = (double)t * (inFeatures + outFeatures) * rank;
            double cycles = cluster.MatrixEngineMacsPerCycle > 0
                ? macs / cluster.MatrixEngineMacsPerCycle
                : macs * cluster.InstructionsPerMac / (cluster.Cores * cluster.SimdLanes);
            // The measured instructions per MAC include the add-back; do not count it twice.
            if (cluster.MatrixEngineMacsPerCycle == 0) cycles = Math.Max(0, cycles - t * (double)outFeatures * cluster.AddBackInstructionsPerOutput / (cluster.Cores * cluster.SimdLanes));
            return Cycles(cycles + 2 * cluster.PhaseOverheadCycles);
        }
        double Dma(int t) => Cycles(t * (2.0 * inFeatures + 2.0 * blocks * outFeatures + 4.0 * blocks + 2.0 * outFeatures) / cluster.DmaBytesPerCycle);
        double D(int t) => Math.Max(Lora(t) + AddBack(t), Dma(t));

        var strategies = new List<StrategyLatency> { new(PipelineStrategy.Sequential, tokens, A(tokens) + D(tokens)) };
        var sizes = new List<int>();
        for (int block = 1; block < tokens; block *= 2) sizes.Add(block);
        sizes.Add(tokens);
        foreach (int block in sizes)
        {
            // Blocks b_0 .. b_{n-1} (the last may be short): fill with A(b_0), then each step waits for the slower of
            // the next block's analog work and the previous block's digital work, then drain with D(b_{n-1}).
            int n = (tokens + block - 1) / block;
            int Size(int i) => i < n - 1 ? block : tokens - (n - 1) * block;
            double total = A(Size(0));
            for (int i = 1; i < n; i++) total += Math.Max(A(Size(i)), D(Size(i - 1)));
            total += D(Size(n - 1));
            strategies.Add(new StrategyLatency(PipelineStrategy.TokenPipelined, block, total));
        }
        strategies.Add(new StrategyLatency(PipelineStrategy.ParallelBranches, tokens, Math.Max(A(tokens), Math.Max(Lora(tokens), Dma(tokens))) + AddBack(tokens)));
        return new LayerLatency(inFeatures, outFeatures, rank, blocks, tokens, A(tokens), D(tokens), Lora(tokens), AddBack(tokens), Dma(tokens), strategies);
    }
}
