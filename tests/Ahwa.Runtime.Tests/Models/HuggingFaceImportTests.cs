using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tools;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Models;

/// <summary>Issue 14, item 3: BERT and MobileBERT imported from a Hugging Face folder (config.json and model.safetensors
/// with the model prefix, written by hf_folder.py from a tiny random configuration) give the outputs of independent
/// PyTorch forwards within 1e-5; a folder of another size is refused naming the field; a base model's folder without
/// the QA head keeps the head's initialisation.</summary>
public sealed class HuggingFaceImportTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("ahwa-hf-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static readonly long[] Ids = [3, 17, 22, 8, 8, 29, 1, 5, 34, 12, 0, 7, 0, 0];
    static readonly long[] Types = [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1];
    static readonly long[] Mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];

    /// <summary>Writes the folder with Python and returns the reference forward's outputs.</summary>
    JsonElement WriteFolder(string kind, string checkpoint)
    {
        var input = Path.Combine(folder, kind + "-case.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new { ids = new[] { Ids[..7], Ids[7..] }, types = new[] { Types[..7], Types[7..] }, mask = new[] { Mask[..7], Mask[7..] } }));
        var script = Path.Combine(AppContext.BaseDirectory, "Models", "hf_folder.py");
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { script, kind, checkpoint, input }, folder, Array.Empty<string>(), TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    static void AssertClose(float[] actual, JsonElement expected, string what)
    {
        var values = expected.EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(values.Length, actual.Length);
        Assert.True(values.Max(Math.Abs) > 0.5, $"{what}: outputs too small to test anything");
        double difference = actual.Zip(values).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(difference < 1e-5, $"{what}: max difference {difference}");
    }

    void Check(AhwaModel model, string kind, Func<Tensor, Tensor, Tensor, Tensor> encode, Func<Tensor, Tensor, Tensor, Tensor> spans, string[] unusedByReference, string[] keptHeads)
    {
        var checkpoint = Path.Combine(folder, kind);
        var reference = WriteFolder(kind, checkpoint);
        Assert.Equal(unusedByReference, reference.GetProperty("unused").EnumerateArray().Select(u => u.GetString()));
        var loaded = BertFamilyCheckpoint.LoadInto(model, checkpoint);
        Assert.Equal(kind, loaded.ModelType);
        Assert.Empty(loaded.KeptHeads);
        Assert.Contains("qa_outputs.weight", loaded.Tensors);
        model.SetExecution(AnalogExecution.Digital);
        model.eval();
        var (ids, types, mask) = (tensor(Ids).view(2, 7), tensor(Types).view(2, 7), tensor(Mask).view(2, 7));
        using (no_grad())
        {
            AssertClose(encode(ids, types, mask).data<float>().ToArray(), reference.GetProperty("hidden"), kind + " hidden state");
            AssertClose(spans(ids, types, mask).data<float>().ToArray(), reference.GetProperty("spans"), kind + " span logits");
        }

        // A base model's folder (no qa_outputs): the head keeps its values; everything else still loads. An analog head
        // is named as kept; a digital one (the task's own, saved with each adapter) may stay unloaded anyway.
        var weights = Path.Combine(checkpoint, BertFamilyCheckpoint.WeightsFile);
        var head = model.named_parameters().Single(p => p.name == "qa_outputs.weight").parameter.data<float>().ToArray();
        File.WriteAllBytes(weights, SafeTensors.Serialize(SafeTensors.Read(weights).Where(t => !t.Name.StartsWith("qa_outputs", StringComparison.Ordinal))));
        Assert.Equal(keptHeads, BertFamilyCheckpoint.LoadInto(model, checkpoint).KeptHeads.Order());
        Assert.Equal(head, model.named_parameters().Single(p => p.name == "qa_outputs.weight").parameter.data<float>().ToArray());

        // Another size is refused by the configuration, before any tensor is read.
        var config = Path.Combine(checkpoint, BertFamilyCheckpoint.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3", StringComparison.Ordinal));
        var error = Assert.Throws<InvalidDataException>(() => BertFamilyCheckpoint.LoadInto(model, checkpoint)).Message;
        Assert.Contains($"{BertFamilyCheckpoint.ConfigFile}': num_hidden_layers is 3; model '{model.ModelSpec.Name}' has 2.", error);
    }

    [Fact]
    public void BertMatchesItsReference()
    {
        using var model = new TinyBert(seed: 3);
        Check(model, "bert", model.Encode, model.Forward, new[] { "pooler.dense.bias", "pooler.dense.weight" }, new[] { "qa_outputs.bias", "qa_outputs.weight" });
    }

    [Fact]
    public void MobileBertMatchesItsReference()
    {
        using var model = new TinyMobileBert(seed: 3);
        Check(model, "mobilebert", model.Encode, model.Forward, Array.Empty<string>(), Array.Empty<string>());
    }

    [Fact]
    public void AFolderWithoutItsFilesIsNamed()
    {
        using var model = new TinyBert(seed: 1);
        Assert.Contains("has no config.json", Assert.Throws<FileNotFoundException>(() => BertFamilyCheckpoint.LoadInto(model, folder)).Message);
        File.WriteAllText(Path.Combine(folder, BertFamilyCheckpoint.ConfigFile), "{\"model_type\": \"gpt2\"}");
        File.WriteAllBytes(Path.Combine(folder, BertFamilyCheckpoint.WeightsFile), SafeTensors.Serialize(Array.Empty<NamedTensor>()));
        Assert.Contains("model_type is 'gpt2'", Assert.Throws<InvalidDataException>(() => BertFamilyCheckpoint.LoadInto(model, folder)).Message);
    }
}
