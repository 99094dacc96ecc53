using Ahwa.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace AhwaModel1.Tests;

public class ModelTests
{
    [Fact]
    public void TheForwardGivesOneScorePerClass()
    {
        using var model = new TinyModel(seed: 1);
        using var y = model.Forward(zeros(4, 16));
        Assert.Equal(new long[] { 4, 3 }, y.shape);
    }

    [Fact]
    public void AhwaLoraTrainingLowersTheLoss()
    {
        using var model = new TinyModel(seed: 1);
        var task = new TinyTask(seed: 7);
        var losses = AhwaTrainer.Train(model, task.Examples, batch => task.Loss(model, batch), new TrainingOptions(LearningRate: 1e-2, Epochs: 3, Seed: 7));
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} -> {losses[^1]}");
    }
}
