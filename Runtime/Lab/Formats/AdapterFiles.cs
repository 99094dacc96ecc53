using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Hardware;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Formats;

/// <summary>A task's trainable state: the LoRA matrices of every layer and the task heads, by PEFT name.</summary>
public sealed record Adapter(string Name, IReadOnlyList<NamedTensor> Tensors);

/// <summary>
/// Adapters in the layout Hugging Face PEFT uses: <c>adapter_model.safetensors</c> with names like
/// <c>base_model.model.encoder.layer.0.attention.self.query.lora_A.weight</c> (task heads as
/// <c>base_model.model.classifier.weight</c>) and <c>adapter_config.json</c>. Several adapters can be held in
/// memory and applied to one programmed model in turn: applying touches only LoRA and head parameters.
/// </summary>
public static class AdapterFiles
{
    public const string WeightsFile = "adapter_model.safetensors";
    public const string ConfigFile = "adapter_config.json";

    /// <summary>A copy of the model's current adapter.</summary>
    public static Adapter Capture(AhwaModel model, string name)
    {
        var tensors = new List<NamedTensor>();
        foreach (var (parameterName, parameter) in model.AdapterParameters())
            tensors.Add(new NamedTensor(LayerNaming.Peft(parameterName), parameter.shape, parameter.detach().contiguous().data<float>().ToArray()));
        return new Adapter(name, tensors);
    }

    /// <summary>Checks every tensor against the model before changing anything, then copies them in.</summary>
    public static void Apply(AhwaModel model, Adapter adapter, string source = "adapter")
    {
        var parameters = model.AdapterParameters().ToDictionary(p => LayerNaming.Peft(p.Name), p => p.Parameter, StringComparer.Ordinal);
        foreach (var tensor in adapter.Tensors)
        {
            if (!parameters.TryGetValue(tensor.Name, out var parameter))
                throw new InvalidDataException($"{source}: tensor '{tensor.Name}' does not belong to model '{model.ModelSpec.Name}'.");
            if (!parameter.shape.SequenceEqual(tensor.Shape))
                throw new InvalidDataException($"{source}: tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the model expects [{string.Join(", ", parameter.shape)}].");
        }
        var missing = parameters.Keys.Except(adapter.Tensors.Select(t => t.Name)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{source}: tensor '{missing[0]}' is missing ({missing.Count} missing in all).");
        using var noGrad = no_grad();
        foreach (var tensor in adapter.Tensors)
            parameters[tensor.Name].copy_(torch.tensor(tensor.Data, tensor.Shape));
    }

    /// <summary>Writes the folder as one unit: both files go to a new folder that is renamed into place, so weights
    /// and config always belong together, and a failed save leaves the previous folder as it was.</summary>
    public static void Save(AhwaModel model, string directory, string name = "default", string? taskType = null)
    {
        var adapter = Capture(model, name);
        var weights = SafeTensors.Serialize(adapter.Tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var config = Config(model, taskType);
        AtomicFile.WriteDirectory(directory, staging =>
        {
            AtomicFile.WriteBytes(Path.Combine(staging, WeightsFile), weights);
            AtomicFile.WriteText(Path.Combine(staging, ConfigFile), config);
        });
    }

    /// <summary>Reads an adapter folder; any problem names the file and the tensor. A save interrupted by a killed process
    /// is finished or undone first (<see cref="AtomicFile.RecoverDirectory"/>).</summary>
    public static Adapter Load(string directory, string? name = null)
    {
        AtomicFile.RecoverDirectory(directory);
        var weights = Path.Combine(directory, WeightsFile);
        var config = Path.Combine(directory, ConfigFile);
        if (!File.Exists(weights)) throw new FileNotFoundException($"No adapter weights at '{weights}'.", weights);
        if (!File.Exists(config)) throw new FileNotFoundException($"No adapter config at '{config}'.", config);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(config));
            if (document.RootElement.GetProperty("peft_type").GetString() != "LORA")
                throw new InvalidDataException($"'{config}': peft_type is not LORA.");
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{config}' is not a PEFT LoRA config: {error.Message}", error);
        }
        return new Adapter(name ?? Path.GetFileName(Path.GetFullPath(directory)), SafeTensors.Read(weights));
    }

    /// <summary>Loads and applies; the config must describe this model (<see cref="CheckConfig"/>). On any error the
    /// model is left as it was.</summary>
    public static void LoadInto(AhwaModel model, string directory)
    {
        var adapter = Load(directory);
        CheckConfig(model, Path.Combine(directory, ConfigFile));
        Apply(model, adapter, Path.Combine(directory, WeightsFile));
    }

    /// <summary>Checks <c>adapter_config.json</c> against the model: base model, r, lora_alpha, target_modules and the
    /// per-layer rank and alpha patterns. An adapter trained with another alpha would otherwise be applied with the
    /// model's scale. A mismatch names the field and both values.</summary>
    public static void CheckConfig(AhwaModel model, string configPath)
    {
        var spec = model.ModelSpec;
        var lora = spec.Layers.Where(l => l.Lora is not null).ToList();
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(configPath));
            var root = document.RootElement;
            void Same(string field, string actual, string expected)
            {
                if (actual != expected)
                    throw new InvalidDataException($"'{configPath}': {field} is {actual} but model '{spec.Name}' has {expected}.");
            }
            Same("base_model_name_or_path", root.GetProperty("base_model_name_or_path").GetString() ?? "null", spec.Name);
            Same("r", Number(root.GetProperty("r")), HardwareRules.Format(spec.LoraDefaults.Rank));
            Same("lora_alpha", Number(root.GetProperty("lora_alpha")), HardwareRules.Format(spec.LoraDefaults.Alpha));
            Same("target_modules", List(root.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString() ?? "null")),
                List(lora.Select(l => l.Name)));
            Same("rank_pattern", Pattern(root, "rank_pattern"),
                Pattern(lora.Where(l => l.Lora!.Rank != spec.LoraDefaults.Rank).Select(l => (l.Name, HardwareRules.Format(l.Lora!.Rank)))));
            Same("alpha_pattern", Pattern(root, "alpha_pattern"),
                Pattern(lora.Where(l => l.Lora!.Alpha != spec.LoraDefaults.Alpha).Select(l => (l.Name, HardwareRules.Format(l.Lora!.Alpha)))));
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{configPath}' is not a PEFT LoRA config of model '{spec.Name}': {error.Message}", error);
        }
    }

    static string Number(JsonElement element) => HardwareRules.Format(element.GetDouble());

    static string List(IEnumerable<string> names) => "[" + string.Join(", ", names.OrderBy(n => n, StringComparer.Ordinal)) + "]";

    static string Pattern(JsonElement root, string field) =>
        !root.TryGetProperty(field, out var pattern) || pattern.ValueKind == JsonValueKind.Null ? "{}"
        : Pattern(pattern.EnumerateObject().Select(p => (p.Name, Number(p.Value))));

    static string Pattern(IEnumerable<(string Name, string Value)> entries) =>
        "{" + string.Join(", ", entries.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => e.Name + ": " + e.Value)) + "}";

    static string Config(AhwaModel model, string? taskType)
    {
        var spec = model.ModelSpec;
        var defaults = spec.LoraDefaults;
        var lora = spec.Layers.Where(l => l.Lora is not null).ToList();
        return JsonFiles.Write(new PeftConfig("LORA", spec.Name, taskType, defaults.Rank, defaults.Alpha, defaults.Dropout, "none", false, true,
            lora.Select(l => l.Name).ToList(),
            lora.Where(l => l.Lora!.Rank != defaults.Rank).ToDictionary(l => l.Name, l => l.Lora!.Rank),
            lora.Where(l => l.Lora!.Alpha != defaults.Alpha).ToDictionary(l => l.Name, l => l.Lora!.Alpha),
            model.DigitalLayers.Select(h => h.Spec.Name).ToList()), JsonFiles.SnakeCase);
    }

    // PEFT's adapter_config.json field by field, in PEFT's snake_case; task_type is written as null when unset.
    sealed record PeftConfig(string PeftType, string BaseModelNameOrPath, string? TaskType, int R, double LoraAlpha, double LoraDropout,
        string Bias, bool FanInFanOut, bool InferenceMode, IReadOnlyList<string> TargetModules, IReadOnlyDictionary<string, int> RankPattern,
        IReadOnlyDictionary<string, double> AlphaPattern, IReadOnlyList<string> ModulesToSave);
}
