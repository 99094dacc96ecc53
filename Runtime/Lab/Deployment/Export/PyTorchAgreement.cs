using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tools;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Export;

/// <summary>How far the PyTorch model's output is from the TorchSharp model's in one mode.</summary>
/// <param name="RowsAgreeing">Samples (rows of the output) whose largest difference is within 1e-5 of the scale.</param>
public sealed record ModeAgreement(string Mode, double MaxRelative, double MaxAbsolute, double Scale, long Elements, int Rows, int RowsAgreeing);

/// <summary>Runs an exported model in PyTorch on the inputs the TorchSharp model saw, and compares outputs: digital,
/// and hardware-aware with the chip's weight and output noise set to 0 (deterministic, every other step of the recipe
/// on), both in eval mode with the same weights.</summary>
public static class PyTorchAgreement
{
    public static IReadOnlyList<ModeAgreement> Check(AhwaModel model, PyTorchTranslation translation, string directory,
        IReadOnlyList<Tensor> inputs, Func<Tensor[], Tensor> forward, string? entry = null)
    {
        var export = PyTorchExport.Write(model, translation, directory, Array.Empty<TokenShard>(), new PyTorchExportOptions(Entry: entry));
        var expected = new List<NamedTensor>();
        bool training = model.training;
        var chips = model.AnalogLayers.Select(l => l.Chip).ToList();
        model.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var (mode, execution) in new[] { ("digital", AnalogExecution.Digital), ("hardware_aware", AnalogExecution.HardwareAware) })
            {
                model.SetExecution(execution);
                foreach (var layer in model.AnalogLayers) layer.Chip = layer.Chip with { WeightNoise = 0, OutputNoise = 0 };
                using var output = forward(inputs.ToArray());
                expected.Add(new NamedTensor(mode, output.shape, output.to_type(ScalarType.Float32).contiguous().data<float>().ToArray()));
            }
        }
        finally
        {
            for (int i = 0; i < chips.Count; i++) model.AnalogLayers[i].Chip = chips[i];
            model.SetExecution(AnalogExecution.Digital);
            model.train(training);
        }
        var raw = inputs.Select((t, i) => PyTorchExport.Raw("arg" + i, t));
        File.WriteAllBytes(Path.Combine(directory, "inputs.safetensors"), SafeTensors.Serialize(raw));
        File.WriteAllBytes(Path.Combine(directory, "expected.safetensors"), SafeTensors.Serialize(expected));
        string modelArgs = "{\"weights\": \"" + PyTorchExport.WeightsFile + "\", \"entry\": \"" + export.Entry + "\"}";
        var (code, stdout, stderr) = PythonRuntime.Run(
            new[] { "-m", "ahwa.agreement", "--model", export.Module + ":build", "--model-args", modelArgs,
                "--inputs", "inputs.safetensors", "--expected", "expected.safetensors", "--out", "agreement.json" },
            directory, new[] { directory, Path.Combine(directory, "model") }, TimeSpan.FromMinutes(5));
        if (code != 0) throw new InvalidOperationException($"ahwa.agreement failed in '{directory}' (exit {code}):\n{stdout}\n{stderr}");
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "agreement.json")));
        return document.RootElement.EnumerateObject().Select(mode => new ModeAgreement(mode.Name,
            mode.Value.GetProperty("max_relative").GetDouble(), mode.Value.GetProperty("max_abs").GetDouble(),
            mode.Value.GetProperty("scale").GetDouble(), mode.Value.GetProperty("elements").GetInt64(),
            mode.Value.GetProperty("rows").GetInt32(), mode.Value.GetProperty("rows_agreeing").GetInt32())).ToList();
    }
}
