using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>The task heads' outputs and losses as BERT's fine-tuning defines them: classification (single sentences
/// and pairs) by cross-entropy over the class logits, the STS-B regression by mean squared error of one output, and
/// extractive question answering by the mean of the cross-entropies of the start and end positions over a
/// [batch, tokens, 2] output.</summary>
public static class Heads
{
    public static Tensor ClassificationLoss(Tensor logits, Tensor labels) => nn.functional.cross_entropy(logits, labels);

    /// <param name="output">[batch, 1] or [batch]: the head's single output per example.</param>
    public static Tensor RegressionLoss(Tensor output, Tensor scores)
    {
        using var scope = NewDisposeScope();
        var predicted = output.dim() == 2 ? output.squeeze(1) : output;
        if (predicted.dim() != 1) throw new ArgumentException($"A regression head has one output per example, got shape [{string.Join(", ", output.shape)}].", nameof(output));
        return nn.functional.mse_loss(predicted, scores.to_type(predicted.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>Start and end logits, each [batch, tokens], from the span head's [batch, tokens, 2] output.</summary>
    public static (Tensor Start, Tensor End) SpanLogits(Tensor output)
    {
        if (output.dim() != 3 || output.shape[2] != 2)
            throw new ArgumentException($"A span head gives [batch, tokens, 2], got shape [{string.Join(", ", output.shape)}].", nameof(output));
        var parts = output.split(1, 2);
        return (parts[0].squeeze(2), parts[1].squeeze(2));
    }

    public static Tensor SpanLoss(Tensor output, Tensor startPositions, Tensor endPositions)
    {
        using var scope = NewDisposeScope();
        var (start, end) = SpanLogits(output);
        return nn.functional.cross_entropy(start, startPositions).add(nn.functional.cross_entropy(end, endPositions)).div(2).MoveToOuterDisposeScope();
    }
}
