using Ahwa.Dsl;
using Ahwa.Lab.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>The smallest <see cref="IEncoderModel"/>: word, position and segment embeddings, one analog layer and a
/// digital 3-output head on the mean-pooled tokens (or on every token for spans), for the --data tasks of the
/// <c>ahwa</c> commands. Its vocabulary covers the test tokenizer's ids.</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 4)]
[LoraDefaults(Rank = 2, Alpha = 4, Dropout = 0.0)]
public partial class TinyTextEncoder : IEncoderModel
{
    public const int Vocabulary = 300, MaxPositions = 128, Hidden = 16, Classes = 3;

    [AnalogLinear(Hidden, Hidden, Name = "encoder.dense")]
    public partial AnalogLinear Dense { get; }

    [DigitalLinear(Hidden, Classes, Name = "classifier")]
    public partial DigitalLinear Head { get; }

    Embedding words = null!, positions = null!, segments = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, Hidden);
        positions = nn.Embedding(MaxPositions, Hidden);
        segments = nn.Embedding(2, Hidden);
        RegisterLayer("embeddings.word_embeddings", words);
        RegisterLayer("embeddings.position_embeddings", positions);
        RegisterLayer("embeddings.token_type_embeddings", segments);
    }

    public int HeadOutputs => Classes;

    public Tensor Classify(Tensor inputIds, Tensor attentionMask, Tensor? segmentIds = null)
    {
        using var scope = NewDisposeScope();
        var m = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        var segmentsOrZeros = segmentIds is null ? zeros_like(inputIds) : segmentIds;
        var pooled = Encode(inputIds, segmentsOrZeros).mul(m).sum(1).div(m.sum(1).clamp_min(1f));
        return Head.call(pooled).MoveToOuterDisposeScope();
    }

    public Tensor SpanLogits(Tensor inputIds, Tensor attentionMask, Tensor segmentIds)
    {
        using var scope = NewDisposeScope();
        return Head.call(Encode(inputIds, segmentIds)).narrow(2, 0, 2).MoveToOuterDisposeScope();
    }

    Tensor Encode(Tensor inputIds, Tensor segmentIds)
    {
        var positionIds = arange(inputIds.shape[1], dtype: ScalarType.Int64).unsqueeze(0);
        return nn.functional.gelu(Dense.call(words.call(inputIds).add(positions.call(positionIds)).add(segments.call(segmentIds))));
    }
}
