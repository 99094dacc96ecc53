using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaperModels;

/// <summary>One layer of <c>bert-large-uncased</c> with Hugging Face's names (hidden_size 1024, num_attention_heads 16,
/// intermediate_size 4096, GELU, layer norms with eps 1e-12); every linear analog with LoRA.</summary>
[AnalogBlock]
public partial class BertLargeLayer
{
    public const int Hidden = 1024, Heads = 16, Intermediate = 4096;

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

/// <summary><c>bert-large-uncased</c> for question answering (24 layers): BERT embeddings, the encoder and the span head
/// <c>qa_outputs</c>; LoRA r 8, alpha 32, dropout 0.1 on query, key, value, every dense layer and the (analog) head, as
/// in the paper. The architecture is the one the tiny test configuration (tests/Ahwa.Runtime.Tests/Models/TinyBert.cs)
/// checks against an independent PyTorch forward.</summary>
/// <remarks>1,154 tiles of 512 x 512 (AHWA0010 with the default 1,024) and more than 128 KiB of cluster L1 for its
/// feed-forward kernels (AHWA0021): 2,048 tiles and 256 KiB here.</remarks>
[AnalogModel]
[AnalogChip(Tiles = 2048)]
[RiscVCluster(L1KiB = 256)]
[LoraDefaults(Rank = 8, Alpha = 32, Dropout = 0.1)]
public partial class BertLarge
{
    public const int Vocabulary = 30522, MaxPositions = 512, TypeVocabulary = 2, LayerCount = 24;

    /// <summary>Hugging Face's model id and the class its safetensors checkpoints are saved from.</summary>
    public const string HuggingFaceName = "bert-large-uncased", HuggingFaceClass = "BertForQuestionAnswering";

    [Blocks(typeof(BertLargeLayer), LayerCount, Name = "encoder.layer")]
    public partial IReadOnlyList<BertLargeLayer> Layers { get; }

    // Two outputs leave room for rank 2 at most (PEFT's r 8 on a 2-wide head has no more to learn); alpha keeps the scale 4.
    [AnalogLinear(BertLargeLayer.Hidden, 2, Name = "qa_outputs")]
    [Lora(Rank = 2, Alpha = 8)]
    public partial AnalogLinear QaOutputs { get; }

    Embedding words = null!, positions = null!, tokenTypes = null!;
    LayerNorm embeddingNorm = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, BertLargeLayer.Hidden);
        positions = nn.Embedding(MaxPositions, BertLargeLayer.Hidden);
        tokenTypes = nn.Embedding(TypeVocabulary, BertLargeLayer.Hidden);
        embeddingNorm = nn.LayerNorm(BertLargeLayer.Hidden, eps: 1e-12);
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

    /// <summary>The last hidden state, [batch, tokens, 1024].</summary>
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
