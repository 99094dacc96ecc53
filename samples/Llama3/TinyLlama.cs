// Scaffolded by `ahwa scaffold` from a Hugging Face config.json (model_type llama): LLaMA decoder: 4 layers, hidden 128, intermediate 384, 4 heads (2 key/value), vocabulary 128, tied embeddings.
// Layers, norms and forward follow Hugging Face's LlamaForCausalLM, so the checkpoint loads with LlamaCheckpoint.Load.
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using Ahwa.Runtime.Decoders;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama3;

/// <summary>TinyLlama's config.json as constants; import checks a folder against <see cref="Expected"/>.</summary>
public static class TinyLlamaConfig
{
    public const int Hidden = 128, Layers = 4, Heads = 4, KeyValueHeads = 2, HeadSize = 32, Intermediate = 384, Vocabulary = 128;
    public const double RmsEpsilon = 1E-05, RopeTheta = 10000.0;
    // No rope_scaling: factor 1 leaves the rotary frequencies as they are.
    public const double RopeFactor = 1.0, LowFrequencyFactor = 1.0, HighFrequencyFactor = 4.0, OriginalPositions = 8192.0;

    public static global::Ahwa.Lab.Import.LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,
        Scaling: null, TiedEmbeddings: true);
}

/// <summary>One decoder layer of <see cref="TinyLlama"/>, Hugging Face's LlamaDecoderLayer: pre-norm grouped-query
/// attention with rotary positions, then a pre-norm SwiGLU MLP, each added back to the residual stream.</summary>
[AnalogBlock]
public partial class TinyLlamaLayer
{
    [AnalogLinear(TinyLlamaConfig.Hidden, TinyLlamaConfig.Heads * TinyLlamaConfig.HeadSize, Bias = false, Name = "self_attn.q_proj")] public partial AnalogLinear QProj { get; }
    [AnalogLinear(TinyLlamaConfig.Hidden, TinyLlamaConfig.KeyValueHeads * TinyLlamaConfig.HeadSize, Bias = false, Name = "self_attn.k_proj")] public partial AnalogLinear KProj { get; }
    [AnalogLinear(TinyLlamaConfig.Hidden, TinyLlamaConfig.KeyValueHeads * TinyLlamaConfig.HeadSize, Bias = false, Name = "self_attn.v_proj")] public partial AnalogLinear VProj { get; }
    [AnalogLinear(TinyLlamaConfig.Heads * TinyLlamaConfig.HeadSize, TinyLlamaConfig.Hidden, Bias = false, Name = "self_attn.o_proj")] public partial AnalogLinear OProj { get; }
    [AnalogLinear(TinyLlamaConfig.Hidden, TinyLlamaConfig.Intermediate, Bias = false, Name = "mlp.gate_proj")] public partial AnalogLinear GateProj { get; }
    [AnalogLinear(TinyLlamaConfig.Hidden, TinyLlamaConfig.Intermediate, Bias = false, Name = "mlp.up_proj")] public partial AnalogLinear UpProj { get; }
    [AnalogLinear(TinyLlamaConfig.Intermediate, TinyLlamaConfig.Hidden, Bias = false, Name = "mlp.down_proj")] public partial AnalogLinear DownProj { get; }

    RmsNorm inputNorm = null!, postAttentionNorm = null!;

    partial void OnLayersCreated()
    {
        inputNorm = Decoder.RmsNorm(TinyLlamaConfig.Hidden, TinyLlamaConfig.RmsEpsilon);
        postAttentionNorm = Decoder.RmsNorm(TinyLlamaConfig.Hidden, TinyLlamaConfig.RmsEpsilon);
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
        var q = Decoder.Rotate(QProj.call(h).view(batch, tokens, TinyLlamaConfig.Heads, TinyLlamaConfig.HeadSize).transpose(1, 2), angles);
        var k = Decoder.Rotate(KProj.call(h).view(batch, tokens, TinyLlamaConfig.KeyValueHeads, TinyLlamaConfig.HeadSize).transpose(1, 2), angles);
        var v = VProj.call(h).view(batch, tokens, TinyLlamaConfig.KeyValueHeads, TinyLlamaConfig.HeadSize).transpose(1, 2);
        var context = Decoder.Attention(q, k, v, cache, layer).transpose(1, 2).reshape(batch, tokens, TinyLlamaConfig.Heads * TinyLlamaConfig.HeadSize);
        var attended = x.add(OProj.call(context));
        var m = postAttentionNorm.call(attended);
        return attended.add(DownProj.call(nn.functional.silu(GateProj.call(m)).mul(UpProj.call(m)))).MoveToOuterDisposeScope();
    }
}

/// <summary>LLaMA decoder: 4 layers, hidden 128, intermediate 384, 4 heads (2 key/value), vocabulary 128, tied embeddings, every projection analog with LoRA rank 16 (the paper's); embeddings, final norm
/// and the LM head tied to the embeddings digital and frozen; a chip of 28 tiles of 512 x 512.</summary>
[AnalogModel]
[AnalogChip(Tiles = 28, DacBits = 0, AdcBits = 0, WeightClipSigma = 0)] // the paper's LLaMA runs: ideal converters, no clipping
[LoraDefaults(Rank = 16, Alpha = 32)]
public partial class TinyLlama : ICausalLanguageModel
{
    [Blocks(typeof(TinyLlamaLayer), TinyLlamaConfig.Layers, Name = "model.layers")]
    public partial IReadOnlyList<TinyLlamaLayer> DecoderLayers { get; }

    Embedding embedTokens = null!;
    RmsNorm norm = null!;

    partial void OnLayersCreated()
    {
        embedTokens = nn.Embedding(TinyLlamaConfig.Vocabulary, TinyLlamaConfig.Hidden);
        norm = Decoder.RmsNorm(TinyLlamaConfig.Hidden, TinyLlamaConfig.RmsEpsilon);
        RegisterLayer("model.embed_tokens", embedTokens);
        RegisterLayer("model.norm", norm);
    }

    /// <summary>Next-token logits [batch, tokens, vocabulary] of token ids [batch, tokens]; with a cache, of tokens that
    /// follow the cached ones (their keys and values are appended, and the cache advances).</summary>
    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)
    {
        using var scope = NewDisposeScope();
        long start = cache is null ? 0 : cache.Length;
        var angles = Decoder.RotaryAngles(inputIds, start, TinyLlamaConfig.HeadSize, TinyLlamaConfig.RopeTheta, TinyLlamaConfig.RopeFactor, TinyLlamaConfig.LowFrequencyFactor, TinyLlamaConfig.HighFrequencyFactor, TinyLlamaConfig.OriginalPositions);
        var h = embedTokens.call(inputIds);
        int layer = 0;
        foreach (var block in DecoderLayers)
        {
            h = block.Forward(h, angles, cache, layer);
            layer++;
        }
        if (cache is not null) cache.Advance(inputIds.shape[1]);
        return nn.functional.linear(norm.call(h), embedTokens.weight!).MoveToOuterDisposeScope();
    }

    long ICausalLanguageModel.Vocabulary => TinyLlamaConfig.Vocabulary;

    int ICausalLanguageModel.Layers => TinyLlamaConfig.Layers;

    Tensor ICausalLanguageModel.Logits(Tensor inputIds) => Forward(inputIds);

    Tensor ICausalLanguageModel.Logits(Tensor inputIds, KeyValueCache cache) => Forward(inputIds, cache);
}
