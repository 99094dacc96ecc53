using System;
using System.Linq;
using Ahwa.Dsl;
using Ahwa.Lab.Formats;
using Ahwa.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>Layers wide enough that LibTorch splits their matrix products and reductions over threads.</summary>
[AnalogModel]
[AnalogChip(TileRows = 128, TileCols = 128, Tiles = 64)]
[LoraDefaults(Rank = 8, Alpha = 16, Dropout = 0.1)]
public partial class WideClassifier
{
    [AnalogLinear(384, 768, Name = "encoder.intermediate")]
    public partial AnalogLinear Up { get; }

    [AnalogLinear(768, 384, Name = "encoder.output")]
    public partial AnalogLinear Down { get; }

    [DigitalLinear(384, 2, Name = "classifier")]
    public partial DigitalLinear Head { get; }

    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.gelu(Up.call(x));
        h = Down.call(h).add(x);
        return Head.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>Issue 18, finding 20: hardware-aware training with one seed gives the same adapter bit for bit whatever
/// the number of LibTorch threads (the noise draws come from per-layer seeded generators, the batch order and the
/// dropout from the seed; nothing is drawn outside RandomStream's scheme).</summary>
[Collection(nameof(ThreadCountCollection))]
public class DeterminismTests
{
    static float[][] Train(int threads)
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            using var model = new WideClassifier(seed: 1);
            var x = randn(new long[] { 512, 384 }, generator: new Generator(5));
            var labels = x.sum(1).gt(0).to_type(ScalarType.Int64);
            AhwaTrainer.Train(model, 512, batch =>
            {
                var index = tensor(batch.Select(i => (long)i).ToArray());
                return nn.functional.cross_entropy(model.Forward(x.index_select(0, index)), labels.index_select(0, index));
            }, new TrainingOptions(LearningRate: 1e-3, BatchSize: 128, Epochs: 2, Seed: 9));
            return AdapterFiles.Capture(model, "a").Tensors.Select(t => t.Data).ToArray();
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void SameSeedGivesBitwiseIdenticalAdaptersWithOneAndTwoThreads()
    {
        var one = Train(1);
        var two = Train(2);
        Assert.Equal(one.Length, two.Length);
        for (int t = 0; t < one.Length; t++)
            Assert.True(one[t].AsSpan().SequenceEqual(two[t]), $"tensor {t} differs between 1 and 2 threads");
        Assert.True(one[0].AsSpan().SequenceEqual(Train(1)[0]), "not even reproducible with one thread");
    }
}

/// <summary>The thread count is process-wide: these tests run alone.</summary>
[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public sealed class ThreadCountCollection;
