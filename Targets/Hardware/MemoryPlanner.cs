using System;
using System.Collections.Generic;
using System.Text;

namespace Ahwa.Hardware;

/// <summary>Where one buffer of a kernel lives in the cluster's L1 arena.</summary>
public readonly record struct L1Buffer(string Name, int Offset, int Bytes);

/// <summary>
/// The digital part of one analog layer on the RISC-V cluster: its dimensions, constants and L1 layout.
/// Resident in L1 for the whole run: A and s x B (FP32 for the scalar kernel, FP16 for the matrix engine), the bias and
/// the per-column scales. Per token tile (double-buffered where DMA fills it): the FP16 inputs, the ADC codes and input
/// scales, the LoRA intermediate h (FP32 scalar, FP16 engine) and the FP16 outputs. <see cref="MatrixEngine"/> selects
/// the engine kernel (docs/arithmetic-contract.md, engine section).
/// </summary>
public sealed record KernelLayer(
    string LayerName,
    string Symbol,
    int InFeatures,
    int OutFeatures,
    int Rank,
    int InputBlocks,
    float AdcStep,
    float LoraScale,
    int Cores,
    int L1Bytes,
    int TokenTile,
    int TokenBlock,
    EquatableArray<L1Buffer> Buffers,
    bool MatrixEngine = false)
{
    public int L1Used => Buffers.Count == 0 ? 0 : Buffers[Buffers.Count - 1].Offset + Buffers[Buffers.Count - 1].Bytes;

    public L1Buffer Buffer(string name)
    {
        foreach (var buffer in Buffers) if (buffer.Name == name) return buffer;
        throw new KeyNotFoundException($"Kernel '{Symbol}' has no L1 buffer '{name}'.");
    }
}

/// <summary>The outcome of planning one layer: a kernel, or the bytes the smallest tiling would need.</summary>
public sealed record KernelPlanResult(KernelLayer? Kernel, int BytesNeeded, int BytesAvailable);

/// <summary>Picks the token tile so the kernel's working set fits the cluster's L1.</summary>
public static class MemoryPlanner
{
    /// <summary>Largest token tile considered: beyond it the DMA transfers are long enough to hide.</summary>
    public const int MaxTokenTile = 64;
    const int Alignment = 8;

    public static KernelPlanResult Plan(LayerSpec layer, ChipSpec chip, ClusterSpec cluster)
    {
        if (!layer.IsAnalog) throw new ArgumentException($"Layer '{layer.Name}' is digital; kernels are for analog layers.", nameof(layer));
        int rank = layer.Lora?.Rank ?? 0;
        int blocks = TileSplitting.BlockCount(layer.InFeatures, chip.TileRows);
        int available = checked(cluster.L1KiB * 1024);
        int tile = MaxTokenTile;
        while (tile >= 1)
        {
            var buffers = Layout(layer.InFeatures, layer.OutFeatures, rank, blocks, tile, cluster.MatrixEngine);
            int used = buffers[buffers.Count - 1].Offset + buffers[buffers.Count - 1].Bytes;
            if (used <= available)
            {
                var kernel = new KernelLayer(layer.Name, Symbol(layer.Name), layer.InFeatures, layer.OutFeatures, rank, blocks,
                    Converters.Step(chip.AdcBits, chip.OutputBound), layer.Lora is null ? 0f : (float)layer.Lora.Scale,
                    cluster.Cores, available, tile, TokenBlock(rank), buffers.ToEquatableArray(), cluster.MatrixEngine);
                return new KernelPlanResult(kernel, used, available);
            }
            tile = tile == 1 ? 0 : tile / 2;
        }
        var smallest = Layout(layer.InFeatures, layer.OutFeatures, rank, blocks, 1, cluster.MatrixEngine);
        return new KernelPlanResult(null, smallest[smallest.Count - 1].Offset + smallest[smallest.Count - 1].Bytes, available);
    }

    /// <summary>Tokens register-blocked together: TB x rank FP32 accumulators stay within 16 of the 32 FP registers,
    /// leaving room for the operands (more spills on rv64gc with GCC 12).</summary>
    public static int TokenBlock(int rank) => rank == 0 ? 4 : Math.Max(1, Math.Min(4, 16 / rank));

    /// <summary>Bytes of L1 the kernel of <paramref name="layer"/> uses with a token tile of <paramref name="tokenTile"/>
    /// (double buffers included), whether or not it fits: the working set per token count.</summary>
    public static int WorkingSet(LayerSpec layer, ChipSpec chip, ClusterSpec cluster, int tokenTile)
    {
        if (tokenTile < 1) throw new ArgumentOutOfRangeException(nameof(tokenTile), tokenTile, "At least one token.");
        var buffers = Layout(layer.InFeatures, layer.OutFeatures, layer.Lora?.Rank ?? 0, TileSplitting.BlockCount(layer.InFeatures, chip.TileRows),
            tokenTile, cluster.MatrixEngine);
        return buffers[buffers.Count - 1].Offset + buffers[buffers.Count - 1].Bytes;
    }

    /// <summary>The paper's accounting of the LoRA branch's memory: A, B and the token buffers x, h and y in FP16, one
    /// copy each: 2 (in r + r out + T in + T r + T out) bytes (70 KiB for 128 x 128 and 172 KiB for 512 x 128 at 128 tokens).</summary>
    public static long PaperWorkingSet(int ins, int outs, int rank, int tokens) =>
        2L * ((long)ins * rank + (long)rank * outs + (long)tokens * ins + (long)tokens * rank + (long)tokens * outs);

    static List<L1Buffer> Layout(int ins, int outs, int rank, int blocks, int tile, bool engine)
    {
        var buffers = new List<L1Buffer>();
        int offset = 0;
        void Add(string name, long bytes)
        {
            if (bytes > int.MaxValue) throw new OverflowException($"L1 buffer '{name}' would need {bytes} bytes.");
            buffers.Add(new L1Buffer(name, offset, (int)bytes));
            offset = checked((int)((offset + bytes + Alignment - 1) / Alignment * Alignment));
        }
        // The engine reads A and s x B as FP16 operands; the scalar kernel keeps them converted to FP32.
        int resident = engine ? 2 : 4;
        Add("a", (long)resident * ins * rank);
        Add("b", (long)resident * rank * outs);
        Add("bias", 4L * outs);
        Add("column_scale", 4L * outs);
        Add("x", 2L * 2 * tile * ins);
        Add("codes", 2L * 2 * blocks * tile * outs);
        Add("input_scale", 2L * 4 * blocks * tile);
        Add("h", (long)resident * tile * rank);
        Add("y", 2L * tile * outs);
        return buffers;
    }

    /// <summary>A C identifier from a layer name: <c>encoder.layer.0.attention.self.query</c> to <c>encoder_layer_0_attention_self_query</c>.</summary>
    public static string Symbol(string layerName)
    {
        var builder = new StringBuilder(layerName.Length);
        foreach (char c in layerName) builder.Append(char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        if (builder.Length == 0 || char.IsDigit(builder[0])) builder.Insert(0, "layer_");
        return builder.ToString();
    }
}
