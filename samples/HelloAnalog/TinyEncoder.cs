using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace HelloAnalog;

/// <summary>One feed-forward block, named as in Hugging Face BERT.</summary>
[AnalogBlock]
public partial class FeedForwardBlock
{
    [AnalogLinear(64, 256, Name = "intermediate.dense")]
    public partial AnalogLinear Up { get; }

    [AnalogLinear(256, 64, Name = "output.dense")]
    [Lora(Rank = 8)]
    public partial AnalogLinear Down { get; }

    public Tensor Forward(Tensor x) => x + Down.call(nn.functional.gelu(Up.call(x)));
}

/// <summary>A small model on a chip of 128 x 128 tiles, so its 256-wide layers split over two tiles.</summary>
[AnalogModel]
[AnalogChip(TileRows = 128, TileCols = 128, Tiles = 32)]
[LoraDefaults(Rank = 4, Alpha = 16)]
[RiscVCluster(Cores = 8, L1KiB = 128)]
public partial class TinyEncoder
{
    [AnalogLinear(32, 64, Name = "embeddings.projection")]
    public partial AnalogLinear Projection { get; }

    [Blocks(typeof(FeedForwardBlock), 2, Name = "encoder.layer")]
    public partial IReadOnlyList<FeedForwardBlock> Layers { get; }

    [DigitalLinear(64, 3, Name = "classifier")]
    public partial DigitalLinear Classifier { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Projection.call(x);
        foreach (var layer in Layers) h = layer.Forward(h);
        return Classifier.call(h).MoveToOuterDisposeScope();
    }
}
