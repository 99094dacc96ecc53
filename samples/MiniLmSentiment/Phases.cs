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
/// manifest of the options that produced it, written last (the folder is renamed into place as one unit). A rerun
/// with the same <c>--out</c> and matching options loads a finished phase instead of training it again; a rerun with
/// other options is refused before anything is trained, naming the option that differs.
/// </summary>
public sealed class Phases
{
    public const string Folder = "phases", ManifestFile = "manifest.json";

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
            ["glue"] = o.GlueFolder is null ? "" : Path.GetFullPath(o.GlueFolder),
            ["quick"] = o.IsQuick ? "true" : "false",
            ["task"] = o.Task,
        };
        // Only when set, so phases kept before --data existed still resume.
        if (o.DataFolder is not null) entries["data"] = Path.GetFullPath(o.DataFolder);
        return entries;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when a kept phase was produced with other options.</summary>
    public void CheckAll()
    {
        if (!Directory.Exists(root)) return;
        AtomicFile.RecoverDirectories(root); // a phase killed while being kept is checked too
        foreach (var folder in Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var kept = ReadManifest(folder);
            if (kept is null) continue; // no manifest: never finished; it is trained again
            foreach (var (key, value) in fingerprint)
            {
                string old = kept.TryGetValue(key, out var v) ? v : "(unset)";
                if (old != value)
                    throw new InvalidDataException($"'{folder}' was trained with {key} = {old}, this run has {value}; " +
                        $"use another --out, or delete '{root}' to start over.");
            }
        }
    }

    /// <summary>The kept adapter of phase <paramref name="name"/>, or null when the phase has not finished.</summary>
    public Adapter? TryLoad(string name)
    {
        var folder = Path.Combine(root, name);
        AtomicFile.RecoverDirectory(folder);
        return ReadManifest(folder) is null ? null : AdapterFiles.Load(folder, name);
    }

    /// <summary>Keeps a finished phase: adapter files, then the manifest, in one folder renamed into place.</summary>
    public void Save(AhwaModel model, string name)
    {
        var weights = SafeTensors.Serialize(AdapterFiles.Capture(model, name).Tensors);
        var entries = new SortedDictionary<string, string>(fingerprint.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        entries["phase"] = name;
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
