using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>AHWA-LoRA on a generated model: hardware-aware forward, trainable sets, programmed execution,
/// adapters as PEFT files, the drift sweep.</summary>
public class TrainingTests
{
    const int Examples = 256;

    /// <summary>A task a LoRA can learn: labels from a fixed random teacher on random inputs.</summary>
    static (Tensor X, Tensor Labels) Task(int teacherSeed)
    {
        var x = randn(new long[] { Examples, 48 }, generator: new Generator(5));
        var teacher = randn(new long[] { 48 }, generator: new Generator((ulong)teacherSeed));
        var labels = x.matmul(teacher).gt(0).to_type(ScalarType.Int64);
        return (x, labels);
    }

    static Func<int[], Tensor> Loss(TinyClassifier model, Tensor x, Tensor labels) => batch =>
    {
        var index = tensor(batch.Select(i => (long)i).ToArray());
        return nn.functional.cross_entropy(model.Forward(x.index_select(0, index)), labels.index_select(0, index));
    };

    static double Accuracy(TinyClassifier model, Tensor x, Tensor labels)
    {
        using var noGrad = no_grad();
        using var predictions = model.Forward(x).argmax(1);
        return predictions.eq(labels).to_type(ScalarType.Float32).mean().item<float>();
    }

    static float[] Values(Tensor t) => t.detach().contiguous().data<float>().ToArray();

    [Fact]
    public void QuantisersPassGradientsStraightThrough()
    {
        using var model = new TinyClassifier(seed: 1);
        model.SetExecution(AnalogExecution.HardwareAware);
        model.SeedNoise(2);
        model.ConfigureTraining(TrainingRegime.AhwaLora);
        using (no_grad()) model.Hidden.LoraB!.weight!.normal_(generator: new Generator(3));
        var x = randn(new long[] { 8, 48 }, generator: new Generator(4)).requires_grad_(true);
        model.Forward(x).sum().backward();
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
        Assert.True(model.Hidden.LoraA!.weight!.grad!.abs().sum().item<float>() > 0);
        Assert.Null(model.Hidden.weight.grad);
    }

    /// <summary>Programmed execution's backward is that of the linear map with the tiles' current weights (x output
    /// scale x drift compensation): after a drift the gradient follows the drifted weights, not a stale copy.</summary>
    [Fact]
    public void ProgrammedBackwardUsesTheCurrentlyDriftedWeights()
    {
        var spec = new Ahwa.Hardware.LayerSpec("programmed", Ahwa.Hardware.LayerKind.Analog, 40, 12, false, null);
        using var layer = new AnalogLinear(spec, new Generator(1), Ahwa.Hardware.ChipSpec.Default) { Execution = AnalogExecution.Programmed };
        using (no_grad()) layer.output_scale.uniform_(0.5, 1.5, generator: new Generator(2));
        layer.Program(new PcmLikeDevice(), 3);
        float[] Expected()
        {
            var effective = layer.Simulator!.EffectiveWeights();
            var scale = Values(layer.output_scale);
            var compensation = layer.Simulator.CompensationFactors.ToArray();
            return Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 12).Sum(j => effective[j * 40 + i] * scale[j] * compensation[j])).ToArray();
        }
        float[] Gradient()
        {
            var x = randn(new long[] { 3, 40 }, generator: new Generator(4)).requires_grad_(true);
            layer.call(x).sum().backward();
            return Values(x.grad![1]);
        }
        var programmed = Expected();
        Assert.Equal(programmed, Gradient(), new FloatTolerance(1e-5f));
        layer.DriftTo(315360000, 5);
        var drifted = Expected();
        Assert.True(drifted.Zip(programmed).Max(p => Math.Abs(p.First - p.Second)) > 1e-3, "ten years of drift should change the weights");
        Assert.Equal(drifted, Gradient(), new FloatTolerance(1e-5f));
    }

    sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1f, Math.Abs(b));
        public int GetHashCode(float value) => 0;
    }

    [Fact]
    public void HardwareAwareBoundManagementRedoesOnlyClippingTokensAndMatchesTheSimulator()
    {
        // 512 inputs of 1 into weights of 1: 512 at scale 1, beyond the bound of 12; halved 6 times it fits.
        var chip = Ahwa.Hardware.ChipSpec.Default with { OutputNoise = 0, WeightNoise = 0, WeightClipSigma = 1e6 };
        var spec = new Ahwa.Hardware.LayerSpec("bm", Ahwa.Hardware.LayerKind.Analog, 512, 4, false, null);
        using var layer = new AnalogLinear(spec, new Generator(1), chip) { Execution = AnalogExecution.HardwareAware };
        using (no_grad()) layer.weight.fill_(1f);
        var x = ones(3, 512);
        using (no_grad()) x[1].mul_(0.01f); // this token does not clip: 512 x 0.01 / 0.01 scale... still 512 normalised
        x[2].fill_(0f);
        x[2][0] = 1f;                        // one input: 1, no clipping
        var y = Values(layer.call(x));
        float step = Ahwa.Hardware.Converters.Step(8, 12.0);
        float clipped = MathF.Round(8f / step) * step * 64f;
        Assert.Equal(clipped, y[0], 1e-3f);
        Assert.Equal(clipped * 0.01f, y[4], 1e-3f);
        Assert.Equal(MathF.Round(1f / step) * step, y[8], 1e-5f);
        var expected = new float[12];
        var simulator = new AnalogLayerSimulator(spec, chip, Enumerable.Repeat(1f, 2048).ToArray());
        simulator.Forward(Values(x), 3, expected, 1);
        for (int i = 0; i < 12; i++) Assert.Equal(expected[i], y[i], 1e-3f);
    }

    [Fact]
    public void HardwareAwareForwardIsNoisyButCloseToTheDigitalOne()
    {
        using var model = new TinyClassifier(seed: 1);
        var x = randn(new long[] { 64, 48 }, generator: new Generator(4));
        model.SetExecution(AnalogExecution.Digital);
        var digital = model.Hidden.call(x);
        model.SetExecution(AnalogExecution.HardwareAware);
        model.SeedNoise(9);
        var first = model.Hidden.call(x);
        var second = model.Hidden.call(x);
        double error = (first - digital).pow(2).mean().sqrt().item<float>() / digital.pow(2).mean().sqrt().item<float>();
        Assert.True(error > 0.005 && error < 0.3, $"relative error {error}");
        Assert.False(first.eq(second).all().item<bool>()); // a fresh noise draw per forward
        model.SeedNoise(9);
        Assert.True(model.Hidden.call(x).eq(first).all().item<bool>()); // the same seed, the same draws
    }

    [Fact]
    public void AhwaLoraLearnsAndLeavesMetaWeightsBitForBitUnchanged()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var before = model.AnalogLayers.Select(l => Values(l.weight)).ToList();
        var scales = model.AnalogLayers.Select(l => Values(l.output_scale)).ToList();
        var losses = AhwaTrainer.Train(model, Examples, Loss(model, x, labels), new TrainingOptions(LearningRate: 1e-2, BatchSize: 32, Epochs: 6, Seed: 3));
        Assert.True(losses.TakeLast(8).Average() < 0.8 * losses.Take(8).Average(), $"loss {losses.Take(8).Average()} -> {losses.TakeLast(8).Average()}");
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i], Values(model.AnalogLayers[i].weight));
            Assert.Equal(scales[i], Values(model.AnalogLayers[i].output_scale));
        }
    }

    [Fact]
    public void FullAhwaChangesTheMetaWeights()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var before = Values(model.Hidden.weight);
        AhwaTrainer.Train(model, Examples, Loss(model, x, labels), new TrainingOptions(LearningRate: 5e-3, BatchSize: 64, Epochs: 1, Seed: 3, Regime: TrainingRegime.FullAhwa));
        Assert.NotEqual(before, Values(model.Hidden.weight));
    }

    [Fact]
    public void ABatchInPassesTakesTheSameStepsAsInOne()
    {
        (IReadOnlyList<double> Losses, float[] Weights, List<int> Passes) Run(int microBatch)
        {
            using var model = new TinyClassifier(seed: 1);
            var (x, labels) = Task(11);
            var passes = new List<int>();
            var loss = Loss(model, x, labels);
            var losses = AhwaTrainer.Train(model, Examples, batch => { passes.Add(batch.Length); return loss(batch); },
                new TrainingOptions(LearningRate: 5e-3, BatchSize: 64, Epochs: 2, Seed: 3, Regime: TrainingRegime.FullAhwa, Execution: AnalogExecution.Digital)
                { MicroBatchSize = microBatch });
            return (losses, Values(model.Hidden.weight).Concat(Values(model.Head.weight)).ToArray(), passes);
        }
        var whole = Run(0);
        var passes = Run(24);
        Assert.All(whole.Passes, n => Assert.Equal(64, n));
        Assert.Equal(Enumerable.Repeat(new[] { 24, 24, 16 }, 8).SelectMany(p => p), passes.Passes);
        Assert.Equal(whole.Losses.Count, passes.Losses.Count);
        foreach (var (one, split) in whole.Losses.Zip(passes.Losses)) Assert.Equal(one, split, tolerance: 1e-5);
        foreach (var (one, split) in whole.Weights.Zip(passes.Weights)) Assert.Equal(one, split, tolerance: 1e-4f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { MicroBatchSize = -1 }.Validate());
    }

    [Fact]
    public void PretrainingChangesTheMetaWeightsAndLeavesTheLora()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var weight = Values(model.Hidden.weight);
        var loraA = Values(model.Hidden.LoraA!.weight!);
        var loraB = Values(model.Hidden.LoraB!.weight!);
        var trainable = model.ConfigureTraining(TrainingRegime.Pretraining);
        Assert.DoesNotContain(trainable, p => ReferenceEquals(p, model.Hidden.LoraA!.weight));
        Assert.Contains(trainable, p => ReferenceEquals(p, model.Hidden.weight));
        AhwaTrainer.Train(model, Examples, Loss(model, x, labels), new TrainingOptions(LearningRate: 5e-3, BatchSize: 64, Epochs: 1, Seed: 3,
            Regime: TrainingRegime.Pretraining, Execution: AnalogExecution.Digital));
        Assert.NotEqual(weight, Values(model.Hidden.weight));
        Assert.Equal(loraA, Values(model.Hidden.LoraA!.weight!));
        Assert.Equal(loraB, Values(model.Hidden.LoraB!.weight!));
    }

    [Fact]
    public void ProgrammedExecutionIsTheReferenceSimulator()
    {
        using var model = new TinyClassifier(seed: 1);
        using (no_grad()) model.Hidden.LoraB!.weight!.zero_();
        model.Program(new PcmLikeDevice(), 21);
        model.DriftTo(86400, 22);
        model.SetExecution(AnalogExecution.Programmed);
        var x = randn(new long[] { 10, 48 }, generator: new Generator(4));
        var layer = model.Hidden;
        var y = Values(layer.call(x) - layer.bias!);

        // The same programmed tiles, drift draw and noise seed, straight through the simulator.
        var expected = new float[10 * 40];
        var seed = (ulong)typeof(AnalogLinear).GetField("evaluationSeed", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(layer)!;
        layer.Simulator!.Forward(Values(x), 10, expected, AnalogLinear.EvaluationSeed(seed, 1));
        for (int i = 0; i < y.Length; i++)
            Assert.True(Math.Abs(y[i] - expected[i]) <= 1e-5 * Math.Max(1e-3, Math.Abs(expected[i])), $"element {i}: {y[i]} vs {expected[i]}");
    }

    [Fact]
    public void AdaptersRoundTripInPeftLayoutAndBadFilesLeaveTheModelUnchanged()
    {
        using var model = new TinyClassifier(seed: 1);
        using (no_grad()) foreach (var layer in model.AnalogLayers) layer.LoraB!.weight!.normal_(generator: new Generator(8));
        var directory = Directory.CreateTempSubdirectory("ahwa-adapter-").FullName;
        AdapterFiles.Save(model, directory);
        var names = SafeTensors.Read(Path.Combine(directory, AdapterFiles.WeightsFile)).Select(t => t.Name).ToList();
        Assert.Contains("base_model.model.encoder.dense.lora_A.weight", names);
        Assert.Contains("base_model.model.classifier.weight", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".weight", StringComparison.Ordinal) && n.Contains("dense.weight"));
        using (var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, AdapterFiles.ConfigFile))))
        {
            Assert.Equal("LORA", config.RootElement.GetProperty("peft_type").GetString());
            Assert.Equal(4, config.RootElement.GetProperty("r").GetInt32());
            Assert.Equal("classifier", config.RootElement.GetProperty("modules_to_save")[0].GetString());
        }

        using var other = new TinyClassifier(seed: 2);
        AdapterFiles.LoadInto(other, directory);
        Assert.Equal(Values(model.Hidden.LoraB!.weight!), Values(other.Hidden.LoraB!.weight!));
        Assert.Equal(Values(model.Head.weight), Values(other.Head.weight));

        // A truncated file: the error names the file; nothing changes.
        using var third = new TinyClassifier(seed: 3);
        var untouched = Values(third.Hidden.LoraA!.weight!);
        var bytes = File.ReadAllBytes(Path.Combine(directory, AdapterFiles.WeightsFile));
        File.WriteAllBytes(Path.Combine(directory, AdapterFiles.WeightsFile), bytes.AsSpan(0, bytes.Length - 100).ToArray());
        var error = Assert.Throws<InvalidDataException>(() => AdapterFiles.LoadInto(third, directory));
        Assert.Contains(AdapterFiles.WeightsFile, error.Message);
        Assert.Contains("tensor '", error.Message);
        Assert.Equal(untouched, Values(third.Hidden.LoraA!.weight!));

        // A tensor of the wrong shape: named, and nothing changes (checked before anything is copied).
        var adapter = AdapterFiles.Capture(model, "task");
        var tensors = adapter.Tensors.Select(t => t.Name.EndsWith("encoder.output.lora_B.weight", StringComparison.Ordinal) ? t with { Shape = new long[] { 4, 16 } } : t).ToList();
        var mismatch = Assert.Throws<InvalidDataException>(() => AdapterFiles.Apply(third, adapter with { Tensors = tensors }, "task.safetensors"));
        Assert.Contains("base_model.model.encoder.output.lora_B.weight", mismatch.Message);
        Assert.Contains("task.safetensors", mismatch.Message);
        Assert.Equal(untouched, Values(third.Hidden.LoraA!.weight!));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void TwoTasksShareOneProgrammingAndEachAdapterServesItsOwnTask()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, first) = Task(11);
        var (_, second) = Task(12);
        var options = new TrainingOptions(LearningRate: 1e-2, BatchSize: 32, Epochs: 8, Seed: 3);
        var untrained = AdapterFiles.Capture(model, "untrained");
        AhwaTrainer.Train(model, Examples, Loss(model, x, first), options);
        var adapterOne = AdapterFiles.Capture(model, "one");
        AdapterFiles.Apply(model, untrained); // each task starts from the same base model
        AhwaTrainer.Train(model, Examples, Loss(model, x, second), options);
        var adapterTwo = AdapterFiles.Capture(model, "two");

        model.Program(new PcmLikeDevice(), 5);
        model.DriftTo(3600, 6);
        model.SetExecution(AnalogExecution.Programmed);
        var tiles = model.Hidden.Simulator;
        AdapterFiles.Apply(model, adapterOne);
        double oneOnOne = Accuracy(model, x, first), oneOnTwo = Accuracy(model, x, second);
        AdapterFiles.Apply(model, adapterTwo);
        double twoOnTwo = Accuracy(model, x, second), twoOnOne = Accuracy(model, x, first);
        Assert.Same(tiles, model.Hidden.Simulator); // no reprogramming
        Assert.True(oneOnOne > oneOnTwo + 0.1 && twoOnTwo > twoOnOne + 0.1, $"{oneOnOne} {oneOnTwo} {twoOnTwo} {twoOnOne}");
        Assert.True(oneOnOne > 0.75 && twoOnTwo > 0.75, $"{oneOnOne} {twoOnTwo}");
    }

    [Fact]
    public void ReleasedTilesAreGoneUntilTheNextProgrammingWhichDrawsTheSameConductances()
    {
        using var model = new TinyClassifier(seed: 1);
        model.Program(new PcmLikeDevice(), 5);
        var programmed = model.Hidden.Simulator!.EffectiveWeights();
        model.ReleaseProgramming();
        Assert.All(model.AnalogLayers, layer => Assert.Null(layer.Simulator));
        model.SetExecution(AnalogExecution.Programmed);
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(ones(2, 48)));
        Assert.Contains("is not programmed; call Program first", error.Message);
        model.Program(new PcmLikeDevice(), 5);
        Assert.Equal(programmed, model.Hidden.Simulator!.EffectiveWeights());
    }

    [Fact]
    public void ConvertersChangeWithoutReprogrammingAndALoraRetrainedForThemOnTheSameTiles()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        AhwaTrainer.Train(model, Examples, Loss(model, x, labels), new TrainingOptions(LearningRate: 1e-2, BatchSize: 32, Epochs: 4, Seed: 3));
        model.Program(new PcmLikeDevice(), 5);
        model.DriftTo(3600, 6);
        var tiles = model.Hidden.Simulator!;
        var conductances = tiles.EffectiveWeights();

        model.ChangeConverters(6, 6);
        Assert.Same(tiles, model.Hidden.Simulator);
        Assert.Equal(conductances, tiles.EffectiveWeights());
        Assert.Equal((6, 6), (tiles.Settings.DacBits, tiles.Settings.AdcBits));
        Assert.Equal(6, model.Hidden.Chip.AdcBits);

        // Retrain only the LoRA on the programmed 6-bit hardware (the regime AHWA-LoRA uses to re-adapt).
        var losses = AhwaTrainer.Train(model, Examples, Loss(model, x, labels),
            new TrainingOptions(LearningRate: 5e-3, BatchSize: 32, Epochs: 2, Seed: 4, Execution: AnalogExecution.Programmed));
        Assert.Same(tiles, model.Hidden.Simulator);
        Assert.Equal(conductances, tiles.EffectiveWeights());
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ChangeConverters(-1, 8));
    }

    [Fact]
    public void TheTrainerTakesTheStepsItsOptionsCountAndDecaysToZeroOverThem()
    {
        Assert.Equal(2, TrainingOptions.StepsPerEpoch(64, 32));
        Assert.Equal(3, TrainingOptions.StepsPerEpoch(65, 32));
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var options = new TrainingOptions(LearningRate: 1e-2, BatchSize: 30, Epochs: 2, Seed: 3);
        var steps = new List<TrainingStep>();
        var losses = AhwaTrainer.Train(model, Examples, Loss(model, x, labels), options, new ImmediateProgress<TrainingStep>(steps.Add));
        Assert.Equal(2 * 9, options.TotalSteps(Examples)); // 256 examples in batches of 30: eight full and one of 16
        Assert.Equal(options.TotalSteps(Examples), losses.Count);
        Assert.All(steps, step => Assert.Equal(options.TotalSteps(Examples), step.TotalSteps));
        Assert.Equal(options.LearningRate / options.TotalSteps(Examples), steps[^1].LearningRate, 12);
    }

    [Fact]
    public void CancellingKeepsTheLastCheckpoint()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var directory = Directory.CreateTempSubdirectory("ahwa-checkpoint-").FullName;
        using var cancel = new CancellationTokenSource();
        byte[]? epochOne = null;
        var progress = new ImmediateProgress<TrainingStep>(step => { if (step.Epoch == 2 && step.Step == 10) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => AhwaTrainer.Train(model, Examples, Loss(model, x, labels),
            new TrainingOptions(LearningRate: 1e-2, BatchSize: 32, Epochs: 3, Seed: 3), progress, cancel.Token,
            epoch => { AdapterFiles.Save(model, directory); epochOne ??= File.ReadAllBytes(Path.Combine(directory, AdapterFiles.WeightsFile)); }));
        Assert.Equal(epochOne, File.ReadAllBytes(Path.Combine(directory, AdapterFiles.WeightsFile)));
        using var restored = new TinyClassifier(seed: 5);
        AdapterFiles.LoadInto(restored, directory);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void DriftSweepReportsMeanAndStdAtThePaperTimes()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var points = DriftSweep.Run(model, new PcmLikeDevice(), () => Accuracy(model, x, labels), repetitions: 2, seed: 4);
        Assert.Equal(new[] { "0 s", "1 h", "1 day", "1 week", "30 days", "1 year", "10 years" }, points.Select(p => p.Label));
        Assert.All(points, p => Assert.Equal(2, p.Values.Count));
        Assert.All(points, p => Assert.InRange(p.Mean, 0, 1));
        using var json = System.Text.Json.JsonDocument.Parse(DriftSweep.ToJson("accuracy", points));
        Assert.Equal(7, json.RootElement.GetProperty("points").GetArrayLength());
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftSweep.Run(model, new PcmLikeDevice(), () => 0, 1, 1, new[] { (-1.0, "before") }));
    }

    [Fact]
    public void ProbesShareProgrammingsAndDriftDrawsAndRespectTheirRepetitions()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var times = new[] { (0.0, "0 s"), (31536000.0, "1 year") };
        var alone = DriftSweep.Run(model, new PcmLikeDevice(), () => Accuracy(model, x, labels), repetitions: 3, seed: 4, times);
        int prepared = 0;
        var probes = new[]
        {
            new SweepProbe("a", () => Accuracy(model, x, labels)),
            new SweepProbe("weights", WeightSum),
            new SweepProbe("b", WeightSum, Prepare: () => prepared++, Repetitions: 2),
        };
        double WeightSum() => model.AnalogLayers[0].Simulator!.EffectiveWeights().Sum(w => (double)w);
        var progress = new List<(int Done, int Total)>();
        var shared = DriftSweep.Run(model, new PcmLikeDevice(), probes, repetitions: 3, seed: 4, times, new ImmediateProgress<(int, int)>(progress.Add));
        // Same seeds, same draws: a probe measures what a sweep of its own measures.
        Assert.Equal(alone.SelectMany(p => p.Values), shared["a"].SelectMany(p => p.Values));
        // Probes of one (programming, time) see the same conductances.
        Assert.Equal(shared["weights"].SelectMany(p => p.Values.Take(2)), shared["b"].SelectMany(p => p.Values));
        Assert.Equal(6, shared["weights"].SelectMany(p => p.Values).Distinct().Count());
        Assert.Equal(4, prepared);
        Assert.Equal((16, 16), progress[^1]);
        Assert.Throws<ArgumentException>(() => DriftSweep.Run(model, new PcmLikeDevice(), new[] { probes[0], probes[0] }, 1, 1, times));
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftSweep.Run(model, new PcmLikeDevice(), new[] { probes[0] with { Repetitions = 0 } }, 1, 1, times));
    }

    [Fact]
    public void MetricsProbesGiveEachMetricItsPointsAndRefuseAChangingSet()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var times = new[] { (0.0, "0 s"), (31536000.0, "1 year") };
        var single = DriftSweep.Run(model, new PcmLikeDevice(), () => Accuracy(model, x, labels), repetitions: 2, seed: 4, times);
        var probe = new MetricsProbe("both", () =>
        {
            double accuracy = Accuracy(model, x, labels);
            return new Dictionary<string, double> { ["accuracy"] = accuracy, ["error"] = 1 - accuracy };
        });
        var points = DriftSweep.RunMetrics(model, new PcmLikeDevice(), new[] { probe }, repetitions: 2, seed: 4, times)["both"];
        Assert.Equal(single.SelectMany(p => p.Values), points["accuracy"].SelectMany(p => p.Values));
        Assert.Equal(single.SelectMany(p => p.Values.Select(v => 1 - v)), points["error"].SelectMany(p => p.Values));
        int calls = 0;
        var changing = new MetricsProbe("changing", () => ++calls == 1
            ? new Dictionary<string, double> { ["f1"] = 0.5 }
            : new Dictionary<string, double> { ["accuracy"] = 0.5 });
        var error = Assert.Throws<InvalidOperationException>(() => DriftSweep.RunMetrics(model, new PcmLikeDevice(), new[] { changing }, 1, 1, times));
        Assert.Equal("Probe 'changing' gave the metrics accuracy; its first evaluation gave f1.", error.Message);
    }

    [Fact]
    public void ASweepKeepsPerItemPredictionsPerTimeAndProgrammingThatRecomputeItsMetric()
    {
        using var model = new TinyClassifier(seed: 1);
        var (x, labels) = Task(11);
        var gold = labels.data<long>().Select(l => (int)l).ToList();
        var times = new[] { (0.0, "0 s"), (31536000.0, "1 year") };
        var accuracy = SubsetMetrics.Accuracy(gold);
        var ones = Enumerable.Repeat(1, gold.Count).ToArray();
        ProbeEvaluation Evaluate()
        {
            using var noGrad = no_grad();
            // One forward gives both (programmed execution draws fresh output noise per call).
            using var predicted = model.Forward(x).argmax(1);
            var items = predicted.data<long>().Select(p => (float)p).ToArray();
            double right = items.Zip(gold).Count(p => (int)p.First == p.Second);
            return new ProbeEvaluation(new Dictionary<string, double> { ["accuracy"] = right / gold.Count }, items);
        }
        var probes = new[]
        {
            new EvaluationProbe("kept", Evaluate),
            new EvaluationProbe("scored", () => Evaluate() with { Items = null }, Repetitions: 1),
        };
        var sweep = DriftSweep.RunEvaluations(model, new PcmLikeDevice(), probes, repetitions: 3, seed: 4, times);
        // The metrics are the sweep's without kept items; the items are [time][programming], one array per evaluation.
        var metrics = DriftSweep.RunMetrics(model, new PcmLikeDevice(), new[] { new MetricsProbe("kept", () => Evaluate().Metrics) }, 3, 4, times)["kept"];
        Assert.Equal(metrics["accuracy"].SelectMany(p => p.Values), sweep.Points["kept"]["accuracy"].SelectMany(p => p.Values));
        Assert.Equal(new[] { "kept" }, sweep.Items.Keys);
        var kept = sweep.Items["kept"];
        Assert.Equal(times.Length, kept.Count);
        Assert.All(kept, byProgramming => Assert.Equal(3, byProgramming.Count));
        for (int t = 0; t < times.Length; t++)
            for (int r = 0; r < 3; r++)
                Assert.Equal(sweep.Points["kept"]["accuracy"][t].Values[r], accuracy(kept[t][r], ones), 12);

        int calls = 0;
        var changing = new EvaluationProbe("changing", () => Evaluate() with { Items = ++calls == 1 ? new float[gold.Count] : null });
        var error = Assert.Throws<InvalidOperationException>(() => DriftSweep.RunEvaluations(model, new PcmLikeDevice(), new[] { changing }, 1, 1, times));
        Assert.Equal("Probe 'changing' gave per-item predictions on its first evaluation but not on a later one.", error.Message);
    }

    [Fact]
    public void DriftPlotWritesAPngAndRefusesSeriesWithOtherTimes()
    {
        var times = new[] { (0.0, "0 s"), (3600.0, "1 h") };
        IReadOnlyList<DriftPoint> Points(double a, double b, params (double, string)[] at) =>
            at.Select((t, i) => new DriftPoint(t.Item1, t.Item2, i == 0 ? a : b, 0.01, new[] { a, b })).ToList();
        var folder = Directory.CreateTempSubdirectory("ahwa-plot-").FullName;
        try
        {
            var path = DriftPlot.Write(Path.Combine(folder, "plots", "drift.png"), "accuracy", ["accuracy"], new[] { ("one", Points(0.9, 0.8, times)), ("two", Points(0.7, 0.6, times)) });
            var bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 1000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.Empty(Directory.GetFiles(Path.Combine(folder, "plots"), "*.tmp.png"));
            var error = Assert.Throws<ArgumentException>(() => DriftPlot.Write(Path.Combine(folder, "bad.png"), "accuracy", ["accuracy"],
                new[] { ("one", Points(0.9, 0.8, times)), ("two", Points(0.7, 0.6, (0.0, "0 s"), (86400.0, "1 day"))) }));
            Assert.Contains("Series 'two' has times 0 s, 1 day", error.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Issue 33: the y-axis names the metric (not "accuracy" for a correlation), and long titles wrap whole.</summary>
    [Fact]
    public void DriftPlotsNameTheirMetricAndWrapLongTitles()
    {
        Assert.Equal("accuracy (%)", DriftPlot.AxisLabel(["accuracy"]));
        Assert.Equal("Pearson correlation (x 100)", DriftPlot.AxisLabel(["Pearson correlation"]));
        Assert.Equal("Matthews correlation (x 100)", DriftPlot.AxisLabel(["Matthews correlation", "Matthews correlation"]));
        Assert.Equal("F1, accuracy (%)", DriftPlot.AxisLabel(["F1", "accuracy"]));
        Assert.Equal("Pearson correlation (x 100); accuracy (%)", DriftPlot.AxisLabel(["Pearson correlation", "accuracy"]));
        Assert.Equal("accuracy (%); Pearson correlation (x 100)", DriftPlot.AxisLabel(["accuracy", "Pearson correlation"]));
        const string title = "Re-adaptation (State of the Union era): DAC/ADC dropped from 8 to 6 bits on the same meta-weights, accuracy";
        var lines = DriftPlot.TitleLines(title);
        Assert.True(lines.Count >= 2);
        Assert.All(lines, l => Assert.InRange(l.Length, 1, DriftPlot.TitleLineLength));
        Assert.Equal(title, string.Join(" ", lines));
        Assert.Equal(["short title"], DriftPlot.TitleLines("short title"));
        Assert.Throws<ArgumentException>(() => DriftPlot.Write("x.png", "t", [], new[] { ("one", (IReadOnlyList<DriftPoint>)[new DriftPoint(0, "0 s", 1, 0, [1.0])]) }));
    }
}
