using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;

namespace MiniLmSentiment;

/// <summary>
/// Finished training phases of the main job, kept in <c>{out}/phases/{name}/</c>: the adapter in PEFT layout and a
/// manifest of the options and the content (<see cref="PhaseContent"/>) that produced it, written last (the folder is
/// renamed into place as one unit). A rerun with the same <c>--out</c> and matching options loads a finished phase
/// instead of training it again, but only when it was trained on the same training items and pretrained weights; a
/// phase trained on other data is trained again (and replaced). A rerun with other options is refused before anything
/// is read or trained, naming the option that differs.
/// </summary>
public sealed class Phases
{
    public const string Folder = "phases", ManifestFile = "manifest.json";

    /// <summary>Manifest keys of the content a phase was trained on (not options: a difference retrains, never refuses).</summary>
    public const string TrainingDataKey = "trainingData", WeightsKey = "weights";

    readonly string root;
    readonly IReadOnlyDictionary<string, string> fingerprint;

    public Phases(string output, ExperimentOptions options)
    {
        root = Path.Combine(output, Folder);
        fingerprint = Fingerprint(options);
    }

    /// <summary>The options that decide what a phase trains (not where the output goes).</summary>
    public static IReadOnlyDictionary<string, string> Fingerprint(ExperimentOptions o)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["epochs"] = o.Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = o.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trainLimit"] = o.TrainLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["testLimit"] = o.TestLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maxTokens"] = o.MaxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["loraLearningRate"] = o.LoraLearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["fullLearningRate"] = o.FullLearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["quick"] = o.IsQuick ? "true" : "false",
            ["task"] = o.Task,
        };
        // Only when set, so phases kept before --data and --smoke existed still resume.
        if (o.IsSmoke) entries["smoke"] = "true";
        if (o.DataFolder is not null) entries["data"] = Path.GetFullPath(o.DataFolder);
        if (o.ChipKnobs is not null) entries["chip"] = o.ChipKnobs;
        if (o.Suite is not null) entries["suite"] = o.Suite;
        if (o.MinSteps > 0) entries["minSteps"] = o.MinSteps.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return entries;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when a kept phase was produced with other options.</summary>
    public void CheckAll()
    {
        // A phase killed while being kept is restored first, so it is checked too (the command line's earlier check
        // only reads).
        if (Directory.Exists(root)) AtomicFile.RecoverDirectories(root);
        if (Problem() is string problem) throw new InvalidDataException(problem);
    }

    /// <summary>Why the options cannot resume the kept phases in <paramref name="output"/> (a phase was trained with
    /// other options), or null; read before any work, so the command line refuses such a rerun at once.</summary>
    public static string? Problem(string output, ExperimentOptions options) => new Phases(output, options).Problem();

    string? Problem()
    {
        if (!Directory.Exists(root)) return null;
        foreach (var folder in Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var kept = ReadManifest(folder);
            if (kept is null) continue; // no manifest: never finished; it is trained again
            foreach (var (key, value) in fingerprint)
            {
                string old = kept.TryGetValue(key, out var v) ? v : "(unset)";
                if (old != value)
                    return $"'{folder}' was trained with {key} = {old}, this run has {value}; " +
                           $"use another --out, or delete '{root}' to start over.";
            }
        }
        return null;
    }

    /// <summary>The kept adapter of phase <paramref name="name"/> when it finished and was trained on
    /// <paramref name="content"/>; otherwise null. <paramref name="why"/> says why a kept phase is or is not reused
    /// (null when no finished phase is kept).</summary>
    public Adapter? TryLoad(string name, PhaseContent content, out string? why)
    {
        var folder = Path.Combine(root, name);
        AtomicFile.RecoverDirectory(folder);
        var manifest = ReadManifest(folder);
        if (manifest is null)
        {
            why = null;
            return null;
        }
        foreach (var (key, what, value) in new[] { (TrainingDataKey, "training data", content.TrainingData), (WeightsKey, "pretrained weights", content.Weights) })
        {
            if (!manifest.TryGetValue(key, out var kept))
            {
                why = $"the kept phase in '{folder}' does not record its {what}; training again";
                return null;
            }
            if (kept != value)
            {
                why = $"the kept phase in '{folder}' was trained on other {what} (sha256 {Short(kept)}, now {Short(value)}); training again";
                return null;
            }
        }
        why = $"resumed from '{folder}' (same options, training data sha256 {Short(content.TrainingData)}, pretrained weights {Short(content.Weights)})";
        return AdapterFiles.Load(folder, name);
    }

    static string Short(string hash) => hash.Length <= 12 ? hash : hash[..12];

    /// <summary>Keeps a finished phase: adapter files, then the manifest, in one folder renamed into place.</summary>
    public void Save(AhwaModel model, string name, PhaseContent content)
    {
        var weights = SafeTensors.Serialize(AdapterFiles.Capture(model, name).Tensors);
        var entries = new SortedDictionary<string, string>(fingerprint.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        entries["phase"] = name;
        entries[TrainingDataKey] = content.TrainingData;
        entries[WeightsKey] = content.Weights;
        var manifest = JsonSerializer.Serialize(entries, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.WriteDirectory(Path.Combine(root, name), staging =>
        {
            AtomicFile.WriteBytes(Path.Combine(staging, AdapterFiles.WeightsFile), weights);
            AtomicFile.WriteText(Path.Combine(staging, AdapterFiles.ConfigFile), "{\"peft_type\": \"LORA\"}\n");
            AtomicFile.WriteText(Path.Combine(staging, ManifestFile), manifest);
        });
    }

    static Dictionary<string, string>? ReadManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{path}' is not a phase manifest: {error.Message}", error);
        }
    }
}

/// <summary>What a phase is trained on: SHA-256 (hex) of the task's training items (<see cref="Ahwa.Lab.Tasks.IModelTask.TrainingData"/>)
/// and of the pretrained weights' file.</summary>
public sealed record PhaseContent(string TrainingData, string Weights);
