using System.Linq;
using Ahwa.Lab.Tasks;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace HelloAnalog;

/// <summary>A synthetic 3-class task: labels from a fixed random teacher, which a LoRA on the frozen random
/// meta-weights can learn. `ahwa train` and `ahwa evaluate` find it as the model's task.</summary>
public sealed class SyntheticTask : ModelTask<TinyEncoder>
{
    public const int Count = 512;
    readonly Tensor x, labels;

    public SyntheticTask(ulong seed)
    {
        x = randn(new long[] { Count, 32 }, generator: new Generator(RandomStream.Derive(seed, StreamPurpose.SampleData, 1)));
        using var teacher = randn(new long[] { 32, 3 }, generator: new Generator(RandomStream.Derive(seed, StreamPurpose.SampleData, 2)));
        labels = x.matmul(teacher).argmax(1);
    }

    public override int Examples => Count;

    public override Tensor Loss(TinyEncoder model, int[] batch)
    {
        using var index = tensor(batch.Select(i => (long)i).ToArray());
        return nn.functional.cross_entropy(model.Forward(x.index_select(0, index)), labels.index_select(0, index));
    }

    public override double Evaluate(TinyEncoder model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.Forward(x).argmax(1).eq(labels).to_type(ScalarType.Float32).mean().item<float>();
    }
}
