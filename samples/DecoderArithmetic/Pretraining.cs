using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Decoding;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using static TorchSharp.torch;

namespace DecoderArithmetic;

/// <summary>How the pretrained weights came about: trained now (with the loss of the first and last epoch) or read
/// from the cache.</summary>
public sealed record PretrainingRun(bool Cached, int Steps, double FirstEpochLoss, double LastEpochLoss, double Seconds, string File);

/// <summary>Step (a): the digital pretraining of every weight but the LoRA matrices (the "pretrained meta-weights"),
/// cached in the folder <c>{out}/pretrained/</c>: the weights as safetensors and the settings that produced them
/// (<see cref="DemoOptions.PretrainingKey"/>), renamed into place as one unit, so a rerun with the same settings
/// reads them instead of training again and a rerun with other settings trains and replaces them.</summary>
public static class Pretraining
{
    public const string Folder = "pretrained", WeightsFile = "model.safetensors", SettingsFile = "settings.txt";

    public static PretrainingRun LoadOrTrain(AhwaModel model, DemoOptions o, IReadOnlyList<TokenizedPair> pairs, int padding, Action<string> log)
    {
        string folder = Path.Combine(o.Output, Folder);
        if (TryLoad(model, folder, o.PretrainingKey))
        {
            log($"Pretraining: read from {folder} (same settings).");
            return new PretrainingRun(true, 0, double.NaN, double.NaN, 0, folder);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var options = new TrainingOptions(o.PretrainLearningRate, o.BatchSize, o.PretrainEpochs, o.Seed, TrainingRegime.Pretraining, AnalogExecution.Digital);
        int perEpoch = TrainingOptions.StepsPerEpoch(pairs.Count, o.BatchSize);
        var progress = new ImmediateProgress<TrainingStep>(step =>
        {
            if (step.Step % Math.Max(1, step.TotalSteps / 20) == 0 || step.Step == step.TotalSteps)
                log($"Pretraining: step {step.Step}/{step.TotalSteps} (epoch {step.Epoch}/{o.PretrainEpochs}), loss {Report.Number(step.Loss, "0.000")}, {Report.Number(step.StepsPerSecond, "0.0")} steps/s");
        });
        var losses = InstructionTuning.Train(model, pairs, padding, options, progress);
        Save(model, folder, o.PretrainingKey);
        return new PretrainingRun(false, losses.Count, losses.Take(perEpoch).Average(), losses.TakeLast(perEpoch).Average(), clock.Elapsed.TotalSeconds, folder);
    }

    /// <summary>The pretrained parameters (every one a checkpoint holds: not LoRA, not output scales) and the settings.</summary>
    public static void Save(AhwaModel model, string folder, string key)
    {
        var tensors = LlamaCheckpoint.PretrainedParameters(model)
            .Select(p => new NamedTensor(p.Name, p.Parameter.shape, p.Parameter.detach().contiguous().data<float>().ToArray())).ToList();
        var bytes = SafeTensors.Serialize(tensors);
        AtomicFile.WriteDirectory(folder, staging =>
        {
            AtomicFile.WriteBytes(Path.Combine(staging, WeightsFile), bytes);
            AtomicFile.WriteText(Path.Combine(staging, SettingsFile), key + "\n");
        });
    }

    /// <summary>Loads the folder when it was written with <paramref name="key"/>; false otherwise. A folder with the key
    /// but a missing or misshapen tensor is an error naming the file and the tensor.</summary>
    public static bool TryLoad(AhwaModel model, string folder, string key)
    {
        AtomicFile.RecoverDirectory(folder); // a save killed between its renames left the folder beside its path
        string settings = Path.Combine(folder, SettingsFile), weights = Path.Combine(folder, WeightsFile);
        if (!File.Exists(settings) || File.ReadAllText(settings).TrimEnd('\n') != key) return false;
        var tensors = SafeTensors.Read(weights).ToDictionary(t => t.Name, StringComparer.Ordinal);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in LlamaCheckpoint.PretrainedParameters(model))
        {
            if (!tensors.TryGetValue(name, out var t)) throw new InvalidDataException($"'{weights}': tensor '{name}' is missing.");
            if (!t.Shape.SequenceEqual(parameter.shape))
                throw new InvalidDataException($"'{weights}': tensor '{name}' has shape [{string.Join(", ", t.Shape)}], the model's is [{string.Join(", ", parameter.shape)}].");
            parameter.copy_(tensor(t.Data, t.Shape));
        }
        return true;
    }
}
