using System.Linq;
using Ahwa.Dsl;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>TinyClassifier's layers on a chip with g_max = 10 uS.</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 16, GMaxMicroSiemens = 10)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyLowGMax
{
    [AnalogLinear(48, 40, Name = "encoder.dense")]
    public partial AnalogLinear Hidden { get; }

    public Tensor Forward(Tensor x) => Hidden.call(x);
}

/// <summary>TinyClassifier's first layer on Gaussian devices (no drift).</summary>
[AnalogModel]
[AnalogChip(TileRows = 32, TileCols = 32, Tiles = 16, Device = DeviceModel.Gaussian)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyGaussian
{
    [AnalogLinear(48, 40, Name = "encoder.dense")]
    public partial AnalogLinear Hidden { get; }

    public Tensor Forward(Tensor x) => Hidden.call(x);
}

/// <summary>Issue 30: the model's <c>[AnalogChip(Device = ..., GMaxMicroSiemens = ...)]</c> is what C# simulates.</summary>
public class DeclaredDeviceTests
{
    static float[] Programmed(AhwaModel model, AnalogLinear layer, Tensor weight)
    {
        using (no_grad()) layer.weight.copy_(weight);
        model.Program(model.DeclaredDevice(), 5);
        return layer.Simulator!.EffectiveWeights().ToArray();
    }

    [Fact]
    public void TheDeclaredDeviceAndGMaxChangeWhatIsProgrammed()
    {
        using var standard = new TinyClassifier(seed: 1);
        using var low = new TinyLowGMax(seed: 1);
        using var gaussian = new TinyGaussian(seed: 1);
        Assert.Equal(25.0, Assert.IsType<PcmLikeDevice>(standard.DeclaredDevice()).GMax);
        Assert.Equal(10.0, Assert.IsType<PcmLikeDevice>(low.DeclaredDevice()).GMax);
        Assert.IsType<GaussianDevice>(gaussian.DeclaredDevice());

        var weight = standard.Hidden.weight.detach().clone();
        var ideal = Programmed(standard, standard.Hidden, weight);
        var lowGMax = Programmed(low, low.Hidden, weight);
        var onGaussian = Programmed(gaussian, gaussian.Hidden, weight);
        Assert.NotEqual(ideal, lowGMax);
        Assert.NotEqual(ideal, onGaussian);

        // Gaussian devices do not drift: a year later the tiles read what was programmed; PCM-like ones have moved.
        gaussian.DriftTo(31536000, 6);
        Assert.Equal(onGaussian, gaussian.Hidden.Simulator!.EffectiveWeights().ToArray());
        standard.DriftTo(31536000, 6);
        Assert.NotEqual(ideal, standard.Hidden.Simulator!.EffectiveWeights().ToArray());
    }
}
