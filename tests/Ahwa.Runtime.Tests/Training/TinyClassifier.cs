using Ahwa.Dsl;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>A small generated model: a 48 -> 40 layer split over 2 x 2 tiles of 32 x 32, a 40 -> 16 layer, a digital head.</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 16)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyClassifier
{
    [AnalogLinear(48, 40, Name = "encoder.dense")]
    public partial AnalogLinear Hidden { get; }

    [AnalogLinear(40, 16, Name = "encoder.output")]
    public partial AnalogLinear Output { get; }

    [DigitalLinear(16, 2, Name = "classifier")]
    public partial DigitalLinear Head { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(Hidden.call(x));
        h = nn.functional.relu(Output.call(h));
        return Head.call(h).MoveToOuterDisposeScope();
    }
}
