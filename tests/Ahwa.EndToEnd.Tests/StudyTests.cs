using System;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;
using MiniLmSentiment;
using MiniLmSentiment.Studies;
using TorchSharp;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 32's studies on the MiniLM architecture with its own random weights (no pretrained model): what
/// they measure and that measuring leaves the training alone.</summary>
public class StudyTests
{
    static readonly string[] Words = { "good", "bad", "film", "plot", "great", "awful", "acting", "boring", "fun", "slow" };

    static LabeledSentence Sentence(int i) => new(string.Join(' ', Enumerable.Range(0, 5).Select(k => Words[(i * 3 + k * 7) % Words.Length])), i % 2, "test");

    static IModelTask Task() => SentenceTask.Create("tiny", new[] { "no", "yes" }, Pretrained.Load().Tokenizer(), 12,
        Enumerable.Range(0, 6).Select(Sentence), Enumerable.Range(10, 4).Select(Sentence));

    [Fact]
    public void TrainingNoiseIsHarderThanTheChipAtZeroSecondsAndAnUnclippedLayerIsExact()
    {
        using var model = new MiniLm(seed: 3);
        var modes = new[] { LayerMode.Standard[0], LayerMode.Standard.Single(m => m.Name.Trim() == "clipping only"), LayerMode.Standard.Single(m => m.Name == "chip, 0 s") };
        var task = Task();
        var errors = LayerErrors.Measure(model, () => task.Score(model), modes, new PcmLikeDevice(), draws: 1, seed: 5, maxTokens: 24);
        Assert.Equal(model.AnalogLayers.Count, errors.Count);
        foreach (var e in errors)
        {
            Assert.Equal(24, e.Tokens);
            // Kaiming-uniform weights never reach 3 sigma (a uniform's max is sqrt 3 sigma): with ideal converters and no
            // noise the tile computes the digital product up to float rounding.
            Assert.InRange(e.Mean[1], 0, 1e-5);
            // The recipe's premise: the training-time noise is at least as hard as the programmed chip at 0 s.
            Assert.True(e.Mean[0] > e.Mean[2] && e.Mean[2] > 0.001, $"{e.Layer}: training noise {e.Mean[0]:0.0000}, chip at 0 s {e.Mean[2]:0.0000}");
        }
        Assert.All(model.AnalogLayers, l => Assert.Equal(AnalogExecution.Digital, l.Execution));
        Assert.All(model.AnalogLayers, l => Assert.Equal(MiniLm.Spec.Chip, l.Chip)); // the modes' chips are put back
    }

    /// <summary>Issue 32, findings 2 and 3 on the pretrained MiniLM, the chip at 0 s (one programming, 64 tokens): with the
    /// clip at 3 sigma the FFN output layers lose most of their output (the norm lives in their few outlier weights);
    /// without it every layer, those included, is within 25 % of its digital output. The per-layer error therefore
    /// favours no clip, while the task-level run of finding 3 favoured the clip (docs/training.md).</summary>
    [Fact]
    public void OnThePretrainedModelTheClipCostsTheFfnOutputLayersMostOfTheirOutputOnTheChip()
    {
        var pretrained = Pretrained.Load();
        var errors = new[] { 3.0, 0.0 }.Select(clip =>
        {
            using var model = new MiniLm(seed: 3);
            BertCheckpoint.LoadInto(model, BertCheckpoint.FromOnnx(pretrained.Onnx()), pretrained.Source);
            foreach (var layer in model.AnalogLayers) layer.Chip = layer.Chip with { WeightClipSigma = clip };
            var task = Task();
            var chip = new[] { LayerMode.Standard.Single(m => m.Name == "chip, 0 s") };
            return LayerErrors.Measure(model, () => task.Score(model), chip, DeviceModels.For(model.AnalogLayers[0].Chip), draws: 1, seed: 5, maxTokens: 64)
                .ToDictionary(e => e.Layer, e => e.Mean[0]);
        }).ToArray();
        var ffnOut = errors[0].Keys.Where(n => n.EndsWith(".output.dense", StringComparison.Ordinal) && !n.Contains("attention", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, ffnOut.Count);
        double clipped = ffnOut.Average(n => errors[0][n]);
        Assert.True(clipped > 0.5, $"FFN output layers with the clip: mean error {clipped:0.000}");
        foreach (var (name, error) in errors[1])
            Assert.True(error is > 0.01 and < 0.25, $"{name} without the clip: chip error at 0 s {error:0.000}");
    }

    [Fact]
    public void EvaluatingAlongATrainingLeavesTheTrainingUnchanged()
    {
        var task = Task();
        var options = new TrainingOptions(LearningRate: 3e-3, BatchSize: 3, Epochs: 2, Seed: 11);
        Adapter Trained(int? checkpoints)
        {
            using var model = new MiniLm(seed: 3);
            var untrained = AdapterFiles.Capture(model, "untrained");
            if (checkpoints is int n)
            {
                var curve = LearningCurves.Train(model, task, untrained, "AHWA-LoRA", AnalogExecution.HardwareAware, options, n, new PcmLikeDevice(), 9);
                Assert.Equal(new[] { 0, 2, 4 }, curve.Points.Select(p => p.Step));
                Assert.All(curve.Points, p => Assert.InRange(p.Chip, 0, 1));
            }
            else
            {
                AdapterFiles.Apply(model, untrained);
                AhwaTrainer.Train(model, task.Examples, batch => task.Loss(model, batch), options);
            }
            return AdapterFiles.Capture(model, "trained");
        }
        var plain = Trained(null);
        var evaluated = Trained(2);
        Assert.Equal(plain.Tensors.Select(t => t.Name), evaluated.Tensors.Select(t => t.Name));
        foreach (var (a, b) in plain.Tensors.Zip(evaluated.Tensors))
            Assert.True(a.Data.SequenceEqual(b.Data), $"{a.Name} differs after evaluations along the training");
    }
}
