using System;
using Ahwa.Lab.Tasks;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>Issue 14, item 1: the heads' losses against values computed by hand.</summary>
public class HeadsTests
{
    [Fact]
    public void SpanLossAveragesStartAndEnd()
    {
        // One example, 4 tokens. Start logits all 0: -log(1/4). End logits (0, 0, ln 2, 0) with end at token 2:
        // -log(2 / 5). The loss is their mean.
        var output = zeros(1, 4, 2);
        output[0, 2, 1] = tensor((float)Math.Log(2));
        var loss = Heads.SpanLoss(output, tensor(new long[] { 1 }), tensor(new long[] { 2 })).item<float>();
        Assert.Equal((Math.Log(4) - Math.Log(0.4)) / 2, loss, 5);
        var (start, end) = Heads.SpanLogits(output);
        Assert.Equal(new long[] { 1, 4 }, start.shape);
        Assert.Equal((float)Math.Log(2), end[0, 2].item<float>(), 6);
        Assert.Throws<ArgumentException>(() => Heads.SpanLogits(zeros(1, 4, 3)));
    }

    [Fact]
    public void RegressionLossIsMeanSquaredError()
    {
        var loss = Heads.RegressionLoss(tensor(new[] { 1f, 3f }).view(2, 1), tensor(new[] { 2.0, 5.0 })).item<float>();
        Assert.Equal((1 + 4) / 2.0, loss, 6);
        Assert.Throws<ArgumentException>(() => Heads.RegressionLoss(zeros(2, 2), zeros(2)));
    }

    [Fact]
    public void ClassificationLossIsCrossEntropy() =>
        Assert.Equal(Math.Log(3), Heads.ClassificationLoss(zeros(2, 3), tensor(new long[] { 0, 2 })).item<float>(), 5);
}
