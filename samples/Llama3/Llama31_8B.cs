// Scaffolded by `ahwa scaffold` from a Hugging Face config.json (model_type llama): LLaMA decoder: 32 layers, hidden 4096, intermediate 14336, 32 heads (8 key/value), vocabulary 128256.
// Layers, norms and forward follow Hugging Face's LlamaForCausalLM, so the checkpoint loads with LlamaCheckpoint.Load.
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using Ahwa.Runtime.Decoders;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama3;

/// <summary>Llama31_8B's config.json as constants; import checks a folder against <see cref="Expected"/>.</summary>
public static class Llama31_8BConfig
{
    public const int Hidden = 4096, Layers = 32, Heads = 32, KeyValueHeads = 8, HeadSize = 128, Intermediate = 14336, Vocabulary = 128256;
    public const double RmsEpsilon = 1E-05, RopeTheta = 500000.0;
    public const double RopeFactor = 8.0, LowFrequencyFactor = 1.0, HighFrequencyFactor = 4.0, OriginalPositions = 8192.0;

    public static global::Ahwa.Lab.Import.LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,
        new global::Ahwa.Lab.Import.RopeScaling(RopeFactor, LowFrequencyFactor, HighFrequencyFactor, OriginalPositions), TiedEmbeddings: false);
}

/// <summary>One decoder layer of <see cref="Llama31_8B"/>, Hugging Face's LlamaDecoderLayer: pre-norm grouped-query
/// attention with rotary positions, then a pre-norm SwiGLU MLP, each added back to the residual stream.</summary>
[AnalogBlock]
public partial class Llama31_8BLayer
{
    [AnalogLinear(Llama31_8BConfig.Hidden, Llama31_8BConfig.Heads * Llama31_8BConfig.HeadSize, Bias = false, Name = "self_attn.q_proj")] public partial AnalogLinear QProj { get; }
    [AnalogLinear(Llama31_8BConfig.Hidden, Llama31_8BConfig.KeyValueHeads * Llama31_8BConfig.HeadSize, Bias = false, Name = "self_attn.k_proj")] public partial AnalogLinear KProj { get; }
    [AnalogLinear(Llama31_8BConfig.Hidden, Llama31_8BConfig.KeyValueHeads * Llama31_8BConfig.HeadSize, Bias = false, Name = "self_attn.v_proj")] public partial AnalogLinear VProj { get; }
    [AnalogLinear(Llama31_8BConfig.Heads * Llama31_8BConfig.HeadSize, Llama31_8BConfig.Hidden, Bias = false, Name = "self_attn.o_proj")] public partial AnalogLinear OProj { get; }
    [AnalogLinear(Llama31_8BConfig.Hidden, Llama31_8BConfig.Intermediate, Bias = false, Name = "mlp.gate_proj")] public partial AnalogLinear GateProj { get; }
    [AnalogLinear(Llama31_8BConfig.Hidden, Llama31_8BConfig.Intermediate, Bias = false, Name = "mlp.up_proj")] public partial AnalogLinear UpProj { get; }
    [AnalogLinear(Llama31_8BConfig.Intermediate, Llama31_8BConfig.Hidden, Bias = false, Name = "mlp.down_proj")] public partial AnalogLinear DownProj { get; }

    RmsNorm inputNorm = null!, postAttentionNorm = null!;

    partial void OnLayersCreated()
    {
        inputNorm = Decoder.RmsNorm(Llama31_8BConfig.Hidden, Llama31_8BConfig.RmsEpsilon);
        postAttentionNorm = Decoder.RmsNorm(Llama31_8BConfig.Hidden, Llama31_8BConfig.RmsEpsilon);
        RegisterLayer("input_layernorm", inputNorm);
        RegisterLayer("post_attention_layernorm", postAttentionNorm);
    }

    /// <param name="angles">Rotary angles of the tokens' positions, [tokens, head size].</param>
    /// <param name="layer">This layer's index in the key-value cache.</param>
    public Tensor Forward(Tensor x, Tensor angles, KeyValueCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        var h = inputNorm.call(x);
        var q = Decoder.Rotate(QProj.call(h).view(batch, tokens, Llama31_8BConfig.Heads, Llama31_8BConfig.HeadSize).transpose(1, 2), angles);
        var k = Decoder.Rotate(KProj.call(h).view(batch, tokens, Llama31_8BConfig.KeyValueHeads, Llama31_8BConfig.HeadSize).transpose(1, 2), angles);
        var v = VProj.call(h).view(batch, tokens, Llama31_8BConfig.KeyValueHeads, Llama31_8BConfig.HeadSize).transpose(1, 2);
        var context = Decoder.Attention(q, k, v, cache, layer).transpose(1, 2).reshape(batch, tokens, Llama31_8BConfig.Heads * Llama31_8BConfig.HeadSize);
        var attended = x.add(OProj.call(context));
        var m = postAttentionNorm.call(attended);
        return attended.add(DownProj.call(nn.functional.silu(GateProj.call(m)).mul(UpProj.call(m)))).MoveToOuterDisposeScope();
    }
}

/// <summary>LLaMA decoder: 32 layers, hidden 4096, intermediate 14336, 32 heads (8 key/value), vocabulary 128256, every projection analog with LoRA rank 16 (the paper's); embeddings, final norm
/// and the LM head digital and frozen; a chip of 26624 tiles of 512 x 512.</summary>
[AnalogModel]
[AnalogChip(Tiles = 26624)]
[RiscVCluster(L1KiB = 2048)] // the widest LoRA kernel needs 1757 KiB with one token per tile
[LoraDefaults(Rank = 16, Alpha = 32)]
public partial class Llama31_8B : ICausalLanguageModel
{
    [Blocks(typeof(Llama31_8BLayer), Llama31_8BConfig.Layers, Name = "model.layers")]
    public partial IReadOnlyList<Llama31_8BLayer> DecoderLayers { get; }

    Embedding embedTokens = null!;
    RmsNorm norm = null!;
    Linear lmHead = null!;

    partial void OnLayersCreated()
    {
        embedTokens = nn.Embedding(Llama31_8BConfig.Vocabulary, Llama31_8BConfig.Hidden);
        norm = Decoder.RmsNorm(Llama31_8BConfig.Hidden, Llama31_8BConfig.RmsEpsilon);
        lmHead = nn.Linear(Llama31_8BConfig.Hidden, Llama31_8BConfig.Vocabulary, hasBias: false);
        RegisterLayer("model.embed_tokens", embedTokens);
        RegisterLayer("model.norm", norm);
        RegisterLayer("lm_head", lmHead);
    }

    /// <summary>Next-token logits [batch, tokens, vocabulary] of token ids [batch, tokens]; with a cache, of tokens that
    /// follow the cached ones (their keys and values are appended, and the cache advances).</summary>
    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)
    {
        using var scope = NewDisposeScope();
        long start = cache is null ? 0 : cache.Length;
        var angles = Decoder.RotaryAngles(inputIds, start, Llama31_8BConfig.HeadSize, Llama31_8BConfig.RopeTheta, Llama31_8BConfig.RopeFactor, Llama31_8BConfig.LowFrequencyFactor, Llama31_8BConfig.HighFrequencyFactor, Llama31_8BConfig.OriginalPositions);
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

    long ICausalLanguageModel.Vocabulary => Llama31_8BConfig.Vocabulary;

    int ICausalLanguageModel.Layers => Llama31_8BConfig.Layers;

    Tensor ICausalLanguageModel.Logits(Tensor inputIds) => Forward(inputIds);

    Tensor ICausalLanguageModel.Logits(Tensor inputIds, KeyValueCache cache) => Forward(inputIds, cache);
}
