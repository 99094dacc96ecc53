using System;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;
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

    static IExperimentTask Task() => SentenceTask.Create("tiny", new[] { "no", "yes" }, Pretrained.Load().Tokenizer(), 12,
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
                AhwaTrainer.Train(model, task.TrainCount, batch => task.Loss(model, batch), options);
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
