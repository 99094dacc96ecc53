using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Ahwa.Hardware;
using Ahwa.Lab.Import;

namespace Ahwa.Lab.CommandLine;

/// <summary>One linear layer of a scaffolded block or model: its C# property, its Hugging Face name, its shape.</summary>
public sealed record ScaffoldLayer(string Property, string Name, int In, int Out, bool Bias);

/// <summary>A model read from a Hugging Face config.json: the repeated block's layers and the model's own.
/// <see cref="Decoder"/>: a LLaMA's whole configuration, from which <see cref="ScaffoldDecoder"/> writes the complete class.</summary>
public sealed record ScaffoldModel(string ModelType, string BlockPrefix, int Blocks, IReadOnlyList<ScaffoldLayer> BlockLayers,
    IReadOnlyList<ScaffoldLayer> ModelLayers, string Head, string Summary, LlamaConfig? Decoder = null);

/// <summary>Writes an annotated C# model class from a Hugging Face BERT, MobileBERT or LLaMA config.json: every linear
/// layer under its Hugging Face name (so the checkpoint's weights load by name), the chip sized to hold them and the
/// cluster's L1 sized for the widest LoRA kernel. An encoder's forward is the user's to write (the DSL describes
/// layers); a LLaMA's is standard, so <see cref="ScaffoldDecoder"/> writes it too.</summary>
public static class Scaffold
{
    public static ScaffoldModel Read(string json, string source)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json).RootElement;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not JSON ({e.Message}).");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{source}: a config.json is a JSON object.");
        string type = root.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        int Int(string key, int? fallback = null)
        {
            if (root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i > 0) return i;
            if (fallback is int f) return f;
            throw new InvalidDataException($"{source}: '{key}' must be a positive integer for model_type '{type}'" +
                (root.TryGetProperty(key, out var bad) ? $", got {bad.GetRawText()}." : ", and it is missing."));
        }
        bool Bool(string key, bool fallback) => root.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
        if (type is not ("bert" or "mobilebert" or "llama"))
            throw new InvalidDataException($"{source}: model_type '{type}' is not one scaffold knows (bert, mobilebert, llama).");
        int labels = root.TryGetProperty("id2label", out var id2label) && id2label.ValueKind == JsonValueKind.Object ? id2label.EnumerateObject().Count() : Int("num_labels", 2);
        int hidden = Int("hidden_size"), layers = Int("num_hidden_layers"), intermediate = Int("intermediate_size");
        switch (type)
        {
            case "bert":
                return new ScaffoldModel(type, "encoder.layer", layers,
                [
                    new("Query", "attention.self.query", hidden, hidden, true), new("Key", "attention.self.key", hidden, hidden, true),
                    new("Value", "attention.self.value", hidden, hidden, true), new("AttentionOutput", "attention.output.dense", hidden, hidden, true),
                    new("Intermediate", "intermediate.dense", hidden, intermediate, true), new("Output", "output.dense", intermediate, hidden, true),
                ],
                [new("Pooler", "pooler.dense", hidden, hidden, true)], $"DigitalLinear({hidden}, {labels}, Name = \"classifier\")",
                $"BERT encoder: {layers} layers, hidden {hidden}, intermediate {intermediate}, {labels} labels");
            case "mobilebert":
                {
                    int inner = Bool("use_bottleneck", true) ? Int("intra_bottleneck_size") : hidden;
                    int embedding = Int("embedding_size"), ffns = Int("num_feedforward_networks", 1);
                    bool shared = Bool("key_query_shared_bottleneck", true);
                    var block = new List<ScaffoldLayer>
                {
                    // Query and key read the bottleneck's output (true_hidden_size); value reads the layer input unless use_bottleneck_attention.
                    new("Query", "attention.self.query", inner, inner, true), new("Key", "attention.self.key", inner, inner, true),
                    new("Value", "attention.self.value", Bool("use_bottleneck_attention", false) ? inner : hidden, inner, true), new("AttentionOutput", "attention.output.dense", inner, inner, true),
                    new("BottleneckInput", "bottleneck.input.dense", hidden, inner, true),
                };
                    if (shared) block.Add(new("BottleneckAttention", "bottleneck.attention.dense", hidden, inner, true));
                    for (int i = 0; i < ffns - 1; i++)
                    {
                        string n = i.ToString(CultureInfo.InvariantCulture);
                        block.Add(new("Ffn" + n + "Intermediate", $"ffn.{n}.intermediate.dense", inner, intermediate, true));
                        block.Add(new("Ffn" + n + "Output", $"ffn.{n}.output.dense", intermediate, inner, true));
                    }
                    block.Add(new("Intermediate", "intermediate.dense", inner, intermediate, true));
                    block.Add(new("Output", "output.dense", intermediate, inner, true));
                    block.Add(new("OutputBottleneck", "output.bottleneck.dense", inner, hidden, true));
                    // Trigram embedding input: three embedding-size vectors side by side.
                    return new ScaffoldModel(type, "encoder.layer", layers, block,
                        [new("EmbeddingTransformation", "embeddings.embedding_transformation", (Bool("trigram_input", true) ? 3 : 1) * embedding, hidden, true),
                        .. (Bool("classifier_activation", true) ? new ScaffoldLayer[] { new("Pooler", "pooler.dense", hidden, hidden, true) } : [])],
                        $"DigitalLinear({hidden}, {labels}, Name = \"classifier\")",
                        $"MobileBERT encoder: {layers} layers, hidden {hidden}, bottleneck {inner}, intermediate {intermediate}, {ffns} feed-forward networks, {labels} labels");
                }
            case "llama":
                {
                    // The import's reading of config.json, so the class's constants are what import later checks.
                    var config = LlamaConfig.FromJson(root, source);
                    int heads = config.Heads, kvHeads = config.KeyValueHeads, vocab = config.Vocabulary;
                    if (heads % kvHeads != 0) throw new InvalidDataException($"{source}: num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}.");
                    int q = heads * config.HeadSize, kv = kvHeads * config.HeadSize;
                    bool bias = Bool("attention_bias", false), mlpBias = Bool("mlp_bias", false);
                    return new ScaffoldModel(type, "model.layers", layers,
                    [
                        new("QProj", "self_attn.q_proj", hidden, q, bias), new("KProj", "self_attn.k_proj", hidden, kv, bias),
                    new("VProj", "self_attn.v_proj", hidden, kv, bias), new("OProj", "self_attn.o_proj", q, hidden, bias),
                    new("GateProj", "mlp.gate_proj", hidden, intermediate, mlpBias), new("UpProj", "mlp.up_proj", hidden, intermediate, mlpBias),
                    new("DownProj", "mlp.down_proj", intermediate, hidden, mlpBias),
                ],
                    [], $"DigitalLinear({hidden}, {vocab}, Name = \"lm_head\", Bias = false)",
                    $"LLaMA decoder: {layers} layers, hidden {hidden}, intermediate {intermediate}, {heads} heads ({kvHeads} key/value), vocabulary {vocab}" +
                    (config.TiedEmbeddings ? ", tied embeddings" : ""), config);
                }
            default:
                throw new InvalidDataException($"{source}: model_type '{type}' is not one scaffold knows (bert, mobilebert, llama).");
        }
    }

    /// <summary>The C# source of the model class and its block class.</summary>
    /// <param name="idealConverters">The paper's LLaMA chip: ideal DAC and ADC, no weight clipping, no cluster kernels.</param>
    public static string Write(ScaffoldModel model, string className, string? @namespace, bool idealConverters = false)
    {
        if (model.Decoder is { } decoder) return ScaffoldDecoder.Write(model, decoder, className, @namespace, idealConverters);
        var chip = ChipSpec.Default;
        var analog = model.BlockLayers.Select(l => (Layer: l, Count: model.Blocks)).Concat(model.ModelLayers.Select(l => (Layer: l, Count: 1))).ToList();
        long tiles = Tiles(analog);
        string block = className + "Layer";
        var s = new StringBuilder();
        s.Append("// Scaffolded by `ahwa scaffold` from a Hugging Face config.json (model_type ").Append(model.ModelType).Append("): ").Append(model.Summary).Append(".\n");
        s.Append("// Layers carry the checkpoint's names, so its weights load by name. The forward (embeddings, attention, norms) is yours to write.\n");
        s.Append("using System.Collections.Generic;\nusing Ahwa.Dsl;\nusing Ahwa.Runtime;\n\n");
        if (@namespace is not null) s.Append("namespace ").Append(@namespace).Append(";\n\n");
        s.Append("/// <summary>One of the ").Append(I(model.Blocks)).Append(" layers under ").Append(model.BlockPrefix).Append(".</summary>\n[AnalogBlock]\npublic partial class ").Append(block).Append("\n{\n");
        foreach (var layer in model.BlockLayers) Property(s, layer);
        s.Append("}\n\n");
        s.Append("/// <summary>").Append(model.Summary).Append(" on a chip of ").Append(I(tiles)).Append(" tiles.</summary>\n[AnalogModel]\n");
        ChipAttributes(s, analog.Select(a => a.Layer), LoraSpec.Default, Math.Max(tiles, chip.Tiles), idealConverters, "ideal converters, no clipping");
        s.Append("public partial class ").Append(className).Append("\n{\n");
        s.Append("    [Blocks(typeof(").Append(block).Append("), ").Append(I(model.Blocks)).Append(", Name = \"").Append(model.BlockPrefix).Append("\")]\n");
        s.Append("    public partial IReadOnlyList<").Append(block).Append("> Layers { get; }\n\n");
        foreach (var layer in model.ModelLayers) Property(s, layer);
        s.Append("    [").Append(model.Head).Append("] // task head: stays digital\n");
        s.Append("    public partial DigitalLinear Head { get; }\n}\n");
        return s.ToString();
    }

    static void Property(StringBuilder s, ScaffoldLayer layer)
    {
        s.Append("    [AnalogLinear(").Append(I(layer.In)).Append(", ").Append(I(layer.Out)).Append(", Name = \"").Append(layer.Name).Append('"');
        if (!layer.Bias) s.Append(", Bias = false");
        s.Append(")]\n    public partial AnalogLinear ").Append(layer.Property).Append(" { get; }\n\n");
    }

    /// <summary>The tiles the layers take on the default chip, each counted <c>Count</c> times (Targets' splitting).</summary>
    internal static long Tiles(IEnumerable<(ScaffoldLayer Layer, int Count)> layers)
    {
        var chip = ChipSpec.Default;
        return layers.Sum(a => (long)a.Count * TileSplitting.BlockCount(a.Layer.In, chip.TileRows) * TileSplitting.BlockCount(a.Layer.Out, chip.TileCols));
    }

    /// <summary>[AnalogChip] with <paramref name="tiles"/>, and either ideal converters (no cluster kernels, so no L1 to
    /// size) or [RiscVCluster] with the L1 the widest layer's kernel needs at one token per tile (the generator refuses
    /// less), in powers of two from the default.</summary>
    internal static void ChipAttributes(StringBuilder s, IEnumerable<ScaffoldLayer> layers, LoraSpec lora, long tiles, bool idealConverters, string idealComment)
    {
        if (idealConverters)
        {
            s.Append("[AnalogChip(Tiles = ").Append(I(tiles)).Append(", DacBits = 0, AdcBits = 0, WeightClipSigma = 0)] // ").Append(idealComment).Append('\n');
            return;
        }
        long l1Bytes = layers.Max(l => MemoryPlanner.WorkingSet(new LayerSpec(l.Name, LayerKind.Analog, l.In, l.Out, l.Bias, lora), ChipSpec.Default, ClusterSpec.Default, 1));
        int l1KiB = ClusterSpec.Default.L1KiB;
        while ((long)l1KiB * 1024 < l1Bytes) l1KiB *= 2;
        s.Append("[AnalogChip(Tiles = ").Append(I(tiles)).Append(")]\n");
        s.Append("[RiscVCluster(L1KiB = ").Append(I(l1KiB)).Append(")] // the widest LoRA kernel needs ").Append(I((l1Bytes + 1023) / 1024)).Append(" KiB with one token per tile\n");
    }

    internal static string I(long value) => value.ToString(CultureInfo.InvariantCulture);
}
