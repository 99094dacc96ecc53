using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Models;

/// <summary>One MobileBERT layer with Hugging Face's names, in a tiny configuration (hidden 32, bottleneck 16, two
/// heads, intermediate 24, four feed-forward networks): the input and shared query/key bottlenecks, attention on
/// the bottleneck width with values from the full width, three stacked FFNs, the last FFN and the output bottleneck
/// back to the full width; every norm a NoNorm.</summary>
[AnalogBlock]
public partial class TinyMobileBertLayer
{
    public const int Hidden = 32, Bottleneck = 16, Heads = 2, Intermediate = 24;

    [AnalogLinear(Hidden, Bottleneck, Name = "bottleneck.input.dense")] public partial AnalogLinear InputBottleneck { get; }
    [AnalogLinear(Hidden, Bottleneck, Name = "bottleneck.attention.dense")] public partial AnalogLinear AttentionBottleneck { get; }
    [AnalogLinear(Bottleneck, Bottleneck, Name = "attention.self.query")] public partial AnalogLinear Query { get; }
    [AnalogLinear(Bottleneck, Bottleneck, Name = "attention.self.key")] public partial AnalogLinear Key { get; }
    [AnalogLinear(Hidden, Bottleneck, Name = "attention.self.value")] public partial AnalogLinear Value { get; }
    [AnalogLinear(Bottleneck, Bottleneck, Name = "attention.output.dense")] public partial AnalogLinear AttentionOutput { get; }
    [AnalogLinear(Bottleneck, Intermediate, Name = "ffn.0.intermediate.dense")] public partial AnalogLinear Ffn0Up { get; }
    [AnalogLinear(Intermediate, Bottleneck, Name = "ffn.0.output.dense")] public partial AnalogLinear Ffn0Down { get; }
    [AnalogLinear(Bottleneck, Intermediate, Name = "ffn.1.intermediate.dense")] public partial AnalogLinear Ffn1Up { get; }
    [AnalogLinear(Intermediate, Bottleneck, Name = "ffn.1.output.dense")] public partial AnalogLinear Ffn1Down { get; }
    [AnalogLinear(Bottleneck, Intermediate, Name = "ffn.2.intermediate.dense")] public partial AnalogLinear Ffn2Up { get; }
    [AnalogLinear(Intermediate, Bottleneck, Name = "ffn.2.output.dense")] public partial AnalogLinear Ffn2Down { get; }
    [AnalogLinear(Bottleneck, Intermediate, Name = "intermediate.dense")] public partial AnalogLinear IntermediateDense { get; }
    [AnalogLinear(Intermediate, Bottleneck, Name = "output.dense")] public partial AnalogLinear OutputDense { get; }
    [AnalogLinear(Bottleneck, Hidden, Name = "output.bottleneck.dense")] public partial AnalogLinear OutputBottleneck { get; }

    LayerNorm inputNorm = null!, attentionBottleneckNorm = null!, attentionNorm = null!, ffn0Norm = null!, ffn1Norm = null!, ffn2Norm = null!,
        outputNorm = null!, outputBottleneckNorm = null!;

    // MobileBERT's NoNorm is weight * x + bias: a LayerNorm module holds those two parameters under Hugging Face's
    // names, and NoNorm below uses them without normalising.
    partial void OnLayersCreated()
    {
        inputNorm = nn.LayerNorm(Bottleneck);
        attentionBottleneckNorm = nn.LayerNorm(Bottleneck);
        attentionNorm = nn.LayerNorm(Bottleneck);
        ffn0Norm = nn.LayerNorm(Bottleneck);
        ffn1Norm = nn.LayerNorm(Bottleneck);
        ffn2Norm = nn.LayerNorm(Bottleneck);
        outputNorm = nn.LayerNorm(Bottleneck);
        outputBottleneckNorm = nn.LayerNorm(Hidden);
        RegisterLayer("bottleneck.input.LayerNorm", inputNorm);
        RegisterLayer("bottleneck.attention.LayerNorm", attentionBottleneckNorm);
        RegisterLayer("attention.output.LayerNorm", attentionNorm);
        RegisterLayer("ffn.0.output.LayerNorm", ffn0Norm);
        RegisterLayer("ffn.1.output.LayerNorm", ffn1Norm);
        RegisterLayer("ffn.2.output.LayerNorm", ffn2Norm);
        RegisterLayer("output.LayerNorm", outputNorm);
        RegisterLayer("output.bottleneck.LayerNorm", outputBottleneckNorm);
    }

    public static Tensor NoNorm(LayerNorm norm, Tensor x) => x.mul(norm.weight!).add(norm.bias!);

    /// <param name="mask">Additive attention mask, [batch, 1, 1, tokens].</param>
    public Tensor Forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        var layerInput = NoNorm(inputNorm, InputBottleneck.call(x));
        var shared = NoNorm(attentionBottleneckNorm, AttentionBottleneck.call(x));
        Tensor Split(Tensor t) => t.view(batch, tokens, Heads, Bottleneck / Heads).transpose(1, 2);
        var scores = Split(Query.call(shared)).matmul(Split(Key.call(shared)).transpose(-1, -2)).div(Math.Sqrt(Bottleneck / Heads)).add(mask);
        var context = nn.functional.softmax(scores, -1).matmul(Split(Value.call(x))).transpose(1, 2).contiguous().view(batch, tokens, Bottleneck);
        var h = NoNorm(attentionNorm, AttentionOutput.call(context).add(layerInput));
        // Three stacked feed-forward networks, then the layer's own intermediate and output.
        h = NoNorm(ffn0Norm, Ffn0Down.call(nn.functional.relu(Ffn0Up.call(h))).add(h));
        h = NoNorm(ffn1Norm, Ffn1Down.call(nn.functional.relu(Ffn1Up.call(h))).add(h));
        h = NoNorm(ffn2Norm, Ffn2Down.call(nn.functional.relu(Ffn2Up.call(h))).add(h));
        var output = NoNorm(outputNorm, OutputDense.call(nn.functional.relu(IntermediateDense.call(h))).add(h));
        return NoNorm(outputBottleneckNorm, OutputBottleneck.call(output).add(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>A tiny MobileBERT for question answering: the trigram embedding transformation (each token's embedding
/// beside its right and left neighbours', zero past the ends, mapped from 3 x 8 to 32), NoNorm embeddings, two
/// layers and the span head <c>qa_outputs</c>.</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 64)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyMobileBert
{
    public const int Vocabulary = 50, Embedding = 8, MaxPositions = 16;

    [AnalogLinear(3 * Embedding, TinyMobileBertLayer.Hidden, Name = "embeddings.embedding_transformation")]
    public partial AnalogLinear EmbeddingTransformation { get; }

    [Blocks(typeof(TinyMobileBertLayer), 2, Name = "encoder.layer")]
    public partial IReadOnlyList<TinyMobileBertLayer> Layers { get; }

    [DigitalLinear(TinyMobileBertLayer.Hidden, 2, Name = "qa_outputs")]
    public partial DigitalLinear QaOutputs { get; }

    Embedding words = null!, positions = null!, tokenTypes = null!;
    LayerNorm embeddingNorm = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, Embedding);
        positions = nn.Embedding(MaxPositions, TinyMobileBertLayer.Hidden);
        tokenTypes = nn.Embedding(2, TinyMobileBertLayer.Hidden);
        embeddingNorm = nn.LayerNorm(TinyMobileBertLayer.Hidden);
        RegisterLayer("embeddings.word_embeddings", words);
        RegisterLayer("embeddings.position_embeddings", positions);
        RegisterLayer("embeddings.token_type_embeddings", tokenTypes);
        RegisterLayer("embeddings.LayerNorm", embeddingNorm);
    }

    /// <summary>The span head's start and end logits, [batch, tokens, 2].</summary>
    public Tensor Forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return QaOutputs.call(Encode(inputIds, tokenTypeIds, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>The last hidden state, [batch, tokens, 32].</summary>
    public Tensor Encode(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        long batch = inputIds.shape[0], tokens = inputIds.shape[1];
        var e = words.call(inputIds);
        var zero = zeros(batch, 1, Embedding);
        var next = cat(new[] { e.narrow(1, 1, tokens - 1), zero }, 1);
        var previous = cat(new[] { zero, e.narrow(1, 0, tokens - 1) }, 1);
        var trigram = EmbeddingTransformation.call(cat(new[] { next, e, previous }, 2));
        var positionIds = arange(tokens, dtype: ScalarType.Int64).unsqueeze(0);
        var h = TinyMobileBertLayer.NoNorm(embeddingNorm, trigram.add(positions.call(positionIds)).add(tokenTypes.call(tokenTypeIds)));
        var mask = ones_like(attentionMask, dtype: ScalarType.Float32).sub(attentionMask.to_type(ScalarType.Float32)).mul(float.MinValue).view(batch, 1, 1, tokens);
        foreach (var layer in Layers) h = layer.Forward(h, mask);
        return h.MoveToOuterDisposeScope();
    }
}
