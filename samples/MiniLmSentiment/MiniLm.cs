using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiniLmSentiment;

/// <summary>One all-MiniLM-L6-v2 encoder layer: every linear analog-stationary with LoRA (rank 8, alpha 32 from the model).</summary>
[AnalogBlock]
public partial class MiniLmLayer
{
    public const int Hidden = 384, Heads = 12, Intermediate = 1536;

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

    /// <param name="mask">Additive attention mask, [batch, 1, 1, tokens]: 0 to attend, a large negative number to ignore.</param>
    public Tensor Forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        Tensor Split(Tensor t) => t.view(batch, tokens, Heads, Hidden / Heads).transpose(1, 2);
        var q = Split(Query.call(x));
        var k = Split(Key.call(x));
        var v = Split(Value.call(x));
        var scores = q.matmul(k.transpose(-1, -2)).div(Math.Sqrt(Hidden / Heads)).add(mask);
        var context = nn.functional.softmax(scores, -1).matmul(v).transpose(1, 2).contiguous().view(batch, tokens, Hidden);
        var attended = attentionNorm.call(AttentionOutput.call(context).add(x));
        var intermediate = nn.functional.gelu(IntermediateDense.call(attended));
        return outputNorm.call(OutputDense.call(intermediate).add(attended)).MoveToOuterDisposeScope();
    }
}

/// <summary>all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads, FFN 1536, BERT embeddings, GELU, layer norm 1e-12) on
/// analog tiles with LoRA r = 8, alpha = 32, and a digital classification head on the mean-pooled tokens.</summary>
[AnalogModel]
[LoraDefaults(Rank = 8, Alpha = 32, Dropout = 0.1)]
public partial class MiniLm : IEncoderModel
{
    public const int Vocabulary = 30522, MaxPositions = 512, Classes = 3;

    [Blocks(typeof(MiniLmLayer), 6, Name = "encoder.layer")]
    public partial IReadOnlyList<MiniLmLayer> Layers { get; }

    [DigitalLinear(MiniLmLayer.Hidden, Classes, Name = "classifier")]
    public partial DigitalLinear Classifier { get; }

    Embedding words = null!, positions = null!, tokenTypes = null!;
    LayerNorm embeddingNorm = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, MiniLmLayer.Hidden);
        positions = nn.Embedding(MaxPositions, MiniLmLayer.Hidden);
        tokenTypes = nn.Embedding(2, MiniLmLayer.Hidden);
        embeddingNorm = nn.LayerNorm(MiniLmLayer.Hidden, eps: 1e-12);
        RegisterLayer("embeddings.word_embeddings", words);
        RegisterLayer("embeddings.position_embeddings", positions);
        RegisterLayer("embeddings.token_type_embeddings", tokenTypes);
        RegisterLayer("embeddings.LayerNorm", embeddingNorm);
    }

    int IEncoderModel.HeadOutputs => Classes;

    /// <summary>The encoder's last hidden state, [batch, tokens, 384].</summary>
    /// <param name="tokenTypeIds">Segment ids of sentence pairs (0 up to the first [SEP], 1 after); all 0 when null.</param>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null)
    {
        using var scope = NewDisposeScope();
        long tokens = inputIds.shape[1];
        var positionIds = arange(tokens, dtype: ScalarType.Int64).unsqueeze(0);
        var segments = tokenTypeIds is null ? zeros_like(inputIds) : tokenTypeIds;
        var h = embeddingNorm.call(words.call(inputIds).add(positions.call(positionIds)).add(tokenTypes.call(segments)));
        // 0 where attended, the float minimum where padded (as Hugging Face BERT).
        var mask = ones_like(attentionMask, dtype: ScalarType.Float32).sub(attentionMask.to_type(ScalarType.Float32)).mul(float.MinValue).view(attentionMask.shape[0], 1, 1, tokens);
        foreach (var layer in Layers) h = layer.Forward(h, mask);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>Class logits from the mean of the attended tokens' final states.</summary>
    public Tensor Classify(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds = null)
    {
        using var scope = NewDisposeScope();
        var h = Encode(inputIds, attentionMask, tokenTypeIds);
        var m = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        var pooled = h.mul(m).sum(1).div(m.sum(1).clamp_min(1f));
        return Classifier.call(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Extractive question answering: the head applied to every token's final state, its first two outputs
    /// the start and end logits ([batch, tokens, 2], as Hugging Face's <c>qa_outputs</c>). A QA adapter carries its own
    /// copy of the head, so the classifier of other tasks is untouched.</summary>
    public Tensor SpanLogits(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        return Classifier.call(Encode(inputIds, attentionMask, tokenTypeIds)).narrow(2, 0, 2).MoveToOuterDisposeScope();
    }
}
