using System.IO;
using System.Linq;
using Ahwa.Lab.Pipeline;

namespace Ahwa.Runtime.Tests.Pipeline;

public class EncoderLayerModelTests
{
    [Fact]
    public void AttentionOfOneHeadByHand()
    {
        var c = ClusterTiming.Paper;
        // 16 tokens, head dimension 32: scores 16 x 32 x 16 are 2 row tiles x 1 column tile x 8 steps x 16 cycles = 256,
        // + 16 fill + 10 offload = 282; softmax 16 x 16 x 12 / 8 + 8 = 392; context 16 x 16 x 32: 2 x 2 x 4 x 16 = 256 + 26.
        Assert.Equal(282, EngineModel.JobCycles(16, 32, 16, c), 6);
        Assert.Equal(282, EngineModel.JobCycles(16, 16, 32, c), 6);
        Assert.Equal(282 + 392 + 282, EncoderLayerModel.AttentionNs(1, 32, 16, c), 6);
        // Two heads: S0, S1 (during softmax 0), C0, C1: S1 ends at 564 before softmax 0 ends at 674; softmax 1 674-1066;
        // C0 674-956; C1 1066-1348.
        Assert.Equal(1348, EncoderLayerModel.AttentionNs(2, 32, 16, c), 6);
        // Two clusters take a head each.
        Assert.Equal(EncoderLayerModel.AttentionNs(1, 32, 16, c), EncoderLayerModel.AttentionNs(2, 32, 16, c with { ClustersPerLayer = 2 }), 6);
    }

    [Fact]
    public void TheEncoderLayerSumsItsStagesAndMoreClustersAreNeverSlower()
    {
        foreach (var encoder in new[] { EncoderShape.MiniLm, EncoderShape.MobileBert })
        {
            double previous = double.MaxValue;
            foreach (int clusters in new[] { 1, 2, 4, 8 })
            {
                var c = ClusterTiming.Paper with { ClustersPerLayer = clusters };
                var layer = EncoderLayerModel.Layer(encoder, 8, 64, new AnalogTiming(256), c);
                double analog = encoder.Stages.Sum(s => s.Max(l => 64 * 256.0));
                Assert.Equal(analog, layer.AllAnalogNs, 6);
                Assert.True(layer.HybridNs >= layer.AllAnalogNs + layer.AttentionNs - 1e-6);
                Assert.True(layer.HybridNs <= previous + 1e-9);
                previous = layer.HybridNs;
            }
        }
    }

    [Fact]
    public void TheCheapestConfigurationIsTheFewestClustersThatReachTheTarget()
    {
        var cheapest = DesignSpace.Cheapest(EncoderShape.MobileBert, ClusterTiming.Paper);
        Assert.Equal(3, cheapest.Count);
        foreach (var c in cheapest.Where(c => c is not null))
        {
            Assert.True(c!.WorstLayerOverhead <= DesignSpace.Target);
            if (c.ClustersPerLayer > 1)
            {
                var fewer = ClusterTiming.Paper with { ClustersPerLayer = c.ClustersPerLayer - 1 };
                double worst = EncoderShape.MobileBert.Linears.Max(l => LatencyModel.Layer(l.InFeatures, l.OutFeatures, 8, 512, 128, new AnalogTiming(c.IntegrationNs), fewer).Overhead);
                Assert.True(worst > DesignSpace.Target);
            }
        }
    }

    [Fact]
    public void OnePlotPerSweep()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ahwa-design-" + System.Guid.NewGuid().ToString("N")[..8]);
        var plots = DesignSpace.Plots(EncoderShape.MobileBert, ClusterTiming.Paper, directory, tokens: 16);
        Assert.Equal(4, plots.Count);
        Assert.All(plots, p => Assert.True(new FileInfo(p).Length > 1000));
        Directory.Delete(directory, recursive: true);
    }
}
