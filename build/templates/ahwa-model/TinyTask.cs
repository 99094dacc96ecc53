using System.Linq;
using Ahwa.Lab.Tasks;
using Ahwa.Simulator;
using static TorchSharp.torch;

namespace AhwaModel1;

/// <summary>A tiny 3-class task (labels from a fixed random teacher). `ahwa train` and `ahwa evaluate` find it as
/// TinyModel's task; replace it with your data.</summary>
public sealed class TinyTask : ModelTask<TinyModel>
{
    public const int Count = 256;
    readonly Tensor x, labels;

    public TinyTask(ulong seed)
    {
        x = randn(new long[] { Count, 16 }, generator: new Generator(RandomStream.Derive(seed, StreamPurpose.SampleData, 1)));
        using var teacher = randn(new long[] { 16, 3 }, generator: new Generator(RandomStream.Derive(seed, StreamPurpose.SampleData, 2)));
        labels = x.matmul(teacher).argmax(1);
    }

    public override int Examples => Count;

    public override Tensor Loss(TinyModel model, int[] batch)
    {
        using var index = tensor(batch.Select(i => (long)i).ToArray());
        return nn.functional.cross_entropy(model.Forward(x.index_select(0, index)), labels.index_select(0, index));
    }

    public override double Evaluate(TinyModel model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.Forward(x).argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>();
    }
}
