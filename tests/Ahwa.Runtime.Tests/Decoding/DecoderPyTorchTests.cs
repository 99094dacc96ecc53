using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Decoding;
using Ahwa.Lab.Export;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tools;
using Ahwa.Runtime.Tests.PyTorch;
using Ahwa.Runtime.Training;
using Xunit;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>The decoder workflows' C# trainers against the PyTorch package's, on the same weights and batches with the
/// noise off (with noise on each draws its own numbers; PyTorchTargetTests compares those in distribution).</summary>
public class DecoderPyTorchTests
{
    readonly ITestOutputHelper output;

    public DecoderPyTorchTests(ITestOutputHelper output) => this.output = output;

    internal static (int Code, string Stdout, string Stderr) Python(PyTorchExportResult export, params string[] arguments) =>
        PythonRuntime.Run(arguments, export.Directory, new[] { export.Directory, Path.Combine(export.Directory, "model") }, TimeSpan.FromMinutes(3));

    [Fact]
    public void InstructionTuningGivesTheSameLossesAndAdaptersInCSharpAndUnderAhwaTrain()
    {
        const int Steps = 4;
        var directory = PyTorchTargetTests.WorkDirectory("sft-agreement");
        using var model = new TinyCausalDecoder(seed: 61);
        var pairs = InstructionTuningTests.Pairs;
        var export = PyTorchExport.Write(model, TinyCausalLm.PyTorch, Path.Combine(directory, "export"),
            new[] { InstructionTuning.Shard("train", pairs, CharacterTokenizer.PaddingId, length: 9) });

        // One batch of every pair per step, so the two trainers' different shuffles cannot matter.
        var csharp = InstructionTuning.Train(model, pairs, CharacterTokenizer.PaddingId,
            new TrainingOptions(LearningRate: 0.02, BatchSize: pairs.Length, Epochs: Steps, Seed: 62, Execution: AnalogExecution.Digital));
        var (code, stdout, stderr) = Python(export, "-m", "ahwa.train", "--model", export.Module + ":build", "--model-args", "{\"weights\": \"weights.safetensors\"}",
            "--data", "data/train", "--out", "run", "--max-steps", Steps.ToString(CultureInfo.InvariantCulture), "--batch-size", pairs.Length.ToString(CultureInfo.InvariantCulture),
            "--lr", "0.02", "--mode", "digital", "--threads", "1", "--seed", "62");
        Assert.True(code == 0, $"ahwa.train failed (exit {code}):\n{stdout}\n{stderr}");
        var python = File.ReadAllLines(Path.Combine(export.Directory, "run", "log.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.TryGetProperty("loss", out _)).Select(e => e.GetProperty("loss").GetDouble()).ToList();
        output.WriteLine("C#:      " + string.Join(" ", csharp.Select(l => l.ToString("F6", CultureInfo.InvariantCulture))));
        output.WriteLine("PyTorch: " + string.Join(" ", python.Select(l => l.ToString("F6", CultureInfo.InvariantCulture))));
        Assert.Equal(Steps, python.Count);
        for (int s = 0; s < Steps; s++) Assert.True(Math.Abs(csharp[s] - python[s]) <= 1e-5 * Math.Max(1, Math.Abs(csharp[s])), $"step {s}: C# {csharp[s]} PyTorch {python[s]}");
        Assert.True(csharp[^1] < csharp[0], "the loss did not fall");

        var adapter = AdapterFiles.Load(Path.Combine(export.Directory, "run", "adapter")).Tensors.ToDictionary(t => t.Name);
        var mine = model.AdapterParameters();
        Assert.Equal(mine.Count, adapter.Count);
        double largest = 0;
        foreach (var (name, parameter) in mine)
        {
            var theirs = adapter.Single(t => t.Key.EndsWith(name, StringComparison.Ordinal)).Value.Data;
            largest = Math.Max(largest, parameter.detach().contiguous().data<float>().ToArray().Zip(theirs, (a, b) => (double)Math.Abs(a - b)).Max());
        }
        output.WriteLine($"largest adapter difference {largest:E2}");
        Assert.True(largest <= 1e-5, $"adapters differ by {largest:E3}");
    }

    /// <summary>A fixed group, two updates on it (so the second has a ratio other than 1 and a KL above 0), noise off.</summary>
    [Fact]
    public void GrpoOnAFixedGroupGivesTheSameLossesInCSharpAndUnderAhwaGrpo()
    {
        var directory = PyTorchTargetTests.WorkDirectory("grpo-agreement");
        using var model = new TinyCausalDecoder(seed: 71);
        var groups = new[]
        {
            new GrpoGroup(new[] { 3, 4 }, new[] { new[] { 5, 1 }, new[] { 6, 7, 1 }, new[] { 8 }, new[] { 9, 1 } }, new[] { 1.0, 0, 1, 0 }),
            new GrpoGroup(new[] { 10, 11, 12 }, new[] { new[] { 13, 1 }, new[] { 14, 1 }, new[] { 15, 16, 17 } }, new[] { 0.0, 0, 1 }),
        };
        var export = PyTorchExport.Write(model, TinyCausalLm.PyTorch, Path.Combine(directory, "export"), Array.Empty<TokenShard>());
        var tensors = groups.SelectMany((g, k) =>
        {
            int length = g.Completions.Max(c => c.Length);
            var ids = g.Completions.SelectMany(c => Enumerable.Range(0, length).Select(i => i < c.Length ? (float)c[i] : 0f)).ToArray();
            var mask = g.Completions.SelectMany(c => Enumerable.Range(0, length).Select(i => i < c.Length ? 1f : 0f)).ToArray();
            long[] shape = { g.Completions.Count, length };
            return new[]
            {
                new NamedTensor($"g{k}.prompt", new long[] { g.Prompt.Length }, g.Prompt.Select(t => (float)t).ToArray()),
                new NamedTensor($"g{k}.completions", shape, ids),
                new NamedTensor($"g{k}.mask", shape, mask),
                new NamedTensor($"g{k}.rewards", new long[] { g.Rewards.Length }, g.Rewards.Select(r => (float)r).ToArray()),
            };
        });
        File.WriteAllBytes(Path.Combine(export.Directory, "groups.safetensors"), SafeTensors.Serialize(tensors));

        var csharp = new System.Collections.Generic.List<double>();
        GrpoTrainer.Run(model, _ => groups, 0, new GrpoOptions(Steps: 1, InnerSteps: 2, LearningRate: 0.05, KlBeta: 0.1, Seed: 72, Execution: AnalogExecution.Digital),
            update: (loss, _) => csharp.Add(loss));
        var (code, stdout, stderr) = Python(export, "-m", "ahwa.grpo", "--model", export.Module + ":build", "--model-args", "{\"weights\": \"weights.safetensors\"}",
            "--groups", "groups.safetensors", "--out", "run", "--steps", "1", "--inner-steps", "2", "--lr", "0.05", "--beta", "0.1", "--mode", "digital",
            "--threads", "1", "--seed", "72");
        Assert.True(code == 0, $"ahwa.grpo failed (exit {code}):\n{stdout}\n{stderr}");
        var python = File.ReadAllLines(Path.Combine(export.Directory, "run", "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        output.WriteLine("C#:      " + string.Join(" ", csharp.Select(l => l.ToString("F7", CultureInfo.InvariantCulture))));
        output.WriteLine("PyTorch: " + string.Join(" ", python.Select(l => l.ToString("F7", CultureInfo.InvariantCulture))));
        Assert.Equal(2, python.Count);
        Assert.NotEqual(csharp[0], csharp[1], 4);
        for (int s = 0; s < 2; s++) Assert.True(Math.Abs(csharp[s] - python[s]) <= 1e-5, $"update {s}: C# {csharp[s]} PyTorch {python[s]}");
    }
}
