using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Ahwa.Hardware;
using Ahwa.Lab.Import;

namespace Ahwa.Lab.CommandLine;

/// <summary>A LLaMA-family decoder written whole from its config.json: the configuration as constants (with the
/// <see cref="LlamaConfig"/> import checks a folder against), the decoder layer with Hugging Face's names, norms and
/// forward (LlamaDecoderLayer), and the model with embeddings, final norm, a tied or separate LM head and
/// <c>ICausalLanguageModel</c>. LoRA rank 16 on every projection, the paper's choice; embeddings and head stay digital
/// and frozen. What a user edits afterwards is the chip, not the architecture.</summary>
public static class ScaffoldDecoder
{
    /// <param name="idealConverters">The paper's LLaMA chip: ideal DAC and ADC, no weight clipping (and so no cluster
    /// kernels, which read ADC codes); otherwise the default chip with the cluster's L1 sized for the widest kernel.</param>
    public static string Write(ScaffoldModel model, LlamaConfig c, string className, string? @namespace, bool idealConverters = false)
    {
        string config = className + "Config", block = className + "Layer";
        var chip = ChipSpec.Default;
        long tiles = Scaffold.Tiles(model.BlockLayers.Select(l => (l, c.Layers)));
        var scaling = c.Scaling;

        var s = new StringBuilder();
        s.Append("// Scaffolded by `ahwa scaffold` from a Hugging Face config.json (model_type llama): ").Append(model.Summary).Append(".\n");
        s.Append("// Layers, norms and forward follow Hugging Face's LlamaForCausalLM, so the checkpoint loads with LlamaCheckpoint.Load.\n");
        s.Append("using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\nusing Ahwa.Runtime.Decoders;\n");
        s.Append("using TorchSharp.Modules;\nusing static TorchSharp.torch;\n\n");
        if (@namespace is not null) s.Append("namespace ").Append(@namespace).Append(";\n\n");

        s.Append("/// <summary>").Append(className).Append("'s config.json as constants; import checks a folder against <see cref=\"Expected\"/>.</summary>\n");
        s.Append("public static class ").Append(config).Append("\n{\n");
        s.Append("    public const int Hidden = ").Append(I(c.Hidden)).Append(", Layers = ").Append(I(c.Layers)).Append(", Heads = ").Append(I(c.Heads))
            .Append(", KeyValueHeads = ").Append(I(c.KeyValueHeads)).Append(", HeadSize = ").Append(I(c.HeadSize)).Append(", Intermediate = ").Append(I(c.Intermediate))
            .Append(", Vocabulary = ").Append(I(c.Vocabulary)).Append(";\n");
        s.Append("    public const double RmsEpsilon = ").Append(D(c.RmsEpsilon)).Append(", RopeTheta = ").Append(D(c.RopeTheta)).Append(";\n");
        if (scaling is null) s.Append("    // No rope_scaling: factor 1 leaves the rotary frequencies as they are.\n");
        s.Append("    public const double RopeFactor = ").Append(D(scaling?.Factor ?? 1)).Append(", LowFrequencyFactor = ").Append(D(scaling?.LowFrequencyFactor ?? 1))
            .Append(", HighFrequencyFactor = ").Append(D(scaling?.HighFrequencyFactor ?? 4)).Append(", OriginalPositions = ").Append(D(scaling?.OriginalPositions ?? 8192)).Append(";\n\n");
        // Qualified: the default class name Llama makes this class LlamaConfig too.
        s.Append("    public static global::Ahwa.Lab.Import.LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,\n");
        s.Append("        ").Append(scaling is null ? "Scaling: null" : "new global::Ahwa.Lab.Import.RopeScaling(RopeFactor, LowFrequencyFactor, HighFrequencyFactor, OriginalPositions)")
            .Append(", TiedEmbeddings: ").Append(c.TiedEmbeddings ? "true" : "false").Append(");\n}\n\n");

        s.Append("/// <summary>One decoder layer of <see cref=\"").Append(className).Append("\"/>, Hugging Face's LlamaDecoderLayer: pre-norm grouped-query\n");
        s.Append("/// attention with rotary positions, then a pre-norm SwiGLU MLP, each added back to the residual stream.</summary>\n");
        s.Append("[AnalogBlock]\npublic partial class ").Append(block).Append("\n{\n");
        string q = $"{config}.Heads * {config}.HeadSize", kv = $"{config}.KeyValueHeads * {config}.HeadSize";
        Projection(s, config + ".Hidden", q, model.BlockLayers[0]);
        Projection(s, config + ".Hidden", kv, model.BlockLayers[1]);
        Projection(s, config + ".Hidden", kv, model.BlockLayers[2]);
        Projection(s, q, config + ".Hidden", model.BlockLayers[3]);
        Projection(s, config + ".Hidden", config + ".Intermediate", model.BlockLayers[4]);
        Projection(s, config + ".Hidden", config + ".Intermediate", model.BlockLayers[5]);
        Projection(s, config + ".Intermediate", config + ".Hidden", model.BlockLayers[6]);
        s.Append("\n    RmsNorm inputNorm = null!, postAttentionNorm = null!;\n\n");
        s.Append("    partial void OnLayersCreated()\n    {\n");
        s.Append("        inputNorm = Decoder.RmsNorm(").Append(config).Append(".Hidden, ").Append(config).Append(".RmsEpsilon);\n");
        s.Append("        postAttentionNorm = Decoder.RmsNorm(").Append(config).Append(".Hidden, ").Append(config).Append(".RmsEpsilon);\n");
        s.Append("        RegisterLayer(\"input_layernorm\", inputNorm);\n        RegisterLayer(\"post_attention_layernorm\", postAttentionNorm);\n    }\n\n");
        s.Append("    /// <param name=\"angles\">Rotary angles of the tokens' positions, [tokens, head size].</param>\n");
        s.Append("    /// <param name=\"layer\">This layer's index in the key-value cache.</param>\n");
        s.Append("    public Tensor Forward(Tensor x, Tensor angles, KeyValueCache? cache, int layer)\n    {\n");
        s.Append("        using var scope = NewDisposeScope();\n        long batch = x.shape[0], tokens = x.shape[1];\n        var h = inputNorm.call(x);\n");
        s.Append("        var q = Decoder.Rotate(QProj.call(h).view(batch, tokens, ").Append(config).Append(".Heads, ").Append(config).Append(".HeadSize).transpose(1, 2), angles);\n");
        s.Append("        var k = Decoder.Rotate(KProj.call(h).view(batch, tokens, ").Append(config).Append(".KeyValueHeads, ").Append(config).Append(".HeadSize).transpose(1, 2), angles);\n");
        s.Append("        var v = VProj.call(h).view(batch, tokens, ").Append(config).Append(".KeyValueHeads, ").Append(config).Append(".HeadSize).transpose(1, 2);\n");
        s.Append("        var context = Decoder.Attention(q, k, v, cache, layer).transpose(1, 2).reshape(batch, tokens, ").Append(q).Append(");\n");
        s.Append("        var attended = x.add(OProj.call(context));\n        var m = postAttentionNorm.call(attended);\n");
        s.Append("        return attended.add(DownProj.call(nn.functional.silu(GateProj.call(m)).mul(UpProj.call(m)))).MoveToOuterDisposeScope();\n    }\n}\n\n");

        s.Append("/// <summary>").Append(model.Summary).Append(", every projection analog with LoRA rank 16 (the paper's); embeddings, final norm\n");
        s.Append("/// and ").Append(c.TiedEmbeddings ? "the LM head tied to the embeddings" : "the LM head").Append(" digital and frozen; a chip of ").Append(I(tiles))
            .Append(" tiles of ").Append(I(chip.TileRows)).Append(" x ").Append(I(chip.TileCols)).Append(".</summary>\n");
        s.Append("[AnalogModel]\n");
        Scaffold.ChipAttributes(s, model.BlockLayers, LoraSpec.Default with { Rank = 16, Alpha = 32 }, tiles, idealConverters,
            "the paper's LLaMA runs: ideal converters, no clipping");
        s.Append("[LoraDefaults(Rank = 16, Alpha = 32)]\npublic partial class ").Append(className).Append(" : ICausalLanguageModel\n{\n");
        s.Append("    [Blocks(typeof(").Append(block).Append("), ").Append(config).Append(".Layers, Name = \"model.layers\")]\n");
        s.Append("    public partial IReadOnlyList<").Append(block).Append("> DecoderLayers { get; }\n\n");
        s.Append("    Embedding embedTokens = null!;\n    RmsNorm norm = null!;\n");
        if (!c.TiedEmbeddings) s.Append("    Linear lmHead = null!;\n");
        s.Append("\n    partial void OnLayersCreated()\n    {\n");
        s.Append("        embedTokens = nn.Embedding(").Append(config).Append(".Vocabulary, ").Append(config).Append(".Hidden);\n");
        s.Append("        norm = Decoder.RmsNorm(").Append(config).Append(".Hidden, ").Append(config).Append(".RmsEpsilon);\n");
        if (!c.TiedEmbeddings) s.Append("        lmHead = nn.Linear(").Append(config).Append(".Hidden, ").Append(config).Append(".Vocabulary, hasBias: false);\n");
        s.Append("        RegisterLayer(\"model.embed_tokens\", embedTokens);\n        RegisterLayer(\"model.norm\", norm);\n");
        if (!c.TiedEmbeddings) s.Append("        RegisterLayer(\"lm_head\", lmHead);\n");
        s.Append("    }\n\n");
        s.Append("    /// <summary>Next-token logits [batch, tokens, vocabulary] of token ids [batch, tokens]; with a cache, of tokens that\n");
        s.Append("    /// follow the cached ones (their keys and values are appended, and the cache advances).</summary>\n");
        s.Append("    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)\n    {\n");
        s.Append("        using var scope = NewDisposeScope();\n        long start = cache is null ? 0 : cache.Length;\n");
        s.Append("        var angles = Decoder.RotaryAngles(inputIds, start, ").Append(config).Append(".HeadSize, ").Append(config).Append(".RopeTheta, ")
            .Append(config).Append(".RopeFactor, ").Append(config).Append(".LowFrequencyFactor, ").Append(config).Append(".HighFrequencyFactor, ")
            .Append(config).Append(".OriginalPositions);\n");
        s.Append("        var h = embedTokens.call(inputIds);\n        int layer = 0;\n        foreach (var block in DecoderLayers)\n        {\n");
        s.Append("            h = block.Forward(h, angles, cache, layer);\n            layer++;\n        }\n");
        s.Append("        if (cache is not null) cache.Advance(inputIds.shape[1]);\n");
        s.Append(c.TiedEmbeddings
            ? "        return nn.functional.linear(norm.call(h), embedTokens.weight!).MoveToOuterDisposeScope();\n"
            : "        return lmHead.call(norm.call(h)).MoveToOuterDisposeScope();\n");
        s.Append("    }\n\n");
        s.Append("    long ICausalLanguageModel.Vocabulary => ").Append(config).Append(".Vocabulary;\n\n");
        s.Append("    int ICausalLanguageModel.Layers => ").Append(config).Append(".Layers;\n\n");
        s.Append("    Tensor ICausalLanguageModel.Logits(Tensor inputIds) => Forward(inputIds);\n\n");
        s.Append("    Tensor ICausalLanguageModel.Logits(Tensor inputIds, KeyValueCache cache) => Forward(inputIds, cache);\n}\n");
        return s.ToString();
    }

    static void Projection(StringBuilder s, string inFeatures, string outFeatures, ScaffoldLayer layer)
    {
        s.Append("    [AnalogLinear(").Append(inFeatures).Append(", ").Append(outFeatures);
        if (!layer.Bias) s.Append(", Bias = false");
        s.Append(", Name = \"").Append(layer.Name).Append("\")] public partial AnalogLinear ").Append(layer.Property).Append(" { get; }\n");
    }

    static string I(long value) => Scaffold.I(value);

    /// <summary>Round-trip form, with a decimal point so the constant is a double ("1E-05", "500000.0").</summary>
    static string D(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }
}
