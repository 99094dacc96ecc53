using System;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

public class LoraDropoutTests
{
    [Fact]
    public void DropsTheRightShareAndKeepsTheExpectedValue()
    {
        using var dropout = new LoraDropout(0.1);
        dropout.train();
        dropout.Seed(4);
        var x = ones(200, 500);
        var y = dropout.call(x);
        double dropped = y.eq(0).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(dropped, 0.1 - 0.004, 0.1 + 0.004); // 100,000 draws: 4.2 standard deviations
        Assert.True(y.eq(0).logical_or(y.sub(1f / 0.9f).abs().lt(1e-6f)).all().item<bool>());
        Assert.InRange(y.mean().item<float>(), 0.99f, 1.01f);
    }

    [Fact]
    public void MasksRepeatForTheSameSeedChangeEveryCallAndAreOffInEvaluation()
    {
        using var dropout = new LoraDropout(0.5);
        dropout.train();
        var x = ones(64, 64);
        dropout.Seed(9);
        var first = dropout.call(x);
        var second = dropout.call(x);
        dropout.Seed(9);
        Assert.True(dropout.call(x).eq(first).all().item<bool>());
        Assert.False(first.eq(second).all().item<bool>());
        dropout.eval();
        Assert.True(dropout.call(x).eq(x).all().item<bool>());
    }

    [Fact]
    public void TheGradientIsTheMask()
    {
        using var dropout = new LoraDropout(0.3);
        dropout.train();
        dropout.Seed(2);
        var x = randn(32, 48).requires_grad_(true);
        var y = dropout.call(x);
        y.sum().backward();
        var mask = y.detach().div(x.detach());
        Assert.True(x.grad!.sub(mask).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void AProbabilityOutsideTheRangeIsRefused()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new LoraDropout(1.0));
        Assert.Contains("probability", error.Message, StringComparison.Ordinal);
    }
}
