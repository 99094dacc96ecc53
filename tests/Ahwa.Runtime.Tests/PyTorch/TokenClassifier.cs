using System;
using System.Collections.Generic;
using Ahwa.Dsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.PyTorch;

/// <summary>One small attention layer: a test block whose forward uses what encoder code typically uses (a local
/// function, head splitting, softmax, residuals, a user field registered under a dotted name, integer division).</summary>
[AnalogBlock]
public partial class TinyAttention
{
    public const int Width = 24, Heads = 2;

    [AnalogLinear(Width, Width, Name = "attention.query")] public partial AnalogLinear Query { get; }
    [AnalogLinear(Width, Width, Name = "attention.key")] public partial AnalogLinear Key { get; }
    [AnalogLinear(Width, Width, Name = "attention.value")] public partial AnalogLinear Value { get; }
    [AnalogLinear(Width, 40, Name = "intermediate.dense")] public partial AnalogLinear Up { get; }
    [AnalogLinear(40, Width, Name = "output.dense")]
    [Lora(Rank = 2)]
    public partial AnalogLinear Down { get; }

    LayerNorm norm = null!;

    partial void OnLayersCreated()
    {
        norm = nn.LayerNorm(Width, eps: 1e-6);
        RegisterLayer("output.LayerNorm", norm);
    }

    public Tensor Forward(Tensor x, Tensor mask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], tokens = x.shape[1];
        long headWidth = x.shape[2] / Heads;
        Tensor Split(Tensor t) => t.view(batch, tokens, Heads, headWidth).transpose(1, 2);
        var scores = Split(Query.call(x)).matmul(Split(Key.call(x)).transpose(-1, -2)) / Math.Sqrt(headWidth);
        var context = nn.functional.softmax(scores + mask, -1).matmul(Split(Value.call(x)));
        var attended = context.transpose(1, 2).contiguous().view(batch, tokens, Width) + x;
        var hidden = attended;
        for (int i = 0; i < 2; i++)
        {
            if (i == 0) hidden = nn.functional.gelu(Up.call(hidden));
            else hidden = Down.call(hidden);
        }
        return norm.call(hidden + attended).MoveToOuterDisposeScope();
    }
}

/// <summary>Embeddings, two attention blocks, masked mean pooling and a digital head: a token classifier small enough
/// to train for a few steps in a test, on 16 x 16 tiles so every layer spans several tiles.</summary>
[AnalogModel]
[AnalogChip(TileRows = 16, TileCols = 16, Tiles = 64)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.1)]
public partial class TokenClassifier
{
    public const int Vocabulary = 50, Classes = 3;

    [Blocks(typeof(TinyAttention), 2, Name = "encoder.layer")]
    public partial IReadOnlyList<TinyAttention> Layers { get; }

    [DigitalLinear(TinyAttention.Width, Classes, Name = "classifier")]
    public partial DigitalLinear Classifier { get; }

    Embedding words = null!;
    double temperature = 1.0;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Vocabulary, TinyAttention.Width);
        RegisterLayer("embeddings.word_embeddings", words);
    }

    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var h = words.call(inputIds);
        var additive = (1.0f - attentionMask.to_type(ScalarType.Float32)).mul(-1e4f).unsqueeze(1).unsqueeze(1);
        foreach (var layer in Layers) h = layer.Forward(h, additive);
        var m = attentionMask.to_type(ScalarType.Float32).unsqueeze(-1);
        var pooled = h.mul(m).sum(1).div(m.sum(1).clamp_min(1f));
        return Classifier.call(pooled / temperature).MoveToOuterDisposeScope();
    }
}
