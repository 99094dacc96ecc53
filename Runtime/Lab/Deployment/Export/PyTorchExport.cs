using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Export;

/// <summary>Token ids, attention mask and labels of one split, tokenised on the C# side so Python needs no tokenizer.</summary>
/// <param name="Split">Folder name under <c>data/</c>: train, test, ...</param>
/// <param name="InputIds">[N, T] integers.</param>
/// <param name="AttentionMask">[N, T], 1 for a real token.</param>
/// <param name="Labels">[N] class indices (or [N, T] token labels, -100 ignored).</param>
public sealed record TokenShard(string Split, Tensor InputIds, Tensor AttentionMask, Tensor Labels);

/// <summary>Training settings written into launch.sh (each can be overridden on its command line).</summary>
public sealed record PyTorchExportOptions(
    string? Entry = null,
    int Seed = (int)Ahwa.Hardware.Seeds.Default,
    double Epochs = 15,
    int BatchSize = 32,
    double LearningRate = 2e-4);

/// <summary>What an export wrote, relative to its folder.</summary>
public sealed record PyTorchExportResult(string Directory, IReadOnlyList<string> Files, string Module, string Entry);

/// <summary>Writes everything a PyTorch cluster needs to train and evaluate a model's adapters under torchrun: the
/// generated module, the ahwa runtime package, the plan (chip, tiles, layers, ranks) as JSON, the model's current
/// weights as safetensors, token shards, and launch.sh. The folder is built beside the target and renamed into place,
/// so an interrupted export never leaves a half-written folder or replaces a good one.</summary>
public static class PyTorchExport
{
    public const string WeightsFile = "weights.safetensors";
    public const string PlanFile = "plan.json";
    public const string LaunchFile = "launch.sh";

    public static PyTorchExportResult Write(AhwaModel model, PyTorchTranslation translation, string directory,
        IReadOnlyList<TokenShard> shards, PyTorchExportOptions? options = null)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (translation is null) throw new ArgumentNullException(nameof(translation));
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("The export folder must be named.", nameof(directory));
        options ??= new PyTorchExportOptions();
        if (!translation.IsAvailable)
            throw new InvalidOperationException($"Model '{translation.ClassName}' has no PyTorch translation; the build reported why:\n  " +
                string.Join("\n  ", translation.Problems));
        string entry = options.Entry ?? EntryOf(translation)
            ?? throw new ArgumentException($"Model '{translation.ClassName}' has no Forward method: name the method PyTorch's forward should call (Entry).", nameof(options));
        if (!translation.Source!.Contains("    def " + entry + "(self", StringComparison.Ordinal))
            throw new ArgumentException($"Model '{translation.ClassName}' has no translated method '{entry}' to use as forward.", nameof(options));
        var splits = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            if (!LayerNaming.IsValid(shard.Split) || shard.Split.Contains('.', StringComparison.Ordinal))
                throw new ArgumentException($"Shard split name '{shard.Split}' must be one word of letters, digits and underscores.", nameof(shards));
            if (!splits.Add(shard.Split)) throw new ArgumentException($"Shard split '{shard.Split}' is given twice.", nameof(shards));
        }

        var target = Path.GetFullPath(directory);
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var files = new List<string>();
        try
        {
            Directory.CreateDirectory(staging);
            void Text(string relative, string text)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text.Replace("\r\n", "\n"));
                files.Add(relative);
            }
            void Bytes(string relative, byte[] bytes)
            {
                var path = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
                files.Add(relative);
            }
            foreach (var (name, text) in RuntimePackage()) Text(name, text);
            Text(Path.Combine("model", translation.ModuleName + ".py"), translation.Source!);
            Text(PlanFile, JsonFiles.Write(new { model = model.ModelSpec, plan = model.DeploymentPlan, entry, module = translation.ModuleName }, JsonFiles.SnakeCase));
            Bytes(WeightsFile, SafeTensors.Serialize(State(model), new Dictionary<string, string> { ["format"] = "pt", ["model"] = translation.ClassName }));
            foreach (var shard in shards) Bytes(Path.Combine("data", shard.Split, "part-00000.safetensors"), Shard(shard));
            Text(LaunchFile, Launch(translation, entry, options, splits));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(Path.Combine(staging, LaunchFile), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            Replace(staging, target);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        return new PyTorchExportResult(target, files, translation.ModuleName, entry);
    }

    static string? EntryOf(PyTorchTranslation translation) =>
        translation.Source!.Contains("    ENTRY = \"Forward\"", StringComparison.Ordinal) ? "Forward" : null;

    /// <summary>The ahwa package's files, embedded in this assembly from Runtime/Python/ahwa.</summary>
    public static IReadOnlyList<(string Path, string Text)> RuntimePackage()
    {
        var assembly = typeof(PyTorchExport).Assembly;
        var files = new List<(string, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ahwa/", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            files.Add((name, reader.ReadToEnd()));
        }
        if (files.Count == 0) throw new InvalidOperationException("The ahwa Python package is not embedded in Ahwa.Lab.");
        return files;
    }

    /// <summary>Every parameter and buffer of the model in FP32 under its state-dict name.</summary>
    static IEnumerable<NamedTensor> State(AhwaModel model)
    {
        foreach (var (name, tensor) in model.state_dict())
        {
            if (!tensor.is_floating_point()) throw new InvalidOperationException($"Model state '{name}' has dtype {tensor.dtype}; the export writes FP32 weights only.");
            yield return new NamedTensor(name, tensor.shape, tensor.detach().to_type(ScalarType.Float32).contiguous().data<float>().ToArray());
        }
    }

    static byte[] Shard(TokenShard shard)
    {
        RawTensor Int64(string name, Tensor t) => !t.is_floating_point() ? Raw(name, t)
            : throw new ArgumentException($"Shard '{shard.Split}': tensor '{name}' must hold integers, not {t.dtype}.");
        var ids = shard.InputIds;
        if (ids.dim() != 2 || !shard.AttentionMask.shape.SequenceEqual(ids.shape) || shard.Labels.shape[0] != ids.shape[0])
            throw new ArgumentException($"Shard '{shard.Split}': input_ids [{string.Join(", ", ids.shape)}], attention_mask [{string.Join(", ", shard.AttentionMask.shape)}] and labels [{string.Join(", ", shard.Labels.shape)}] do not agree.");
        return SafeTensors.Serialize(new[] { Int64("input_ids", ids), Int64("attention_mask", shard.AttentionMask), Int64("labels", shard.Labels) },
            new Dictionary<string, string> { ["format"] = "ahwa-shard" });
    }

    /// <summary>A tensor in its own kind: FP32 for floating point, I64 for integers (token ids, labels).</summary>
    internal static RawTensor Raw(string name, Tensor t)
    {
        if (t.is_floating_point())
        {
            var values = t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            return new RawTensor(name, "F32", t.shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        }
        var longs = t.to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
        return new RawTensor(name, "I64", t.shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(longs.AsSpan()).ToArray());
    }

    static void Replace(string staging, string target)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            old = staging + ".old";
            Directory.Move(target, old);
        }
        Directory.Move(staging, target);
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    static string Launch(PyTorchTranslation translation, string entry, PyTorchExportOptions options, ISet<string> splits)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        string trainData = splits.Contains("train") ? "data/train" : "data";
        string evalData = splits.Contains("test") ? "data/test" : trainData;
        string modelArgs = "{\"weights\": \"" + WeightsFile + "\", \"entry\": \"" + entry + "\"}";
        return $$"""
            #!/usr/bin/env bash
            # Generated by Ahwa: AHWA-LoRA training of {{translation.ClassName}} with PyTorch (module model/{{translation.ModuleName}}.py).
            #   ./launch.sh train [N]          one node, N processes (default 1); extra ahwa.train options after N
            #   NNODES=2 NODE_RANK=0 MASTER_ADDR=host0 ./launch.sh train 8     the same on each of several nodes
            #   ./launch.sh evaluate           drift sweep of run/adapter on the simulated programmed chip
            # Adapters land in run/adapter (PEFT layout); bring them back with Ahwa.Lab.Formats.AdapterFiles.LoadInto.
            set -euo pipefail
            cd "$(dirname "$0")"
            export PYTHONPATH="$PWD:$PWD/model${PYTHONPATH:+:$PYTHONPATH}"
            # The first Python that has torch: $PYTHON if set, else python3 on PATH, else Debian's /usr/bin/python3.
            if [ -z "${PYTHON:-}" ]; then
              for candidate in python3 /usr/bin/python3; do
                if "$candidate" -c "import torch" >/dev/null 2>&1; then PYTHON=$candidate; break; fi
              done
            fi
            [ -n "${PYTHON:-}" ] || { echo "launch.sh: no Python with torch found; install torch or set PYTHON" >&2; exit 2; }
            MODEL=(--model {{translation.ModuleName}}:build --model-args '{{modelArgs}}')
            command=${1:-train}; shift || true
            case "$command" in
              train)
                nproc=${1:-1}; shift || true
                # torch 1.13 under Python 3.11 needs --redirects/--tee set explicitly (harmless on torch 2.x).
                exec "$PYTHON" -m torch.distributed.run --redirects 1 --tee 1 \
                  --nnodes "${NNODES:-1}" --node_rank "${NODE_RANK:-0}" --nproc_per_node "$nproc" \
                  --master_addr "${MASTER_ADDR:-127.0.0.1}" --master_port "${MASTER_PORT:-29500}" \
                  -m ahwa.train "${MODEL[@]}" --data {{trainData}} --out "${OUT:-run}" \
                  --seed {{options.Seed}} --epochs {{F(options.Epochs)}} --batch-size {{options.BatchSize}} --lr {{F(options.LearningRate)}} "$@" ;;
              evaluate)
                exec "$PYTHON" -m ahwa.evaluate "${MODEL[@]}" --adapter "${OUT:-run}/adapter" --data {{evalData}} --seed {{options.Seed}} "$@" ;;
              *)
                echo "launch.sh: unknown command '$command' (train or evaluate)" >&2; exit 2 ;;
            esac

            """;
    }
}
