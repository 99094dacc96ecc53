using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Llama3;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>Issue 16, item 2: a Hugging Face LLaMA folder (config.json, shards with their index or one file; BF16, F16,
/// F32) into the DSL model, with logits equal to the independent reference's on the same folder, and each bad input an
/// error naming the file and the tensor or field.</summary>
public sealed class LlamaImportTests : IDisposable
{
    readonly ITestOutputHelper output;
    readonly string root = Directory.CreateTempSubdirectory("ahwa-llama-import-").FullName;

    public LlamaImportTests(ITestOutputHelper output) => this.output = output;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData(nameof(TinyLlama), "BF16", 3)]
    [InlineData(nameof(SmallLlama), "F16", 1)]
    public void ImportedCheckpointGivesTheReferenceLogits(string which, string dtype, int shards)
    {
        var (source, _, config) = LlamaModelTests.Create(which, 41);
        var folder = Path.Combine(root, which);
        using (source) LlamaFolders.Write(source, LlamaFolders.ConfigJson(config), folder, dtype, shards);

        var (model, lm, _) = LlamaModelTests.Create(which, 42); // other weights until the import replaces them
        using var _ = model;
        var import = LlamaCheckpoint.Load(model, folder, config);
        Assert.Equal(shards, import.Shards.Count);
        Assert.Equal(new[] { dtype }, import.Dtypes.Keys.ToArray());
        Assert.Equal(LlamaCheckpoint.PretrainedParameters(model).Count, import.Tensors);
        if (shards > 1) Assert.Equal("model-00001-of-00003.safetensors", import.Shards[0]);

        var ids = LlamaModelTests.Ids(config.Vocabulary);
        var reference = LlamaFolders.Reference(folder, ids, new[] { new float[config.Hidden] });
        float[] logits;
        using (no_grad()) logits = lm.Logits(tensor(ids.SelectMany(r => r).ToArray()).view(2, -1)).contiguous().data<float>().ToArray();
        double difference = LlamaFolders.MaxDifference(logits, reference.Logits);
        output.WriteLine($"{which}, {dtype} in {shards} shard(s): {import.Tensors} tensors; logits differ from the reference by {difference:E2}");
        Assert.True(difference < 1e-5, $"logits differ by {difference:E3}");
    }

    string Folder(string name, int shards = 1, Func<List<RawTensor>, List<RawTensor>>? edit = null, Action<Dictionary<string, object>>? config = null)
    {
        var (model, _, expected) = LlamaModelTests.Create(nameof(SmallLlama), 51);
        using var _ = model;
        var json = LlamaFolders.ConfigJson(expected);
        config?.Invoke(json);
        var folder = Path.Combine(root, name);
        LlamaFolders.Write(model, json, folder, "BF16", shards, edit);
        return folder;
    }

    static Exception Import(string folder)
    {
        using var model = new SmallLlama(seed: 1);
        return Assert.ThrowsAny<Exception>(() => LlamaCheckpoint.Load(model, folder, SmallLlamaConfig.Expected));
    }

    static List<RawTensor> Replace(List<RawTensor> tensors, string name, Func<RawTensor, RawTensor?> change) =>
        tensors.Select(t => t.Name == name ? change(t) : t).Where(t => t is not null).Select(t => t!).ToList();

    [Fact]
    public void AMissingShardNamesTheFileAndATensorItHolds()
    {
        var folder = Folder("missing-shard", shards: 2);
        File.Delete(Path.Combine(folder, "model-00002-of-00002.safetensors"));
        var error = Assert.IsType<FileNotFoundException>(Import(folder));
        Assert.Contains("model-00002-of-00002.safetensors': shard missing; model.safetensors.index.json puts tensor 'model.", error.Message);
    }

    [Fact]
    public void AWrongShapeNamesTheTensorAndBothShapes()
    {
        var folder = Folder("wrong-shape", edit: t => Replace(t, "model.layers.1.mlp.up_proj.weight", r => r with { Shape = new long[] { 24, 64 } }));
        var error = Assert.IsType<InvalidDataException>(Import(folder));
        Assert.Contains("tensor 'model.layers.1.mlp.up_proj.weight' has shape [24, 64] but the model's parameter is [48, 32]", error.Message);
    }

    [Fact]
    public void AnUnknownDtypeNamesTheTensorAndTheDtype()
    {
        var folder = Folder("dtype", edit: t => Replace(t, "model.norm.weight", r => r with { Dtype = "I16" }));
        var error = Assert.IsType<InvalidDataException>(Import(folder));
        Assert.Contains("model.safetensors': tensor 'model.norm.weight' has dtype I16; only F32, F16 and BF16 are supported", error.Message);
    }

    [Fact]
    public void AnUnexpectedTensorIsNamedInTheFileAndInTheIndex()
    {
        var extra = new RawTensor("model.layers.2.mlp.up_proj.weight", "BF16", new long[] { 2 }, new byte[4]);
        var single = Assert.IsType<InvalidDataException>(Import(Folder("unexpected", edit: t => t.Append(extra).ToList())));
        Assert.Contains("model.safetensors': tensor 'model.layers.2.mlp.up_proj.weight' is not a parameter of SmallLlama (a layer the model class does not have)", single.Message);
        var sharded = Assert.IsType<InvalidDataException>(Import(Folder("unexpected-sharded", shards: 2, edit: t => t.Append(extra).ToList())));
        Assert.Contains("model.safetensors.index.json': tensor 'model.layers.2.mlp.up_proj.weight' is not a parameter of the model", sharded.Message);
    }

    [Fact]
    public void AMissingTensorIsNamed()
    {
        var error = Assert.IsType<InvalidDataException>(Import(Folder("missing", edit: t => Replace(t, "model.norm.weight", _ => null))));
        Assert.Contains("tensor 'model.norm.weight' of the model is in no shard", error.Message);
    }

    [Theory]
    [InlineData("model_type", "mistral", "config.json': model_type is 'mistral'; only LLaMA-family decoders")]
    [InlineData("hidden_size", 64, "config.json': hidden_size is 64 but the model class has 32")]
    [InlineData("num_key_value_heads", 1, "config.json': num_key_value_heads is 1 but the model class has 2")]
    [InlineData("rope_theta", 500000.0, "config.json': rope_theta is 500000 but the model class has 10000")]
    [InlineData("tie_word_embeddings", true, "config.json': tie_word_embeddings is true but the model class has false")]
    [InlineData("vocab_size", "40", "config.json': vocab_size is \"40\"; it must be a positive integer")]
    public void AConfigThatIsNotTheModelsNamesTheFieldAndBothValues(string field, object value, string message)
    {
        var error = Assert.IsType<InvalidDataException>(Import(Folder("config-" + field, config: c => c[field] = value)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ARopeScalingOtherThanLlama3IsRefused()
    {
        var folder = Folder("yarn", config: c => c["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = "yarn", ["factor"] = 8.0 });
        Assert.Contains("rope_scaling.rope_type is 'yarn'; only LLaMA-3's 'llama3' scaling is supported", Import(folder).Message);
        var folder2 = Folder("scaling-factor", config: c => ((Dictionary<string, object>)c["rope_scaling"])["factor"] = 32.0);
        Assert.Contains("rope_scaling.factor is 32 but the model class has 8", Import(folder2).Message);
    }
}
