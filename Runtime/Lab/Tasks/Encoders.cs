using System;
using System.Collections.Generic;
using Ahwa.Runtime;
using static TorchSharp.torch;

namespace Ahwa.Lab.Tasks;

/// <summary>What the GLUE and SQuAD tasks need of a BERT-style encoder model with one head: class logits of a
/// sentence or pair, and start and end logits of every token. A model class implements it to run those tasks,
/// in experiments and with <c>ahwa train --task NAME --data DIR</c>.</summary>
public interface IEncoderModel
{
    /// <summary>The head's outputs: a task with fewer classes reads the first ones; SQuAD reads two per token.</summary>
    int HeadOutputs { get; }

    /// <summary>Class logits, [batch, <see cref="HeadOutputs"/>].</summary>
    /// <param name="segments">Segment ids of sentence pairs (0 up to the first separator, 1 after); all 0 when null.</param>
    Tensor Classify(Tensor inputIds, Tensor attentionMask, Tensor? segments = null);

    /// <summary>Start and end logits of every token, [batch, tokens, 2].</summary>
    Tensor SpanLogits(Tensor inputIds, Tensor attentionMask, Tensor segments);
}

/// <summary>What the tasks need of a word-piece tokenizer: the pieces of a text without special tokens, and the two
/// special tokens BERT's input is built with (<see cref="PairEncoding"/>).</summary>
public interface ITextTokenizer
{
    long ClassificationTokenId { get; }

    long SeparatorTokenId { get; }

    IReadOnlyList<long> WordPieces(string text);
}

public static class EncoderTasks
{
    /// <summary><paramref name="model"/> as an encoder whose head has at least <paramref name="outputs"/> outputs.</summary>
    public static IEncoderModel Model(AhwaModel model, string task, int outputs)
    {
        var encoder = model as IEncoderModel
            ?? throw new ArgumentException($"Task '{task}' needs a model that implements {nameof(IEncoderModel)}; {model.GetType().Name} does not.", nameof(model));
        if (encoder.HeadOutputs < outputs)
            throw new ArgumentException($"Task '{task}' reads {outputs} head outputs; {model.GetType().Name}'s head has {encoder.HeadOutputs}.", nameof(model));
        return encoder;
    }
}
