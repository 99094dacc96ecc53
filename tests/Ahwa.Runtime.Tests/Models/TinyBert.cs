using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Models;

/// <summary>One layer of a tiny random BERT with Hugging Face's names (hidden_size 16, num_attention_heads 2,
/// intermediate_size 24, GELU, layer norms with eps 1e-12); every linear analog with LoRA.</summary>
[AnalogBlock]
public partial class TinyBertLayer
{
    public const int Hidden = 16, Heads = 2, Intermediate = 24;

    [AnalogLinear(Hidden, Hidden, Name = "attention.self.query")] public partial AnalogLinear Query { get; }
    [AnalogLinear(Hidden, Hidden, Name = "attention.self.key")] public partial AnalogLinear Key { get; }
    [AnalogLinear(Hidden, Hidden, Name = "attention.self.value")] public partial AnalogLinear Value { get; }
    [AnalogLinear(Hidden, Hidden, Name = "attention.output.dense")] public partial AnalogLinear AttentionOutput { get; }
    [AnalogLinear(Hidden, Intermediate, Name = "intermediate.dense")] public partial AnalogLinear IntermediateDense { get; }
    [AnalogLinear(Intermediate, Hidden, Name = "output.dense")] public partial AnalogLinear OutputDense { get; }

    LayerNorm attentionNorm = null!, outputNorm = null!;

    partial void OnLayersCreated()
    {
        attentionNorm = nn.LayerNorm(Hidden, eps: 1e-12);
        outputNorm = nn.LayerNorm(Hidden, eps: 1e-12);
        RegisterLayer("attention.output.LayerNorm", attentionNorm);
        RegisterLayer("output.LayerNorm", outputNorm);
    }

    /// <param name="mask">Additive attention mask, [batch, 1, 1, tokens].</param>
    public Tensor Forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        Tensor Split(Tensor t) => t.view(batch, tokens, Heads, Hidden / Heads).transpose(1, 2);
        var scores = Split(Query.call(x)).matmul(Split(Key.call(x)).transpose(-1, -2)).div(Math.Sqrt(Hidden / Heads)).add(mask);
        var context = nn.functional.softmax(scores, -1).matmul(Split(Value.call(x))).transpose(1, 2).contiguous().view(batch, tokens, Hidden);
        var attended = attentionNorm.call(AttentionOutput.call(context).add(x));
        var intermediate = nn.functional.gelu(IntermediateDense.call(attended));
        return outputNorm.call(OutputDense.call(intermediate).add(attended)).MoveToOuterDisposeScope();
    }
}

/// <summary>A tiny random BERT for question answering (2 layers): BERT embeddings, the encoder and the span head
/// <c>qa_outputs</c>; LoRA r 8, alpha 32, dropout 0.1 on query, key, value, every dense layer and the (analog) head, as
/// in the paper. The same architecture as samples/PaperModels' BERT-base and
/// BERT-large, imported from a Hugging Face folder and checked against bert_reference.py.</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 64)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyBert
{
    public const int Vocabulary = 40, MaxPositions = 16, TypeVocabulary = 2, LayerCount = 2;

    [Blocks(typeof(TinyBertLayer), LayerCount, Name = "encoder.layer")]
    public partial IReadOnlyList<TinyBertLayer> Layers { get; }

    [AnalogLinear(TinyBertLayer.Hidden, 2, Name = "qa_outputs")]
    [Lora(Rank = 2, Alpha = 4)]
    public partial AnalogLinear QaOutputs { get; }

    Embedding words = null!, positions = null!, tokenTypes = null!;
    LayerNorm embeddingNorm = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, TinyBertLayer.Hidden);
        positions = nn.Embedding(MaxPositions, TinyBertLayer.Hidden);
        tokenTypes = nn.Embedding(TypeVocabulary, TinyBertLayer.Hidden);
        embeddingNorm = nn.LayerNorm(TinyBertLayer.Hidden, eps: 1e-12);
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

    /// <summary>The last hidden state, [batch, tokens, 16].</summary>
    public Tensor Encode(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        long tokens = inputIds.shape[1];
        var positionIds = arange(tokens, dtype: ScalarType.Int64).unsqueeze(0);
        var h = embeddingNorm.call(words.call(inputIds).add(positions.call(positionIds)).add(tokenTypes.call(tokenTypeIds)));
        var mask = ones_like(attentionMask, dtype: ScalarType.Float32).sub(attentionMask.to_type(ScalarType.Float32)).mul(float.MinValue).view(attentionMask.shape[0], 1, 1, tokens);
        foreach (var layer in Layers) h = layer.Forward(h, mask);
        return h.MoveToOuterDisposeScope();
    }
}
