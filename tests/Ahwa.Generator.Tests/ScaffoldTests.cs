using System.IO;
using System.Linq;
using Ahwa.Lab.CommandLine;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>`ahwa scaffold` on the published config.json of bert-base-uncased, google/mobilebert-uncased,
/// Meta-Llama-3-8B and Llama-3.2-1B (their values as released): the class it writes compiles through the generator
/// with no diagnostic, and has the checkpoint's layer names and shapes.</summary>
public class ScaffoldTests
{
    const string Bert = """
        {"architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false, "hidden_act": "gelu",
         "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-12,
         "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12, "num_hidden_layers": 12, "pad_token_id": 0,
         "position_embedding_type": "absolute", "transformers_version": "4.6.0.dev0", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}
        """;

    const string MobileBert = """
        {"attention_probs_dropout_prob": 0.1, "classifier_activation": false, "embedding_size": 128, "hidden_act": "relu", "hidden_dropout_prob": 0.0,
         "hidden_size": 512, "initializer_range": 0.02, "intermediate_size": 512, "intra_bottleneck_size": 128, "key_query_shared_bottleneck": true,
         "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "mobilebert", "normalization_type": "no_norm", "num_attention_heads": 4,
         "num_feedforward_networks": 4, "num_hidden_layers": 24, "pad_token_id": 0, "trigram_input": true, "true_hidden_size": 128, "type_vocab_size": 2,
         "use_bottleneck": true, "use_bottleneck_attention": false, "vocab_size": 30522}
        """;

    const string Llama3 = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000, "eos_token_id": 128001,
         "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 8192,
         "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.40.0.dev0",
         "use_cache": true, "vocab_size": 128256}
        """;

    static Ahwa.Hardware.ModelSpec Compile(string config, string name)
    {
        var source = Scaffold.Write(Scaffold.Read(config, "config.json"), name, "Scaffolded");
        var run = Harness.Generate(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, source + "\n" + string.Join("\n", run.GeneratorDiagnostics));
        var problems = Harness.CompileProblems(run.Output);
        Assert.True(problems.Count == 0, source + "\n" + string.Join("\n", problems));
        return Harness.Static<Ahwa.Hardware.ModelSpec>(Harness.Load(run.Output), "Scaffolded." + name, "Spec");
    }

    [Fact]
    public void BertBaseCompilesWithItsCheckpointNames()
    {
        var spec = Compile(Bert, "Bert");
        Assert.Equal(12 * 6 + 2, spec.Layers.Count);
        var intermediate = spec.Layers.Single(l => l.Name == "encoder.layer.11.intermediate.dense");
        Assert.Equal((768, 3072), (intermediate.InFeatures, intermediate.OutFeatures));
        Assert.Equal((768, 2), (spec.Layers[^1].InFeatures, spec.Layers[^1].OutFeatures));
        Assert.Equal("classifier", spec.Layers[^1].Name);
    }

    [Fact]
    public void MobileBertCompilesWithItsBottlenecksAndFeedForwardStack()
    {
        var spec = Compile(MobileBert, "MobileBert");
        // Per layer 15: q, k, v, attention output, two bottleneck inputs, three extra FFNs of two, intermediate, output,
        // output bottleneck; then the embedding transformation and the head.
        Assert.Equal(24 * 15 + 2, spec.Layers.Count);
        Assert.Equal((512, 128), Shape(spec, "encoder.layer.0.attention.self.value"));
        Assert.Equal((128, 128), Shape(spec, "encoder.layer.0.attention.self.query"));
        Assert.Equal((128, 512), Shape(spec, "encoder.layer.23.ffn.2.intermediate.dense"));
        Assert.Equal((128, 512), Shape(spec, "encoder.layer.23.output.bottleneck.dense"));
        Assert.Equal((384, 512), Shape(spec, "embeddings.embedding_transformation"));
        Assert.DoesNotContain(spec.Layers, l => l.Name == "pooler.dense"); // classifier_activation false: no pooler dense
    }

    /// <summary>meta-llama/Llama-3.2-1B's config.json: tied embeddings, head_dim given, LLaMA-3 rope scaling.</summary>
    const string Llama32 = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000, "eos_token_id": 128001,
         "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 8192,
         "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16,
         "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
         "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0", "use_cache": true,
         "vocab_size": 128256}
        """;

    /// <summary>The whole decoder (norms, rotary, attention, SwiGLU, head) is written, not only its linear layers; the
    /// head is a frozen digital module, so the spec holds the seven projections per layer.</summary>
    [Fact]
    public void Llama3CompilesAsAWholeDecoderWithGroupedKeyValueShapes()
    {
        var (spec, assembly) = CompileDecoder(Llama3, "Llama");
        Assert.Equal(32 * 7, spec.Layers.Count);
        Assert.Equal((4096, 1024), Shape(spec, "model.layers.31.self_attn.k_proj")); // 8 key/value heads of 128
        Assert.Equal((14336, 4096), Shape(spec, "model.layers.0.mlp.down_proj"));
        Assert.DoesNotContain(spec.Layers, l => l.Bias);
        Assert.All(spec.Layers, l => Assert.Equal(16, l.Lora!.Rank));
        Assert.Equal(32 * (64 + 16 + 16 + 64 + 3 * 224), spec.Chip.Tiles); // every tile of 512 x 512 used, as samples/Llama3's Llama31_8B
        Assert.Equal(Ahwa.Lab.Import.LlamaConfig.FromJson(System.Text.Json.JsonDocument.Parse(Llama3).RootElement, "config.json"),
            Harness.Static<Ahwa.Lab.Import.LlamaConfig>(assembly, "Scaffolded.LlamaConfig", "Expected"));
        var source = Scaffold.Write(Scaffold.Read(Llama3, "config.json"), "Llama", "Scaffolded");
        Assert.Contains("RegisterLayer(\"lm_head\", lmHead);", source);
        Assert.Contains("public const double RmsEpsilon = 1E-05, RopeTheta = 500000.0;", source);
    }

    [Fact]
    public void Llama32WithTiedEmbeddingsAndHeadDimensionCompilesAndImportWouldAcceptItsFolder()
    {
        var (spec, assembly) = CompileDecoder(Llama32, "Llama32");
        Assert.Equal(16 * 7, spec.Layers.Count);
        Assert.Equal((2048, 512), Shape(spec, "model.layers.0.self_attn.k_proj")); // 8 key/value heads of head_dim 64
        Assert.Equal((2048, 2048), Shape(spec, "model.layers.15.self_attn.o_proj"));
        var expected = Harness.Static<Ahwa.Lab.Import.LlamaConfig>(assembly, "Scaffolded.Llama32Config", "Expected");
        Assert.Equal(Ahwa.Lab.Import.LlamaConfig.FromJson(System.Text.Json.JsonDocument.Parse(Llama32).RootElement, "config.json"), expected);
        Assert.True(expected.TiedEmbeddings);
        Assert.Equal(new Ahwa.Lab.Import.RopeScaling(32, 1, 4, 8192), expected.Scaling);
        var source = Scaffold.Write(Scaffold.Read(Llama32, "config.json"), "Llama32", "Scaffolded");
        Assert.DoesNotContain("lm_head", source);
        Assert.Contains("nn.functional.linear(norm.call(h), embedTokens.weight!)", source);
        Assert.Equal(source, Scaffold.Write(Scaffold.Read(Llama32, "config.json"), "Llama32", "Scaffolded")); // stable bytes
    }

    /// <summary>samples/Llama3's decoders are scaffold's output for the config.json beside them, byte for byte, so the
    /// sample's tests (logits against llama_reference.py, the PyTorch translation, import, deployment) test what
    /// `ahwa scaffold` writes. After a change to the scaffold, regenerate them with the commands in docs/decoders.md.</summary>
    [Theory]
    [InlineData("TinyLlama", "TinyLlama.json", true)]
    [InlineData("Llama31_8B", "Llama-3.1-8B.json", false)]
    public void TheLlamaSamplesAreScaffoldsOutput(string className, string config, bool ideal)
    {
        string json = Harness.ReadRepoFile("samples/Llama3/configs/" + config);
        string expected = Scaffold.Write(Scaffold.Read(json, config), className, "Llama3", ideal);
        Assert.Equal(expected, Harness.ReadRepoFile($"samples/Llama3/{className}.cs"));
    }

    static (Ahwa.Hardware.ModelSpec Spec, System.Reflection.Assembly Assembly) CompileDecoder(string config, string name)
    {
        var source = Scaffold.Write(Scaffold.Read(config, "config.json"), name, "Scaffolded");
        var run = Harness.Generate(source);
        // No diagnostic at all: none of the generator's, none of the PyTorch target's (AHWA0100-0104: it translates).
        Assert.True(run.GeneratorDiagnostics.IsEmpty, source + "\n" + string.Join("\n", run.GeneratorDiagnostics));
        var problems = Harness.CompileProblems(run.Output);
        Assert.True(problems.Count == 0, source + "\n" + string.Join("\n", problems));
        var assembly = Harness.Load(run.Output);
        return (Harness.Static<Ahwa.Hardware.ModelSpec>(assembly, "Scaffolded." + name, "Spec"), assembly);
    }

    [Fact]
    public void AConfigWithoutAShapeIsRefusedNamingTheKey()
    {
        var error = Assert.Throws<InvalidDataException>(() => Scaffold.Read("""{"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12}""", "cfg.json"));
        Assert.Equal("cfg.json: 'intermediate_size' must be a positive integer for model_type 'bert', and it is missing.", error.Message);
    }

    static (int, int) Shape(Ahwa.Hardware.ModelSpec spec, string name)
    {
        var layer = spec.Layers.Single(l => l.Name == name);
        return (layer.InFeatures, layer.OutFeatures);
    }
}
