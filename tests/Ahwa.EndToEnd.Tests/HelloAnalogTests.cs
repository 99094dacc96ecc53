using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using HelloAnalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The sample model as a user builds it: generator as analyzer, Runtime as library.</summary>
[StartsEarly(3)] // the sample program trains and sweeps
public class HelloAnalogTests
{
    [Fact]
    public void StateDictNamesAreExactlyTheGeneratedWeightNameMap()
    {
        using var model = new TinyEncoder();
        var stateNames = model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal);
        var mapNames = TinyEncoder.WeightNames.Select(w => w.Name).OrderBy(k => k, StringComparer.Ordinal);
        Assert.Equal(mapNames, stateNames);
        Assert.Contains("encoder.layer.1.output.dense.lora_B.weight", stateNames);
    }

    [Fact]
    public void ParameterGroupsMatchTheSpec()
    {
        using var model = new TinyEncoder();
        var groups = model.ParameterGroups();
        var analog = TinyEncoder.Spec.Layers.Where(l => l.IsAnalog).ToList();
        Assert.Equal(analog.Sum(l => l.WeightCount + l.OutFeatures), groups.Count(groups.MetaWeights));
        Assert.Equal(TinyEncoder.Spec.Layers.Sum(l => l.LoraParameterCount), groups.Count(groups.Lora));
        Assert.Equal(analog.Sum(l => (long)l.OutFeatures) + 64 * 3 + 3, groups.Count(groups.Digital));
        Assert.Equal(model.parameters().Sum(p => p.numel()), groups.Total);
        Assert.Equal(5, model.AnalogLayers.Count);
        Assert.Single(model.DigitalLayers);
        Assert.Same(model.Layers[1].Down, model.Layer("encoder.layer.1.output.dense"));
    }

    [Fact]
    public void ATrainingStepChangesLoraAndDigitalParametersButNoMetaWeight()
    {
        using var model = new TinyEncoder(seed: 3);
        var groups = model.ParameterGroups();
        var before = groups.MetaWeights.Select(p => p.Parameter.detach().clone()).ToList();
        var loraBefore = groups.Lora.Select(p => p.Parameter.detach().clone()).ToList();
        var trainable = groups.Lora.Concat(groups.Digital).Select(p => p.Parameter).ToList();
        using var optimizer = optim.Adam(trainable, lr: 1e-2);
        using var x = randn(new long[] { 8, 32 }, generator: new Generator(9));
        using var target = tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        for (int step = 0; step < 2; step++)
        {
            optimizer.zero_grad();
            using var loss = nn.functional.cross_entropy(model.Forward(x), target);
            loss.backward();
            optimizer.step();
        }
        for (int i = 0; i < before.Count; i++) Assert.True(before[i].eq(groups.MetaWeights[i].Parameter).all().item<bool>(), groups.MetaWeights[i].Name);
        Assert.Contains(Enumerable.Range(0, loraBefore.Count), i => !loraBefore[i].eq(groups.Lora[i].Parameter).all().item<bool>());
    }

    [Fact]
    public void TheSameSeedGivesTheSameOutputs()
    {
        using var a = new TinyEncoder(seed: 11);
        using var b = new TinyEncoder(seed: 11);
        a.eval();
        b.eval();
        using var x = randn(new long[] { 3, 32 }, generator: new Generator(1));
        Assert.True(a.Forward(x).eq(b.Forward(x)).all().item<bool>());
    }

    [Fact]
    public void TheSampleProgramPrintsItsLayersTileMapAndAForwardPassThenTrainsAndReports()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "HelloAnalog.dll");
        var folder = Directory.CreateTempSubdirectory("ahwa-hello-").FullName;
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --epochs 2 --out \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        Assert.Contains("Tile map", output);
        Assert.Contains("encoder.layer.1.output.dense", output);
        Assert.Contains("Chip: 9 of 32 tiles used", output);
        Assert.Contains("Forward pass: input [4, 32] -> output [4, 3]", output);
        Assert.Contains("Pipeline latency", output);
        Assert.Contains("10 years", output);
        foreach (var file in new[] { "report.md", "report.json", "drift.json", "adapter/adapter_model.safetensors", "adapter/adapter_config.json", "deploy/manifest.json", "deploy/Makefile" })
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        var plots = Directory.GetFiles(folder, "overhead-vs-*.png");
        Assert.Equal(6, plots.Length); // two plots for each of the three layer shapes
        Assert.All(plots, p => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(p).Take(4).ToArray()));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void ABadOptionIsAClearError()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "HelloAnalog.dll");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --epoch 2") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Unknown option '--epoch'", errors);
    }
}
