using System;
using Ahwa.Dsl;
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

/// <summary>The digital cluster's timing. Defaults and sources beside each parameter; "measured" values come from
/// <c>InstructionCounter</c> on Ahwa's own generated kernels (rv64gc+Zfh under QEMU, one instruction per cycle).</summary>
/// <param name="ClockGHz">Snitch clusters run at about 1 GHz (Zaruba et al., "Snitch", IEEE TC 2021).</param>
/// <param name="Cores">8 worker cores (HARDWARE-MODEL.md, Snitch cluster).</param>
/// <param name="MatrixEngine">A RedMulE-class engine computes the LoRA products ([RiscVCluster(MatrixEngine = true)]).</param>
/// <param name="EngineWidth">Engine rows (RedMulE ARRAY_WIDTH 8 in rtl redmule_engine.sv: the 32-FMA instance).</param>
/// <param name="EngineHeight">FP16 FMAs per engine row (RedMulE ARRAY_HEIGHT 4, pulp-platform/redmule README).</param>
/// <param name="EnginePipeRegs">Pipeline registers per FMA (RedMulE PIPE_REGS 3, same README).</param>
/// <param name="EngineJobCycles">Offloading one job: six configuration-register writes and a trigger (RedMulE README's
/// programming model) and the completion event: 10 cycles (assumed).</param>
/// <param name="EnginePortBytesPerCycle">The engine's memory port: ARRAY_HEIGHT x (PIPE_REGS + 1) x 16 bits = 256 bits,
/// 32 bytes per cycle (RedMulE README).</param>
/// <param name="SimdLanes">Lanes of the generated engine-less kernel: 1, it is scalar FP32 (Snitch's 64-bit FPU would
/// give 2 FP32 or 4 FP16 lanes to a SIMD kernel, which Ahwa does not generate).</param>
/// <param name="DownInstructionsPerMac">Scalar kernel, LoRA down: 2.01 (measured, README table).</param>
/// <param name="UpInstructionsPerMac">Scalar kernel, LoRA up without its per-output add-back: (3.63 x 8 - 13.0) / 8 = 2.0
/// (the measured 3.63 per MAC at rank 8 minus the measured per-output de-scale below).</param>
/// <param name="DescaleInstructionsPerOutput">De-scale on the cores, per output element, fixed part: 9.0 (measured 13.0
/// at one input block and 21.0 at three, engine kernel's de-scale phase).</param>
/// <param name="DescaleInstructionsPerBlock">De-scale, per output element and input block: 4.0 (same measurement).</param>
/// <param name="TileDescales">The tiles' periphery applies the per-column affine de-scale, as HERMES's local digital
/// processing unit does (HARDWARE-MODEL.md); the cores then only add the partial sums of extra input blocks. Off by
/// default: Ahwa's kernels de-scale on the cores.</param>
/// <param name="DmaBytesPerCycle">Snitch's 512-bit DMA: 64 bytes per cycle (HARDWARE-MODEL.md); reads and writes use
/// AXI's separate channels.</param>
/// <param name="BarrierCycles">Snitch's hardware barrier: one load from the cluster peripheral that returns when every core
/// has arrived (pulp-platform/snitch snRuntime, snrt_cluster_hw_barrier): 8 cycles (assumed).</param>
/// <param name="L1KiB">128 KiB of tightly coupled L1 (HARDWARE-MODEL.md).</param>
/// <param name="ClustersPerLayer">Digital capacity per analog layer: clusters (each with its cores, engine and DMA)
/// sharing a token block; 1 (the paper's setting as summarised).</param>
/// <param name="SoftmaxInstructionsPerScore">Softmax on the cores per attention score: max, subtract, exponential,
/// sum and scale: 12 (assumed).</param>
public sealed record ClusterTiming(
    double ClockGHz = 1.0,
    int Cores = RiscVClusterAttribute.DefaultCores,
    bool MatrixEngine = false,
    int EngineWidth = RiscVClusterAttribute.DefaultEngineWidth,
    int EngineHeight = RiscVClusterAttribute.DefaultEngineHeight,
    int EnginePipeRegs = RiscVClusterAttribute.DefaultEnginePipeRegs,
    double EngineJobCycles = 10,
    double EnginePortBytesPerCycle = 32,
    int SimdLanes = 1,
    double DownInstructionsPerMac = 2.01,
    double UpInstructionsPerMac = 2.0,
    double DescaleInstructionsPerOutput = 9.0,
    double DescaleInstructionsPerBlock = 4.0,
    bool TileDescales = false,
    double DmaBytesPerCycle = 64,
    double BarrierCycles = 8,
    int L1KiB = RiscVClusterAttribute.DefaultL1KiB,
    int ClustersPerLayer = 1,
    double SoftmaxInstructionsPerScore = 12)
{
    /// <summary>The timing of a model's cluster: its cores, L1 and engine as the plan was made for.</summary>
    public static ClusterTiming From(ClusterSpec cluster) => new(Cores: cluster.Cores, L1KiB: cluster.L1KiB, MatrixEngine: cluster.MatrixEngine,
        EngineWidth: cluster.EngineWidth, EngineHeight: cluster.EngineHeight, EnginePipeRegs: cluster.EnginePipeRegs);

    /// <summary>The paper's hardware as far as the sources state it: a Snitch cluster with a 32-FMA RedMulE, and
    /// tiles that de-scale in their periphery (HERMES).</summary>
    public static ClusterTiming Paper { get; } = new(MatrixEngine: true, TileDescales: true);

    public void Validate()
    {
        static void Positive(double value, string name)
        {
            if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, "Must be positive and finite.");
        }
        static void NotNegative(double value, string name)
        {
            if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, "Must be >= 0 and finite.");
        }
        Positive(ClockGHz, nameof(ClockGHz));
        if (Cores < 1) throw new ArgumentOutOfRangeException(nameof(Cores), Cores, "A cluster needs at least one core.");
        if (EngineWidth < 1 || EngineHeight < 1 || EnginePipeRegs < 1)
            throw new ArgumentOutOfRangeException(nameof(EngineWidth), $"{EngineWidth} x {EngineHeight}, {EnginePipeRegs} pipeline registers", "Engine geometry must be positive.");
        if (SimdLanes < 1) throw new ArgumentOutOfRangeException(nameof(SimdLanes), SimdLanes, "SIMD lanes must be at least 1.");
        if (ClustersPerLayer < 1) throw new ArgumentOutOfRangeException(nameof(ClustersPerLayer), ClustersPerLayer, "At least one cluster per layer.");
        if (L1KiB < 1) throw new ArgumentOutOfRangeException(nameof(L1KiB), L1KiB, "L1 must be at least 1 KiB.");
        Positive(EnginePortBytesPerCycle, nameof(EnginePortBytesPerCycle));
        Positive(DmaBytesPerCycle, nameof(DmaBytesPerCycle));
        Positive(DownInstructionsPerMac, nameof(DownInstructionsPerMac));
        Positive(UpInstructionsPerMac, nameof(UpInstructionsPerMac));
        NotNegative(EngineJobCycles, nameof(EngineJobCycles));
        NotNegative(DescaleInstructionsPerOutput, nameof(DescaleInstructionsPerOutput));
        NotNegative(DescaleInstructionsPerBlock, nameof(DescaleInstructionsPerBlock));
        NotNegative(BarrierCycles, nameof(BarrierCycles));
        NotNegative(SoftmaxInstructionsPerScore, nameof(SoftmaxInstructionsPerScore));
    }
}

/// <summary>Cycles of one matrix-engine job from the engine's geometry (docs/pipeline.md).</summary>
public static class EngineModel
{
    /// <summary>Z (m x k) = X (m x n) W (n x k) + Z on a RedMulE-class array of W rows of H FMAs with P pipeline registers:
    /// each row holds one row of X and computes J = H (P + 1) columns of Z, H inner-dimension steps at a time, so a
    /// W x J tile of Z takes ceil(n / H) J cycles; tiles stream back to back (fill and drain H (P + 1) cycles once per
    /// job); the memory port bounds the streaming of X, W and Z; plus the offload. The job is issued in whichever
    /// orientation (Z or its transpose, W^T X^T) fills the array better.</summary>
    public static double JobCycles(long m, long n, long k, ClusterTiming c)
    {
        if (m <= 0 || n <= 0 || k <= 0) return 0;
        return Math.Min(Oriented(m, n, k, c), Oriented(k, n, m, c)) + c.EngineJobCycles;
    }

    static double Oriented(long m, long n, long k, ClusterTiming c)
    {
        long j = (long)c.EngineHeight * (c.EnginePipeRegs + 1);
        long rowTiles = Ceil(m, c.EngineWidth), columnTiles = Ceil(k, j);
        double compute = (double)rowTiles * columnTiles * Ceil(n, c.EngineHeight) * j;
        // X is read once per column tile, W once per row tile, Z read and written once (FP16).
        double bytes = 2.0 * m * n * columnTiles + 2.0 * n * k * rowTiles + 4.0 * m * k;
        return Math.Max(compute, bytes / c.EnginePortBytesPerCycle) + j;
    }

    /// <summary>FP16 MACs per cycle the engine sustains on a job (the RedMulE paper reports 31.6 of 32 on large GEMMs).</summary>
    public static double MacsPerCycle(long m, long n, long k, ClusterTiming c) => (double)m * n * k / JobCycles(m, n, k, c);

    static long Ceil(long a, long b) => (a + b - 1) / b;
}
