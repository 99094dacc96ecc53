using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;

namespace Ahwa.Lab.Import;

/// <summary>
/// A Hugging Face checkpoint folder of a BERT or MobileBERT (<c>config.json</c> and <c>model.safetensors</c>, as
/// <c>save_pretrained</c> writes them) loaded into a generated model: the configuration is checked against the model's
/// layer spec first (a folder of another size is refused naming the field), the model prefix (<c>bert.</c>,
/// <c>mobilebert.</c>) is dropped, and every tensor is placed by <see cref="BertCheckpoint.LoadInto"/>. A task head the
/// checkpoint lacks (a base model's folder has no <c>qa_outputs</c>) keeps the model's seeded initialisation.
/// </summary>
public static class BertFamilyCheckpoint
{
    public const string ConfigFile = "config.json", WeightsFile = "model.safetensors";

    /// <summary>What was loaded: the checkpoint's tensor names placed in the model, and the task heads kept as initialised.</summary>
    public sealed record Loaded(string ModelType, IReadOnlyList<string> Tensors, IReadOnlyList<string> KeptHeads);

    public static Loaded LoadInto(AhwaModel model, string folder)
    {
        string configPath = Path.Combine(folder, ConfigFile), weightsPath = Path.Combine(folder, WeightsFile);
        foreach (var path in new[] { configPath, weightsPath })
            if (!File.Exists(path)) throw new FileNotFoundException($"Hugging Face folder '{folder}' has no {Path.GetFileName(path)}.", path);
        JsonDocument config;
        try
        {
            config = JsonDocument.Parse(File.ReadAllText(configPath));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{configPath}' line {error.LineNumber + 1}: not valid JSON ({error.Message})", error);
        }
        using (config)
        {
            var root = config.RootElement;
            string type = Text(root, "model_type", configPath);
            if (type is not ("bert" or "mobilebert"))
                throw new InvalidDataException($"'{configPath}': model_type is '{type}'; this reader knows bert and mobilebert.");
            CheckAgainstSpec(model, root, type, configPath);
            string prefix = type + ".";
            var checkpoint = SafeTensors.Read(weightsPath).ToDictionary(t => t.Name.StartsWith(prefix, StringComparison.Ordinal) ? t.Name[prefix.Length..] : t.Name,
                t => t, StringComparer.Ordinal);
            // Heads are the model's layers outside the encoder and the embeddings (qa_outputs, classifier).
            var kept = new List<string>();
            var mayStayUnloaded = BertCheckpoint.MayStayUnloaded(model);
            foreach (var (name, parameter) in model.named_parameters())
            {
                var layer = model.ModelSpec.Layers.FirstOrDefault(l => name.StartsWith(l.Name + ".", StringComparison.Ordinal));
                if (layer is null || layer.Name.StartsWith("encoder.", StringComparison.Ordinal) || layer.Name.StartsWith("embeddings.", StringComparison.Ordinal)) continue;
                if (checkpoint.ContainsKey(name) || mayStayUnloaded.Contains(name)) continue;
                checkpoint[name] = new NamedTensor(name, parameter.shape, parameter.detach().cpu().data<float>().ToArray());
                kept.Add(name);
            }
            var loaded = BertCheckpoint.LoadInto(model, checkpoint, weightsPath).Where(n => !kept.Contains(n)).ToList();
            return new Loaded(type, loaded, kept);
        }
    }

    /// <summary>The sizes the layer spec shows, against the configuration's: the hidden and intermediate widths and the
    /// layer count (embedding and vocabulary sizes are checked by the tensors' shapes).</summary>
    static void CheckAgainstSpec(AhwaModel model, JsonElement root, string type, string path)
    {
        var spec = model.ModelSpec;
        int layers = spec.Layers.Select(l => l.Name).Where(n => n.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(n => n.Split('.')[2]).Distinct().Count();
        var value = spec.Layers.FirstOrDefault(l => l.Name == "encoder.layer.0.attention.self.value")
            ?? throw new InvalidDataException($"Model '{spec.Name}' has no layer encoder.layer.0.attention.self.value; it is not a BERT-family encoder.");
        void Expect(string field, int actual)
        {
            int given = Number(root, field, path);
            if (given != actual) throw new InvalidDataException($"'{path}': {field} is {given}; model '{spec.Name}' has {actual}.");
        }
        Expect("num_hidden_layers", layers);
        Expect("hidden_size", value.InFeatures);
        Expect("intermediate_size", spec.Layer("encoder.layer.0.intermediate.dense").OutFeatures);
        if (type == "mobilebert")
        {
            Expect("intra_bottleneck_size", spec.Layer("encoder.layer.0.bottleneck.input.dense").OutFeatures);
            Expect("embedding_size", spec.Layer("embeddings.embedding_transformation").InFeatures / 3);
            Expect("num_feedforward_networks", 1 + spec.Layers.Count(l => l.Name.StartsWith("encoder.layer.0.ffn.", StringComparison.Ordinal) && l.Name.EndsWith(".intermediate.dense", StringComparison.Ordinal)));
        }
    }

    static string Text(JsonElement root, string field, string path) =>
        root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidDataException($"'{path}': field '{field}' is missing or not a string.");

    static int Number(JsonElement root, string field, string path) =>
        root.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n
            : throw new InvalidDataException($"'{path}': field '{field}' is missing or not an integer.");
}
