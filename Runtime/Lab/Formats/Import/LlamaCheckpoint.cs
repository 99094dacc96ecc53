using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Lab.Import;

/// <summary>What an import read: the shard files in order, the tensors per dtype.</summary>
public sealed record LlamaImport(LlamaConfig Config, IReadOnlyList<string> Shards, int Tensors, IReadOnlyDictionary<string, int> Dtypes);

/// <summary>Loads a Hugging Face LLaMA folder into a generated decoder: config.json checked against the class's
/// configuration, then model.safetensors or the shards of model.safetensors.index.json, one shard at a time and one
/// tensor at a time, decoded to FP32 in chunks straight into its parameter, so no more than a chunk of the checkpoint
/// is ever in memory besides the model. Every tensor must be a pretrained parameter of the model with its shape, and every such parameter
/// must be in the checkpoint (LoRA matrices and output scales are Ahwa's own and stay as they are).</summary>
public static class LlamaCheckpoint
{
    public const string Index = "model.safetensors.index.json", SingleFile = "model.safetensors", Config = "config.json";

    public static LlamaImport Load(AhwaModel model, string folder, LlamaConfig expected)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"'{folder}': no such Hugging Face folder.");
        string configPath = Path.Combine(folder, Config);
        var config = LlamaConfig.Read(configPath);
        expected.RequireMatch(config, configPath);

        var parameters = PretrainedParameters(model).ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var (shards, owner) = Shards(folder, parameters);
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var dtypes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var shard in shards)
            {
                using var file = SafeTensorsFile.Open(shard);
                foreach (var entry in file.Tensors)
                {
                    if (!parameters.TryGetValue(entry.Name, out var parameter))
                        throw new InvalidDataException($"'{shard}': tensor '{entry.Name}' is not a parameter of {model.ModelSpec.Name}" +
                            (entry.Name.StartsWith("model.layers.", StringComparison.Ordinal) ? " (a layer the model class does not have)." : "."));
                    if (owner is not null && owner[entry.Name] != shard)
                        throw new InvalidDataException($"'{shard}': tensor '{entry.Name}' is here, but {Index} puts it in '{Path.GetFileName(owner[entry.Name])}'.");
                    if (!loaded.Add(entry.Name)) throw new InvalidDataException($"'{shard}': tensor '{entry.Name}' was already read from another shard.");
                    if (!entry.Shape.SequenceEqual(parameter.shape))
                        throw new InvalidDataException($"'{shard}': tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}] but the model's parameter is [{string.Join(", ", parameter.shape)}].");
                    Copy(file, entry.Name, parameter);
                    dtypes[entry.Dtype] = dtypes.TryGetValue(entry.Dtype, out int n) ? n + 1 : 1;
                }
            }
        }
        var missing = parameters.Keys.Where(n => !loaded.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"'{folder}': tensor '{missing[0]}' of the model is in no shard" + (missing.Count > 1 ? $" (and {missing.Count - 1} more)." : "."));
        return new LlamaImport(config, shards.Select(s => Path.GetFileName(s)!).ToList(), loaded.Count, dtypes);
    }

    /// <summary>Values go straight into the parameter's memory a million at a time (a CPU FP32 contiguous parameter, as
    /// a freshly built model has them); any other parameter gets a whole-tensor copy.</summary>
    static void Copy(SafeTensorsFile file, string name, Parameter parameter)
    {
        if (parameter.device_type == DeviceType.CPU && parameter.dtype == ScalarType.Float32 && parameter.is_contiguous())
        {
            using var accessor = parameter.data<float>();
            file.ReadChunks(name, 1 << 20, (offset, values) => accessor.CopyFrom(values, 0, offset));
            return;
        }
        using var whole = tensor(file.Read(name), parameter.shape);
        parameter.copy_(whole);
    }

    /// <summary>The parameters a Hugging Face checkpoint holds, in the model's order: all but Ahwa's own (LoRA, the
    /// analog layers' output scales).</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> PretrainedParameters(AhwaModel model)
    {
        var own = PretrainedNames.AhwaOwn(model.ModelSpec);
        return model.named_parameters().Where(p => !own.Contains(p.name)).Select(p => (p.name, p.parameter)).ToList();
    }

    /// <summary>The shard files in order and, for a sharded folder, which file the index says holds each tensor. The
    /// index is checked first, before any weight is read: every file it names exists, it names only the model's
    /// tensors, and it names every one.</summary>
    static (List<string> Shards, Dictionary<string, string>? Owner) Shards(string folder, IReadOnlyDictionary<string, Parameter> parameters)
    {
        string index = Path.Combine(folder, Index);
        if (!File.Exists(index))
        {
            string single = Path.Combine(folder, SingleFile);
            if (!File.Exists(single)) throw new FileNotFoundException($"'{folder}': neither {SingleFile} nor {Index} is there.", single);
            return (new List<string> { single }, null);
        }
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(index));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{index}': no weight_map object.");
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String || entry.Value.GetString() is not { Length: > 0 } file || Path.GetFileName(file) != file)
                    throw new InvalidDataException($"'{index}': tensor '{entry.Name}' maps to {entry.Value}, not a file name in the folder.");
                owner[entry.Name] = Path.Combine(folder, file);
            }
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{index}': not valid JSON ({error.Message}).", error);
        }
        foreach (var (name, file) in owner)
        {
            if (!parameters.ContainsKey(name)) throw new InvalidDataException($"'{index}': tensor '{name}' is not a parameter of the model.");
            if (!File.Exists(file)) throw new FileNotFoundException($"'{file}': shard missing; {Index} puts tensor '{name}' in it.", file);
        }
        foreach (var name in parameters.Keys)
            if (!owner.ContainsKey(name)) throw new InvalidDataException($"'{index}': tensor '{name}' of the model is in no shard.");
        return (owner.Values.Distinct().OrderBy(f => f, StringComparer.Ordinal).ToList(), owner);
    }
}
