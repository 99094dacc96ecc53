using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PaperModels;

/// <summary>One layer of <c>google/mobilebert-uncased</c> with Hugging Face's names (config.json: hidden_size 512,
/// intra_bottleneck_size 128, num_attention_heads 4, intermediate_size 512, num_feedforward_networks 4,
/// key_query_shared_bottleneck, normalization_type no_norm, hidden_act relu): the input and shared query/key
/// bottlenecks, attention on the bottleneck width with values from the full width, three stacked FFNs, the last FFN
/// and the output bottleneck back to the full width; every norm a NoNorm. The architecture is the one the tiny test
/// configuration (tests/Ahwa.Runtime.Tests/Models/TinyMobileBert.cs) checks against an independent PyTorch forward.</summary>
[AnalogBlock]
public partial class MobileBertLayer
{
    public const int Hidden = 512, Bottleneck = 128, Heads = 4, Intermediate = 512;

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

/// <summary>MobileBERT for question answering as the paper runs it (<c>google/mobilebert-uncased</c>, 24 layers): the
/// trigram embedding transformation (each token's 128-wide embedding beside its right and left neighbours', zero past
/// the ends, mapped from 3 x 128 to 512), NoNorm embeddings and the span head <c>qa_outputs</c>. LoRA r 8, alpha 32,
/// dropout 0.1 where the paper puts it: every analog layer (query, key, value, every dense layer, the embedding
/// transformation) and the task head, here analog too, as in the authors' scripts. Default 512 x 512 tiles.</summary>
[AnalogModel]
[LoraDefaults(Rank = 8, Alpha = 32, Dropout = 0.1)]
public partial class MobileBert
{
    public const int Vocabulary = 30522, Embedding = 128, MaxPositions = 512, TypeVocabulary = 2, LayerCount = 24;

    [AnalogLinear(3 * Embedding, MobileBertLayer.Hidden, Name = "embeddings.embedding_transformation")]
    public partial AnalogLinear EmbeddingTransformation { get; }

    [Blocks(typeof(MobileBertLayer), LayerCount, Name = "encoder.layer")]
    public partial IReadOnlyList<MobileBertLayer> Layers { get; }

    // Two outputs leave room for rank 2 at most (PEFT's r 8 on a 2-wide head has no more to learn); alpha keeps the scale 4.
    [AnalogLinear(MobileBertLayer.Hidden, 2, Name = "qa_outputs")]
    [Lora(Rank = 2, Alpha = 8)]
    public partial AnalogLinear QaOutputs { get; }

    Embedding words = null!, positions = null!, tokenTypes = null!;
    LayerNorm embeddingNorm = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, Embedding);
        positions = nn.Embedding(MaxPositions, MobileBertLayer.Hidden);
        tokenTypes = nn.Embedding(TypeVocabulary, MobileBertLayer.Hidden);
        embeddingNorm = nn.LayerNorm(MobileBertLayer.Hidden);
        RegisterLayer("embeddings.word_embeddings", words);
        RegisterLayer("embeddings.position_embeddings", positions);
        RegisterLayer("embeddings.token_type_embeddings", tokenTypes);
        RegisterLayer("embeddings.LayerNorm", embeddingNorm);
    }

    /// <summary>Hugging Face's model id and the class its safetensors checkpoints are saved from.</summary>
    public const string HuggingFaceName = "google/mobilebert-uncased", HuggingFaceClass = "MobileBertForQuestionAnswering";

    /// <summary>The span head's start and end logits, [batch, tokens, 2].</summary>
    public Tensor Forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return QaOutputs.call(Encode(inputIds, tokenTypeIds, attentionMask)).MoveToOuterDisposeScope();
    }

    /// <summary>The last hidden state, [batch, tokens, 512].</summary>
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
        var h = MobileBertLayer.NoNorm(embeddingNorm, trigram.add(positions.call(positionIds)).add(tokenTypes.call(tokenTypeIds)));
        var mask = ones_like(attentionMask, dtype: ScalarType.Float32).sub(attentionMask.to_type(ScalarType.Float32)).mul(float.MinValue).view(batch, 1, 1, tokens);
        foreach (var layer in Layers) h = layer.Forward(h, mask);
        return h.MoveToOuterDisposeScope();
    }
}
