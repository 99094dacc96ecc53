using System;
using System.Collections.Generic;
using Ahwa.Hardware;

namespace Ahwa.Lab.Pipeline;

public enum PipelineStrategy
{
    /// <summary>Analog for all tokens, then digital for all tokens.</summary>
    Sequential = 0,
    /// <summary>Digital work on token block i (LoRA down, de-scale, LoRA up) overlaps analog work on block i + 1.</summary>
    TokenPipelined = 1,
    /// <summary>LoRA down (x A needs only x) runs while the tiles integrate; the de-scale and the up-projection with the
    /// add-back follow each token block as its tile outputs arrive.</summary>
    ParallelBranches = 2,
}

/// <summary>Latency of one layer under one strategy and block size.</summary>
public sealed record StrategyLatency(PipelineStrategy Strategy, int BlockTokens, double TotalNs);

/// <summary>Analog and digital stage times of one layer for a number of tokens, and every strategy. DigitalNs is the
/// digital part alone for all tokens (LoRA down, de-scale, up with add-back, DMA, as scheduled after the analog stage);
/// LoraNs the down-projection, AddBackNs the de-scale and up-projection, DmaNs the transfers, each for all tokens.</summary>
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

    /// <summary>The sequential strategy's latency over the all-analog layer (the paper's "up to 2.72x" is of this kind).</summary>
    public double SequentialRatio => Sequential.TotalNs / AnalogNs;
}

/// <summary>What one token block costs on each resource, in ns.</summary>
public readonly record struct BlockCosts(double Down, double Descale, double Up, double DmaX, double DmaCodes, double DmaOut);

/// <summary>
/// Latency of the hybrid layer (formulas in docs/pipeline.md). Analog: tiles of a split layer work in parallel, so a
/// token costs one integration time (plus bound-management re-runs). Digital, per token block: LoRA down and up as
/// engine jobs (<see cref="EngineModel"/>) or as the scalar kernel on the cores, the de-scale on the cores, DMA in and
/// out on AXI's separate read and write channels. Each strategy is a schedule with a fixed order of tasks on each
/// resource (tiles, engine, cores, DMA in, DMA out), so shorter tasks never make it slower.
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
        BlockCosts Costs(int t) => BlockCost(inFeatures, outFeatures, rank, blocks, t, cluster);

        var all = Costs(tokens);
        var strategies = new List<StrategyLatency> { new(PipelineStrategy.Sequential, tokens, Schedule(tokens, tokens, Mode.Sequential, 1, Costs, A)) };
        var sizes = new List<int>();
        for (int block = 1; block < tokens; block *= 2) sizes.Add(block);
        sizes.Add(tokens);
        foreach (int block in sizes)
            strategies.Add(new StrategyLatency(PipelineStrategy.TokenPipelined, block, Schedule(tokens, block, Mode.Pipelined, 2, Costs, A)));
        foreach (int block in sizes)
        {
            int n = (tokens + block - 1) / block;
            double best = double.MaxValue;
            // Engine order: all downs first, or the downs one or two blocks ahead of the ups.
            foreach (int lookahead in new[] { 1, 2, n }) best = Math.Min(best, Schedule(tokens, block, Mode.Parallel, lookahead, Costs, A));
            strategies.Add(new StrategyLatency(PipelineStrategy.ParallelBranches, block, best));
        }
        return new LayerLatency(inFeatures, outFeatures, rank, blocks, tokens, A(tokens), strategies[0].TotalNs - A(tokens),
            all.Down, all.Descale + all.Up, all.DmaX + all.DmaCodes + all.DmaOut, strategies);
    }

    /// <summary>One block of <paramref name="tokens"/> tokens on the layer's clusters (tokens split evenly between them).</summary>
    public static BlockCosts BlockCost(int ins, int outs, int rank, int blocks, int tokens, ClusterTiming c)
    {
        long t = (tokens + c.ClustersPerLayer - 1) / c.ClustersPerLayer;
        double Ns(double cycles) => cycles / c.ClockGHz;
        double descalePerOutput = c.TileDescales ? (blocks - 1) * c.DescaleInstructionsPerBlock : c.DescaleInstructionsPerOutput + blocks * c.DescaleInstructionsPerBlock;
        double Cores(double instructions) => instructions <= 0 ? 0 : instructions / (c.Cores * (double)c.SimdLanes) + c.BarrierCycles;
        double down, descale, up;
        if (c.MatrixEngine)
        {
            down = EngineModel.JobCycles(t, ins, rank, c);
            descale = Cores(t * (double)outs * descalePerOutput);
            // The up-projection splits between clusters by tokens or by output columns (each column tile's own cluster),
            // whichever keeps the engines busier; h is small enough to share.
            long columns = (outs + c.ClustersPerLayer - 1) / c.ClustersPerLayer;
            up = Math.Min(EngineModel.JobCycles(t, rank, outs, c), EngineModel.JobCycles(tokens, rank, columns, c));
        }
        else
        {
            // The scalar kernel de-scales inside its up phase (docs/arithmetic-contract.md).
            down = Cores(t * (double)ins * rank * c.DownInstructionsPerMac);
            descale = 0;
            up = Cores(t * (double)outs * (rank * c.UpInstructionsPerMac + descalePerOutput));
        }
        double codesBytes = c.TileDescales ? 2.0 * blocks * outs : 2.0 * blocks * outs + 4.0 * blocks;
        return new BlockCosts(Ns(down), Ns(descale), Ns(up), Ns(t * 2.0 * ins / c.DmaBytesPerCycle), Ns(t * codesBytes / c.DmaBytesPerCycle),
            Ns(t * 2.0 * outs / c.DmaBytesPerCycle));
    }

    enum Mode { Sequential, Pipelined, Parallel }

    /// <summary>List schedule with a fixed order per resource: each task starts when its inputs are ready and its
    /// resource is free. Engine (or, without one, the cores): downs 0 .. L-1, then up i and down i + L in turn. Cores:
    /// de-scales in block order. DMA in: x blocks in the engine's down order, codes i before x i + L. DMA out: y blocks.</summary>
    static double Schedule(int tokens, int block, Mode mode, int lookahead, Func<int, BlockCosts> costs, Func<int, double> analog)
    {
        int n = (tokens + block - 1) / block;
        int Size(int i) => i < n - 1 ? block : tokens - (n - 1) * block;
        var c = new BlockCosts[n];
        var analogDone = new double[n];
        double tiles = 0;
        for (int i = 0; i < n; i++)
        {
            c[i] = costs(Size(i));
            tiles += analog(Size(i));
            analogDone[i] = tiles;
        }
        if (mode == Mode.Sequential) for (int i = 0; i < n; i++) analogDone[i] = tiles;
        bool sharedCores = c[0].Descale == 0;

        var xDone = new double[n];
        var codesDone = new double[n];
        var downDone = new double[n];
        var descaleDone = new double[n];
        double dmaIn = 0, engine = 0, cores = 0, dmaOut = 0;
        int l = Math.Min(Math.Max(lookahead, 1), n);

        void FetchX(int i) => dmaIn = xDone[i] = dmaIn + c[i].DmaX;
        void Down(int i)
        {
            double ready = mode == Mode.Parallel ? xDone[i] : Math.Max(xDone[i], analogDone[i]);
            engine = downDone[i] = Math.Max(engine, ready) + c[i].Down;
        }
        for (int i = 0; i < l; i++) FetchX(i);
        for (int i = 0; i < l; i++) Down(i);
        for (int i = 0; i < n; i++)
        {
            dmaIn = codesDone[i] = Math.Max(dmaIn, analogDone[i]) + c[i].DmaCodes;
            if (i + l < n) FetchX(i + l);
            if (!sharedCores) cores = descaleDone[i] = Math.Max(cores, codesDone[i]) + c[i].Descale;
            else descaleDone[i] = codesDone[i];
            engine = Math.Max(engine, Math.Max(downDone[i], descaleDone[i])) + c[i].Up;
            dmaOut = Math.Max(dmaOut, engine) + c[i].DmaOut;
            if (i + l < n) Down(i + l);
        }
        return dmaOut;
    }
}
