using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AhwaModel1;

/// <summary>One feed-forward block, named as in Hugging Face BERT; the model repeats it.</summary>
[AnalogBlock]
public partial class FeedForward
{
    [AnalogLinear(32, 64, Name = "intermediate.dense")]
    public partial AnalogLinear Up { get; }

    [AnalogLinear(64, 32, Name = "output.dense")]
    [Lora(Rank = 8)]
    public partial AnalogLinear Down { get; }

    public Tensor Forward(Tensor x) => x + Down.call(nn.functional.gelu(Up.call(x)));
}

/// <summary>A small model on a chip of 64 x 64 tiles: the frozen weights live on analog tiles, the LoRA adapters on
/// the RISC-V cluster. `ahwa inspect` shows its layers, tiles and L1 working sets.</summary>
[AnalogModel]
[AnalogChip(TileRows = 64, TileCols = 64, Tiles = 16)]
[LoraDefaults(Rank = 4, Alpha = 16)]
[RiscVCluster(Cores = 8, L1KiB = 128)]
public partial class TinyModel
{
    [AnalogLinear(16, 32, Name = "embeddings.projection")]
    public partial AnalogLinear Projection { get; }

    [Blocks(typeof(FeedForward), 2, Name = "encoder.layer")]
    public partial IReadOnlyList<FeedForward> Layers { get; }

    [DigitalLinear(32, 3, Name = "classifier")]
    public partial DigitalLinear Classifier { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Projection.call(x);
        foreach (var layer in Layers) h = layer.Forward(h);
        return Classifier.call(h).MoveToOuterDisposeScope();
    }
}
