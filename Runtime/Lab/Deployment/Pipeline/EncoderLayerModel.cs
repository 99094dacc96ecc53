using System;
using System.Collections.Generic;
using System.Linq;

namespace Ahwa.Lab.Pipeline;

/// <summary>An analog linear layer of an encoder layer: its shape, and how many of it run side by side (each on its own
/// tiles and clusters), e.g. query, key and value.</summary>
public sealed record EncoderLinear(string Name, int InFeatures, int OutFeatures, int Parallel = 1);

/// <summary>One encoder layer as a sequence of stages: groups of analog linear layers that run side by side, and the
/// attention (products and softmax per head) on the cluster after the group named <see cref="AttentionAfter"/>.</summary>
public sealed record EncoderShape(string Name, int Layers, int Heads, int HeadDim, IReadOnlyList<IReadOnlyList<EncoderLinear>> Stages, int AttentionAfter)
{
    /// <summary>MiniLM-L6 (all-MiniLM-L6-v2): hidden 384, 12 heads of 32, FFN 1536, 6 layers.</summary>
    public static EncoderShape MiniLm { get; } = new("MiniLM-L6", 6, 12, 32, new IReadOnlyList<EncoderLinear>[]
    {
        new[] { new EncoderLinear("query/key/value", 384, 384, 3) },
        new[] { new EncoderLinear("attention.output", 384, 384) },
        new[] { new EncoderLinear("intermediate", 384, 1536) },
        new[] { new EncoderLinear("output", 1536, 384) },
    }, 0);

    /// <summary>MobileBERT (google/mobilebert-uncased): hidden 512, bottleneck 128, 4 heads of 32, four FFNs of
    /// 128 x 512 and 512 x 128, 24 layers; query and key read the attention bottleneck (512 -> 128), value the hidden state.</summary>
    public static EncoderShape MobileBert { get; } = new("MobileBERT", 24, 4, 32, new IReadOnlyList<EncoderLinear>[]
    {
        new[] { new EncoderLinear("bottleneck.input / attention", 512, 128, 2) },
        new[] { new EncoderLinear("query/key", 128, 128, 2), new EncoderLinear("value", 512, 128) },
        new[] { new EncoderLinear("attention.output", 128, 128) },
        new[] { new EncoderLinear("ffn.intermediate", 128, 512) }, new[] { new EncoderLinear("ffn.output", 512, 128) },
        new[] { new EncoderLinear("ffn.intermediate", 128, 512) }, new[] { new EncoderLinear("ffn.output", 512, 128) },
        new[] { new EncoderLinear("ffn.intermediate", 128, 512) }, new[] { new EncoderLinear("ffn.output", 512, 128) },
        new[] { new EncoderLinear("intermediate", 128, 512) }, new[] { new EncoderLinear("output", 512, 128) },
        new[] { new EncoderLinear("output.bottleneck", 128, 512) },
    }, 1);

    /// <summary>A LLaMA-3.1-8B decoder layer (samples/Llama3): q_proj beside the grouped-query k_proj and v_proj (4096 ->
    /// 1024 each), 32 heads of 128, o_proj, gate_proj beside up_proj (4096 -> 14336), down_proj; 32 layers. The causal
    /// mask removes no work from the attention products of a prompt, so they are timed as an encoder's.</summary>
    public static EncoderShape Llama31_8B { get; } = new("LLaMA-3.1-8B", 32, 32, 128, new IReadOnlyList<EncoderLinear>[]
    {
        new[] { new EncoderLinear("q_proj", 4096, 4096), new EncoderLinear("k_proj/v_proj", 4096, 1024, 2) },
        new[] { new EncoderLinear("o_proj", 4096, 4096) },
        new[] { new EncoderLinear("gate_proj/up_proj", 4096, 14336, 2) },
        new[] { new EncoderLinear("down_proj", 14336, 4096) },
    }, 0);

    public IEnumerable<EncoderLinear> Linears => Stages.SelectMany(s => s);
}

/// <summary>One encoder layer's latency: hybrid stages, attention, and the same layer with all-analog linear layers.</summary>
public sealed record EncoderLayerLatency(EncoderShape Shape, int Tokens, double HybridNs, double AllAnalogNs, double AttentionNs, double WorstLayerOverhead)
{
    /// <summary>What the LoRA branches add to the encoder layer (attention is on the cluster in both).</summary>
    public double Overhead => HybridNs / (AllAnalogNs + AttentionNs) - 1;
}

/// <summary>The whole encoder layer's schedule (docs/pipeline.md): stages in turn; inside a stage, layers side by side on
/// their own tiles and clusters (the slowest sets the stage); the attention products per head as engine jobs
/// (Q K^T, T x d x T, then P V, T x T x d) with the softmax on the cores in between, heads shared by the layer's clusters.</summary>
public static class EncoderLayerModel
{
    public static EncoderLayerLatency Layer(EncoderShape shape, int rank, int tokens, AnalogTiming analog, ClusterTiming cluster, int tileRows = 512)
    {
        double hybrid = 0, allAnalog = 0, worst = 0;
        var cache = new Dictionary<(int, int), LayerLatency>();
        foreach (var stage in shape.Stages)
        {
            double stageHybrid = 0, stageAnalog = 0;
            foreach (var linear in stage)
            {
                if (!cache.TryGetValue((linear.InFeatures, linear.OutFeatures), out var l))
                    cache[(linear.InFeatures, linear.OutFeatures)] = l = LatencyModel.Layer(linear.InFeatures, linear.OutFeatures, rank, tileRows, tokens, analog, cluster);
                stageHybrid = Math.Max(stageHybrid, l.Best.TotalNs);
                stageAnalog = Math.Max(stageAnalog, l.AnalogNs);
                worst = Math.Max(worst, l.Overhead);
            }
            hybrid += stageHybrid;
            allAnalog += stageAnalog;
        }
        double attention = AttentionNs(shape.Heads, shape.HeadDim, tokens, cluster);
        return new EncoderLayerLatency(shape, tokens, hybrid + attention, allAnalog, attention, worst);
    }

    /// <summary>Attention of all heads: per cluster ceil(heads / clusters) heads; engine order S0, S1, C0, S2, C1, ... with
    /// each softmax on the cores between its two products (without an engine, the products run on the cores too).</summary>
    public static double AttentionNs(int heads, int headDim, int tokens, ClusterTiming c)
    {
        int perCluster = (heads + c.ClustersPerLayer - 1) / c.ClustersPerLayer;
        double Products(long m, long n, long k) => c.MatrixEngine
            ? EngineModel.JobCycles(m, n, k, c)
            : m * n * k * c.DownInstructionsPerMac / (c.Cores * (double)c.SimdLanes) + c.BarrierCycles;
        double scores = Products(tokens, headDim, tokens), context = Products(tokens, tokens, headDim);
        double softmax = (double)tokens * tokens * c.SoftmaxInstructionsPerScore / (c.Cores * (double)c.SimdLanes) + c.BarrierCycles;
        var scoresDone = new double[perCluster];
        double engine = 0, cores = 0;
        var softmaxDone = new double[perCluster];
        for (int h = 0; h < perCluster; h++)
        {
            engine = scoresDone[h] = (c.MatrixEngine ? engine : Math.Max(engine, cores)) + scores;
            if (!c.MatrixEngine) cores = engine;
            cores = softmaxDone[h] = Math.Max(cores, scoresDone[h]) + softmax;
            if (!c.MatrixEngine) engine = cores;
            if (h >= 1) engine = Math.Max(engine, softmaxDone[h - 1]) + context;
            if (!c.MatrixEngine) cores = engine;
        }
        engine = Math.Max(engine, softmaxDone[perCluster - 1]) + context;
        return engine / c.ClockGHz;
    }
}
