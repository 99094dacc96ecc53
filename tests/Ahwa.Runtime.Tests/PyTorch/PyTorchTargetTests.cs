using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Export;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Kernels;
using Ahwa.Lab.Tools;
using Ahwa.Runtime.Tests.Training;
using Ahwa.Simulator;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.PyTorch;

/// <summary>The generated PyTorch models against the TorchSharp ones they were translated from, and adapters crossing
/// between the two trainers. Python runs as /usr/bin/python3 with Debian's torch (the test command installs it).</summary>
public class PyTorchTargetTests
{
    const double Tolerance = 1e-5;
    readonly ITestOutputHelper output;

    public PyTorchTargetTests(ITestOutputHelper output) => this.output = output;

    static readonly Ahwa.Runtime.Tests.ScratchFolder scratch = new("ahwa-pytorch");

    internal static string WorkDirectory(string name) => scratch.Create(name);

    /// <summary>LoRA B starts at zero; random values make the adapter branch count in the comparison.</summary>
    internal static void RandomiseAdapters(AhwaModel model, long seed)
    {
        var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal)) parameter.copy_(randn(parameter.shape, generator: generator) * 0.05);
    }

    static (Tensor Ids, Tensor Mask) Tokens(int batch, int length, long seed)
    {
        var generator = new Generator((ulong)seed);
        var ids = randint(1, TokenClassifier.Vocabulary, new long[] { batch, length }, generator: generator);
        var lengths = randint(2, length + 1, new long[] { batch, 1 }, generator: generator);
        var mask = arange(length).unsqueeze(0).lt(lengths).to_type(ScalarType.Int64);
        return (ids * mask, mask);
    }

    /// <param name="samplesMayFlip">Hardware-aware samples allowed to differ: the DAC, ADC and bound management decide
    /// discretely, and a value within float error of a threshold goes either way when the two libraries sum in different
    /// orders, moving its own sample far (not the others). Small seeded cases have none (they agree to 1e-7).</param>
    void AssertAgree(IReadOnlyList<ModeAgreement> results, int samplesMayFlip = 0)
    {
        Assert.Equal(new[] { "digital", "hardware_aware" }, results.Select(r => r.Mode).ToArray());
        foreach (var r in results)
        {
            output.WriteLine($"{r.Mode}: max relative {r.MaxRelative:E2} (max abs {r.MaxAbsolute:E2}, scale {r.Scale:G4}, {r.Elements} elements); " +
                             $"{r.RowsAgreeing} of {r.Rows} samples agree to 1e-5");
            if (r.Mode == "digital" || samplesMayFlip == 0)
                Assert.True(r.MaxRelative <= Tolerance, $"{r.Mode}: PyTorch differs from TorchSharp by {r.MaxRelative:E3} relative ({r.MaxAbsolute:E3} absolute)");
            else
                Assert.True(r.RowsAgreeing >= r.Rows - samplesMayFlip, $"{r.Mode}: only {r.RowsAgreeing} of {r.Rows} samples agree to 1e-5");
        }
    }

    [Fact]
    public void TranslatedTokenClassifierAgreesWithTorchSharp()
    {
        using var model = new TokenClassifier(seed: 3);
        RandomiseAdapters(model, 4);
        var (ids, mask) = Tokens(6, 9, 5);
        AssertAgree(PyTorchAgreement.Check(model, TokenClassifier.PyTorch, WorkDirectory("token"), new[] { ids, mask }, a => model.Forward(a[0], a[1])));
    }

    [Fact]
    public void TranslatedTinyClassifierAgreesWithTorchSharp()
    {
        using var model = new TinyClassifier(seed: 11);
        RandomiseAdapters(model, 12);
        var x = randn(new long[] { 5, 3, 48 }, generator: new Generator(13)) * 2;
        AssertAgree(PyTorchAgreement.Check(model, TinyClassifier.PyTorch, WorkDirectory("tiny"), new[] { x }, a => model.Forward(a[0])));
    }

    [Fact]
    public void AdapterTrainedByThePyTorchPackageLoadsEvaluatesAndDeploysInCSharp()
    {
        var directory = WorkDirectory("roundtrip");
        using var model = new TokenClassifier(seed: 21);
        var (ids, mask) = Tokens(24, 8, 22);
        var labels = ids.select(1, 0).remainder(TokenClassifier.Classes);
        var export = PyTorchExport.Write(model, TokenClassifier.PyTorch, Path.Combine(directory, "export"),
            new[] { new TokenShard("train", ids, mask, labels) }, new PyTorchExportOptions(Seed: 21, BatchSize: 8));
        Assert.Contains("launch.sh", export.Files);
        Assert.Contains(Path.Combine("data", "train", "part-00000.safetensors"), export.Files);

        var (code, stdout, stderr) = PythonRuntime.Run(
            new[] { "-m", "ahwa.train", "--model", "token_classifier:build", "--model-args", "{\"weights\": \"weights.safetensors\"}",
                "--data", "data/train", "--out", "run", "--max-steps", "3", "--batch-size", "8", "--lr", "0.01", "--threads", "1", "--seed", "21" },
            export.Directory, new[] { export.Directory, Path.Combine(export.Directory, "model") }, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"ahwa.train failed (exit {code}):\n{stdout}\n{stderr}");

        var before = model.AdapterParameters().Select(p => p.Parameter.detach().clone()).ToList();
        AdapterFiles.LoadInto(model, Path.Combine(export.Directory, "run", "adapter"));
        var after = model.AdapterParameters();
        Assert.Contains(after.Select((p, i) => (p, i)), x => x.p.Name.Contains("lora_B", StringComparison.Ordinal) && x.p.Parameter.abs().max().item<float>() > 0);
        Assert.Contains(after.Select((p, i) => (p, i)), x => !x.p.Parameter.allclose(before[x.i], 0, 0));

        // The C# model with the PyTorch-trained adapter computes what PyTorch does with it ...
        AssertAgree(PyTorchAgreement.Check(model, TokenClassifier.PyTorch, Path.Combine(directory, "check"), new[] { ids, mask }, a => model.Forward(a[0], a[1])),
            samplesMayFlip: 1);
        // ... evaluates on the simulated programmed chip ...
        model.eval();
        model.Program(new PcmLikeDevice(), 23);
        model.SetExecution(AnalogExecution.Programmed);
        using (no_grad())
            Assert.True(model.Forward(ids, mask).isfinite().all().item<bool>(), "programmed-chip logits are not finite");
        model.SetExecution(AnalogExecution.Digital);
        // ... and its LoRA kernels, with the trained A and B, match the managed reference bit for bit on the host.
        var cases = ModelKernelCases.Create(model, 4, 24);
        var results = KernelCrossCheck.Run(cases, TokenClassifier.Artifacts, KernelTarget.Host, Path.Combine(directory, "kernels"), checkNaive: false);
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Differences == 0, $"{r.Case.Kernel.Symbol}: {r.Differences} of {r.Elements} elements differ"));
    }

    /// <summary>A generated model under torchrun: two gloo ranks on this machine give the losses and the adapter of one
    /// process with the same global batch (LoRA dropout and noise are keyed by the global sample, not the rank).</summary>
    [Fact]
    public void TwoRanksUnderTorchrunTrainTheSameAdapterAsOneProcess()
    {
        var directory = WorkDirectory("ddp");
        using var model = new TokenClassifier(seed: 51);
        var (ids, mask) = Tokens(32, 8, 52);
        var export = PyTorchExport.Write(model, TokenClassifier.PyTorch, Path.Combine(directory, "export"),
            new[] { new TokenShard("train", ids, mask, ids.select(1, 0).remainder(TokenClassifier.Classes)) });
        string[] Train(string output) => new[] { "-m", "ahwa.train", "--model", "token_classifier:build", "--model-args", "{\"weights\": \"weights.safetensors\"}",
            "--data", "data/train", "--out", output, "--max-steps", "3", "--batch-size", "8", "--lr", "0.01", "--threads", "1", "--seed", "51", "--timeout", "60" };
        var paths = new[] { export.Directory, Path.Combine(export.Directory, "model") };
        var single = PythonRuntime.Run(Train("single"), export.Directory, paths, TimeSpan.FromMinutes(3));
        Assert.True(single.ExitCode == 0, single.Stdout + single.Stderr);
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var torchrun = new[] { "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1", "--nnodes", "1", "--nproc_per_node", "2",
            "--master_addr", "127.0.0.1", "--master_port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(Train("ddp")).ToArray();
        var ddp = PythonRuntime.Run(torchrun, export.Directory, paths, TimeSpan.FromMinutes(3));
        Assert.True(ddp.ExitCode == 0, ddp.Stdout + ddp.Stderr);
        var one = AdapterFiles.Load(Path.Combine(export.Directory, "single", "adapter"));
        var two = AdapterFiles.Load(Path.Combine(export.Directory, "ddp", "adapter")).Tensors.ToDictionary(t => t.Name);
        double largest = 0;
        foreach (var tensor in one.Tensors)
            largest = Math.Max(largest, tensor.Data.Zip(two[tensor.Name].Data, (a, b) => (double)Math.Abs(a - b)).Max());
        output.WriteLine($"{one.Tensors.Count} adapter tensors; largest difference between 1 and 2 ranks {largest:E2}");
        // Each Adam step moves an element by up to lr (1e-2). The all-reduce sums gradients in another order than one
        // process does, and Adam's normalisation amplifies that rounding where a gradient is near zero (CI measured
        // 1.6e-5), so allow 1 % of one step; noise or dropout keyed by the rank would move elements by whole steps.
        Assert.True(largest <= 1e-4, $"the 2-rank adapter differs from the 1-process one by {largest:E3}");
    }

    [Fact]
    public void AdapterSavedInCSharpAppliesInPyTorchOntoTheSameParameters()
    {
        var directory = WorkDirectory("csharp-adapter");
        using var model = new TokenClassifier(seed: 31);
        RandomiseAdapters(model, 32);
        AdapterFiles.Save(model, Path.Combine(directory, "adapter"));
        var export = PyTorchExport.Write(model, TokenClassifier.PyTorch, Path.Combine(directory, "export"), Array.Empty<TokenShard>());
        // A fresh PyTorch model gets the C# adapter; its whole state must then equal the C# model's exported state.
        string script = string.Join("\n",
            "import json, torch, token_classifier",
            "from ahwa import files",
            "m = token_classifier.build(seed=99)",
            "files.load_adapter_into(m, '../adapter')",
            "want = files.load_file('weights.safetensors')",
            "state = m.state_dict()",
            "adapter = [n for n, p in m.named_parameters() if p.requires_grad]",
            "print(json.dumps({'adapter': len(adapter), 'max': max(float((state[n] - want[n]).abs().max()) for n in adapter)}))");
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { "-c", script }, export.Directory,
            new[] { export.Directory, Path.Combine(export.Directory, "model") }, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"python failed (exit {code}):\n{stdout}\n{stderr}");
        output.WriteLine(stdout);
        Assert.Contains("\"max\": 0.0", stdout, StringComparison.Ordinal);
        Assert.Contains($"\"adapter\": {model.AdapterParameters().Count}", stdout, StringComparison.Ordinal);
    }

    /// <summary>With the noise on, each implementation draws its own numbers (TorchSharp's generator in C#, Ahwa's keyed
    /// streams in Python), so they are compared in distribution: per fresh forward of one analog layer (2 x 2 tiles,
    /// weight noise 0.067, output noise 0.04, 8-bit converters, bound management), the mean output and the mean squared
    /// deviation from that implementation's own average. Draws are independent, so each statistic has a standard error
    /// from its spread over draws; the two must agree within 3 of them.</summary>
    [Fact]
    public void FreshNoiseDrawsHaveTheSameStatisticsInBothImplementations()
    {
        const int Draws = 300;
        var directory = WorkDirectory("noise-statistics");
        using var model = new TinyClassifier(seed: 41);
        var export = PyTorchExport.Write(model, TinyClassifier.PyTorch, Path.Combine(directory, "export"), Array.Empty<TokenShard>());
        var x = randn(new long[] { 4, 48 }, generator: new Generator(43)) * 2;
        model.eval();
        model.SetExecution(AnalogExecution.HardwareAware);
        model.SeedNoise(44);
        Tensor outputs;
        using (no_grad())
            outputs = stack(Enumerable.Range(0, Draws).Select(_ => model.Hidden.call(x).flatten()).ToArray());
        File.WriteAllBytes(Path.Combine(export.Directory, "noise.safetensors"),
            SafeTensors.Serialize(new[] { PyTorchExport.Raw("x", x), PyTorchExport.Raw("csharp", outputs) }));
        string script = string.Join("\n",
            "import json, torch, tiny_classifier",
            "from ahwa import files, set_mode, seed_noise",
            "torch.set_num_threads(1)",
            "t = files.load_file('noise.safetensors')",
            "m = tiny_classifier.build(seed=0, weights='weights.safetensors').eval()",
            "seed_noise(m, 45)",
            "layer = m.get_submodule('encoder.dense')",
            "with torch.no_grad():",
            "    py = torch.stack([layer(t['x']).flatten() for _ in range(" + Draws + ")])",
            "def stats(o):",
            "    mean = o.mean(1).double(); spread = (o - o.mean(0)).pow(2).mean(1).double()",
            "    n = o.shape[0]",
            "    return [(float(v.mean()), float(v.std() / n ** 0.5)) for v in (mean, spread)]",
            "out = {}",
            "for name, (a, b) in zip(('mean', 'spread'), zip(stats(py), stats(t['csharp']))):",
            "    out[name] = {'python': a[0], 'csharp': b[0], 'z': abs(a[0] - b[0]) / (a[1] ** 2 + b[1] ** 2) ** 0.5}",
            "print(json.dumps(out))");
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { "-c", script }, export.Directory,
            new[] { export.Directory, Path.Combine(export.Directory, "model") }, TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"python failed (exit {code}):\n{stdout}\n{stderr}");
        output.WriteLine(stdout);
        using var result = System.Text.Json.JsonDocument.Parse(stdout);
        foreach (var statistic in result.RootElement.EnumerateObject())
        {
            double z = statistic.Value.GetProperty("z").GetDouble();
            Assert.True(z <= 3, $"{statistic.Name}: PyTorch {statistic.Value.GetProperty("python").GetDouble():G5}, TorchSharp " +
                $"{statistic.Value.GetProperty("csharp").GetDouble():G5}: {z:F2} standard errors apart");
        }
        // The noise is really there: the spread is not zero.
        Assert.True(result.RootElement.GetProperty("spread").GetProperty("csharp").GetDouble() > 1e-4);
    }

    [Fact]
    public void EveryPyTorchNameInTheTranslationTableExistsInTheInstalledTorch()
    {
        var names = new List<string>();
        names.AddRange(Ahwa.Codegen.TorchApi.TensorMethods.Select(n => "torch.Tensor." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.TensorRenames.Values.Distinct().Select(n => "torch.Tensor." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.TensorProperties.Select(n => "torch.Tensor." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.TorchFunctions.Select(n => "torch." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.FunctionalFunctions.Select(n => "torch.nn.functional." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.NnModules.Select(n => "torch.nn." + n));
        names.AddRange(Ahwa.Codegen.TorchApi.ScalarTypes.Values);
        names.AddRange(Ahwa.Codegen.TorchApi.MathFunctions.Values.Where(n => n.StartsWith("math.", StringComparison.Ordinal)));
        string script = "import math, operator, torch, torch.nn.functional\n" +
            "names = " + "[" + string.Join(", ", names.Select(n => "'" + n + "'")) + "]\n" +
            "def resolve(name):\n    head, *rest = name.split('.')\n    value = {'torch': torch, 'math': math}[head]\n" +
            "    for part in rest:\n        value = getattr(value, part)\n    return value\n" +
            "missing = []\nfor n in names:\n    try:\n        resolve(n)\n    except AttributeError:\n        missing.append(n)\n" +
            "print('checked', len(names), 'missing', missing)";
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { "-c", script }, Path.GetTempPath(), Array.Empty<string>(), TimeSpan.FromMinutes(1));
        Assert.True(code == 0, stderr);
        output.WriteLine(stdout);
        Assert.Contains($"checked {names.Count} missing []", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ExportRefusesAModelWithoutTranslationAndNamesTheProblems()
    {
        using var model = new TokenClassifier(seed: 1);
        var broken = TokenClassifier.PyTorch with { Source = null, Problems = new[] { "TinyAttention.cs(40,9): AHWA0102: example" } };
        var error = Assert.Throws<InvalidOperationException>(() =>
            PyTorchExport.Write(model, broken, WorkDirectory("refused"), Array.Empty<TokenShard>()));
        Assert.Contains("AHWA0102: example", error.Message, StringComparison.Ordinal);
    }
}
