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
public sealed record KernelPlanResult(KernelLayer? Kernel, long BytesNeeded, int BytesAvailable);

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
        HardwareRules.Require(nameof(cluster.L1KiB), cluster.L1KiB, HardwareRules.L1KiB(cluster.L1KiB));
        int available = cluster.L1KiB * 1024;
        int tile = MaxTokenTile;
        while (tile >= 1)
        {
            // Sizes in 64-bit arithmetic first; buffers are laid out only once they fit (then every offset fits an int).
            long used = Used(layer.InFeatures, layer.OutFeatures, rank, blocks, tile, cluster.MatrixEngine);
            if (used <= available)
            {
                var buffers = Layout(layer.InFeatures, layer.OutFeatures, rank, blocks, tile, cluster.MatrixEngine);
                var kernel = new KernelLayer(layer.Name, Symbol(layer.Name), layer.InFeatures, layer.OutFeatures, rank, blocks,
                    Converters.Step(chip.AdcBits, chip.OutputBound), layer.Lora is null ? 0f : (float)layer.Lora.Scale,
                    cluster.Cores, available, tile, TokenBlock(rank), buffers.ToEquatableArray(), cluster.MatrixEngine);
                return new KernelPlanResult(kernel, used, available);
            }
            tile = tile == 1 ? 0 : tile / 2;
        }
        return new KernelPlanResult(null, Used(layer.InFeatures, layer.OutFeatures, rank, blocks, 1, cluster.MatrixEngine), available);
    }

    /// <summary>Tokens register-blocked together: TB x rank FP32 accumulators stay within 16 of the 32 FP registers,
    /// leaving room for the operands (more spills on rv64gc with GCC 12).</summary>
    public static int TokenBlock(int rank) => rank == 0 ? 4 : Math.Max(1, Math.Min(4, 16 / rank));

    /// <summary>Bytes of L1 the kernel of <paramref name="layer"/> uses with a token tile of <paramref name="tokenTile"/>
    /// (double buffers included), whether or not it fits: the working set per token count.</summary>
    public static long WorkingSet(LayerSpec layer, ChipSpec chip, ClusterSpec cluster, int tokenTile)
    {
        if (tokenTile < 1) throw new ArgumentOutOfRangeException(nameof(tokenTile), tokenTile, "At least one token.");
        return Used(layer.InFeatures, layer.OutFeatures, layer.Lora?.Rank ?? 0, TileSplitting.BlockCount(layer.InFeatures, chip.TileRows),
            tokenTile, cluster.MatrixEngine);
    }

    /// <summary>The paper's accounting of the LoRA branch's memory: A, B and the token buffers x, h and y in FP16, one
    /// copy each: 2 (in r + r out + T in + T r + T out) bytes (70 KiB for 128 x 128 and 172 KiB for 512 x 128 at 128 tokens).</summary>
    public static long PaperWorkingSet(int ins, int outs, int rank, int tokens) =>
        2L * ((long)ins * rank + (long)rank * outs + (long)tokens * ins + (long)tokens * rank + (long)tokens * outs);

    /// <summary>The buffers of one kernel, in order, with their sizes in bytes (64-bit: no product of two ints can overflow).
    /// The engine reads A and s x B as FP16 operands; the scalar kernel keeps them converted to FP32.</summary>
    static (string Name, long Bytes)[] Sizes(int ins, int outs, int rank, int blocks, int tile, bool engine)
    {
        long resident = engine ? 2 : 4;
        return
        [
            ("a", resident * ins * rank),
            ("b", resident * rank * outs),
            ("bias", 4L * outs),
            ("column_scale", 4L * outs),
            ("x", 2L * 2 * tile * ins),
            ("codes", 2L * 2 * blocks * tile * outs),
            ("input_scale", 2L * 4 * blocks * tile),
            ("h", resident * tile * rank),
            ("y", 2L * tile * outs),
        ];
    }

    /// <summary>Bytes of L1 the kernel would use, the end of its last buffer.</summary>
    static long Used(int ins, int outs, int rank, int blocks, int tile, bool engine)
    {
        long offset = 0, end = 0;
        foreach (var (_, bytes) in Sizes(ins, outs, rank, blocks, tile, engine))
        {
            end = offset + bytes;
            offset = (end + Alignment - 1) / Alignment * Alignment;
        }
        return end;
    }

    /// <summary>The buffers; called only when <see cref="Used"/> fits the L1, so every offset fits an int.</summary>
    static List<L1Buffer> Layout(int ins, int outs, int rank, int blocks, int tile, bool engine)
    {
        var buffers = new List<L1Buffer>();
        long offset = 0;
        foreach (var (name, bytes) in Sizes(ins, outs, rank, blocks, tile, engine))
        {
            buffers.Add(new L1Buffer(name, checked((int)offset), checked((int)bytes)));
            offset = (offset + bytes + Alignment - 1) / Alignment * Alignment;
        }
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
