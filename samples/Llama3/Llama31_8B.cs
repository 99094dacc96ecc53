using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Lab.Import;
using Ahwa.Runtime;
using Ahwa.Runtime.Decoding;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Llama3;

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

/// <summary>LLaMA-3.1-8B (meta-llama/Llama-3.1-8B's config.json): hidden 4096, 32 layers, 32 query heads sharing 8
/// key-value heads, SwiGLU 14336, vocabulary 128256, rope_theta 500000 with LLaMA-3 scaling (factor 8, low 1, high 4,
/// original context 8192), RMS epsilon 1e-5, a separate LM head. The paper's AHWA-LoRA: rank 16 on the seven
/// projections of every layer, 41.9 M parameters (0.52 %). The LM head (and the embeddings) stay digital and frozen:
/// the paper's 0.52 % is exactly the seven projections, and the head is 525 M weights, for a digital cluster to hold,
/// not to train. The chip: 512 x 512 tiles, as many as the 224 projections need (26624). The cluster: the LoRA kernels
/// keep A and B resident in L1 (no weight streaming), and a 4096 x 14336 layer's rank-16 A and B with one token's
/// buffers need 1.7 MiB, so this deployment assumes a 2 MiB L1 rather than a Snitch cluster's 128 KiB.</summary>
[AnalogModel]
[AnalogChip(Tiles = 26624)]
[RiscVCluster(L1KiB = 2048)]
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
