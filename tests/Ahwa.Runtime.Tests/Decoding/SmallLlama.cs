using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Lab.Import;
using Ahwa.Runtime.Decoders;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>A second tiny LLaMA beside the sample's TinyLlama (grouped-query, tied): full multi-head attention, a
/// separate LM head and LLaMA-3 rope scaling whose original context (64) puts the 8 frequencies of a 16-wide head in
/// all three bands (kept, blended, divided by the factor).</summary>
public static class SmallLlamaConfig
{
    public const int Hidden = 32, Layers = 2, Heads = 2, KeyValueHeads = 2, HeadSize = 16, Intermediate = 48, Vocabulary = 40;
    public const double RmsEpsilon = 1e-6, RopeTheta = 10000, RopeFactor = 8, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalPositions = 64;

    public static LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,
        new RopeScaling(RopeFactor, LowFrequencyFactor, HighFrequencyFactor, OriginalPositions), TiedEmbeddings: false);
}

[AnalogBlock]
public partial class SmallLlamaLayer
{
    [AnalogLinear(SmallLlamaConfig.Hidden, SmallLlamaConfig.Heads * SmallLlamaConfig.HeadSize, Bias = false, Name = "self_attn.q_proj")] public partial AnalogLinear QProj { get; }
    [AnalogLinear(SmallLlamaConfig.Hidden, SmallLlamaConfig.KeyValueHeads * SmallLlamaConfig.HeadSize, Bias = false, Name = "self_attn.k_proj")] public partial AnalogLinear KProj { get; }
    [AnalogLinear(SmallLlamaConfig.Hidden, SmallLlamaConfig.KeyValueHeads * SmallLlamaConfig.HeadSize, Bias = false, Name = "self_attn.v_proj")] public partial AnalogLinear VProj { get; }
    [AnalogLinear(SmallLlamaConfig.Heads * SmallLlamaConfig.HeadSize, SmallLlamaConfig.Hidden, Bias = false, Name = "self_attn.o_proj")] public partial AnalogLinear OProj { get; }
    [AnalogLinear(SmallLlamaConfig.Hidden, SmallLlamaConfig.Intermediate, Bias = false, Name = "mlp.gate_proj")] public partial AnalogLinear GateProj { get; }
    [AnalogLinear(SmallLlamaConfig.Hidden, SmallLlamaConfig.Intermediate, Bias = false, Name = "mlp.up_proj")] public partial AnalogLinear UpProj { get; }
    [AnalogLinear(SmallLlamaConfig.Intermediate, SmallLlamaConfig.Hidden, Bias = false, Name = "mlp.down_proj")] public partial AnalogLinear DownProj { get; }

    RmsNorm inputNorm = null!, postAttentionNorm = null!;

    partial void OnLayersCreated()
    {
        inputNorm = Decoder.RmsNorm(SmallLlamaConfig.Hidden, SmallLlamaConfig.RmsEpsilon);
        postAttentionNorm = Decoder.RmsNorm(SmallLlamaConfig.Hidden, SmallLlamaConfig.RmsEpsilon);
        RegisterLayer("input_layernorm", inputNorm);
        RegisterLayer("post_attention_layernorm", postAttentionNorm);
    }

    public Tensor Forward(Tensor x, Tensor angles, KeyValueCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        var h = inputNorm.call(x);
        var q = Decoder.Rotate(QProj.call(h).view(batch, tokens, SmallLlamaConfig.Heads, SmallLlamaConfig.HeadSize).transpose(1, 2), angles);
        var k = Decoder.Rotate(KProj.call(h).view(batch, tokens, SmallLlamaConfig.KeyValueHeads, SmallLlamaConfig.HeadSize).transpose(1, 2), angles);
        var v = VProj.call(h).view(batch, tokens, SmallLlamaConfig.KeyValueHeads, SmallLlamaConfig.HeadSize).transpose(1, 2);
        var context = Decoder.Attention(q, k, v, cache, layer).transpose(1, 2).reshape(batch, tokens, SmallLlamaConfig.Heads * SmallLlamaConfig.HeadSize);
        var attended = x.add(OProj.call(context));
        var m = postAttentionNorm.call(attended);
        return attended.add(DownProj.call(nn.functional.silu(GateProj.call(m)).mul(UpProj.call(m)))).MoveToOuterDisposeScope();
    }
}

[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 64)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class SmallLlama : ICausalLanguageModel
{
    [Blocks(typeof(SmallLlamaLayer), SmallLlamaConfig.Layers, Name = "model.layers")]
    public partial IReadOnlyList<SmallLlamaLayer> DecoderLayers { get; }

    Embedding embedTokens = null!;
    RmsNorm norm = null!;
    Linear lmHead = null!;

    partial void OnLayersCreated()
    {
        embedTokens = nn.Embedding(SmallLlamaConfig.Vocabulary, SmallLlamaConfig.Hidden);
        norm = Decoder.RmsNorm(SmallLlamaConfig.Hidden, SmallLlamaConfig.RmsEpsilon);
        lmHead = nn.Linear(SmallLlamaConfig.Hidden, SmallLlamaConfig.Vocabulary, hasBias: false);
        RegisterLayer("model.embed_tokens", embedTokens);
        RegisterLayer("model.norm", norm);
        RegisterLayer("lm_head", lmHead);
    }

    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)
    {
        using var scope = NewDisposeScope();
        long start = cache is null ? 0 : cache.Length;
        var angles = Decoder.RotaryAngles(inputIds, start, SmallLlamaConfig.HeadSize, SmallLlamaConfig.RopeTheta, SmallLlamaConfig.RopeFactor,
            SmallLlamaConfig.LowFrequencyFactor, SmallLlamaConfig.HighFrequencyFactor, SmallLlamaConfig.OriginalPositions);
        var h = embedTokens.call(inputIds);
        int layer = 0;
        foreach (var block in DecoderLayers)
        {
            h = block.Forward(h, angles, cache, layer);
            layer++;
        }
        if (cache is not null) cache.Advance(inputIds.shape[1]);
        return lmHead.call(norm.call(h)).MoveToOuterDisposeScope();
    }

    long ICausalLanguageModel.Vocabulary => SmallLlamaConfig.Vocabulary;

    int ICausalLanguageModel.Layers => SmallLlamaConfig.Layers;

    Tensor ICausalLanguageModel.Logits(Tensor inputIds) => Forward(inputIds);

    Tensor ICausalLanguageModel.Logits(Tensor inputIds, KeyValueCache cache) => Forward(inputIds, cache);
}
