using Ahwa.Hardware;
using Ahwa.Runtime;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>One AHWA-LoRA training step (forward + backward, batch 32 x 128 tokens) of one layer with training-time
/// hardware noise, against a plain TorchSharp Linear with the same LoRA.</summary>
public class TrainingStepBenchmarks
{
    [Params(384, 1536)]
    public int OutFeatures;

    AnalogLinear analog = null!;
    Linear plain = null!, loraA = null!, loraB = null!;
    Tensor x = null!;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(System.Environment.ProcessorCount);
        var spec = new LayerSpec("layer", LayerKind.Analog, 384, OutFeatures, true, LoraSpec.Default with { Dropout = 0 });
        analog = new AnalogLinear(spec, new torch.Generator(1)) { Execution = AnalogExecution.HardwareAware };
        analog.SeedNoise(2);
        plain = nn.Linear(384, OutFeatures);
        plain.weight!.requires_grad = false;
        loraA = nn.Linear(384, 8, hasBias: false);
        loraB = nn.Linear(8, OutFeatures, hasBias: false);
        x = randn(new long[] { 32, 128, 384 }, generator: new torch.Generator(3));
    }

    [Benchmark(Baseline = true, Description = "Linear + LoRA, plain")]
    public float Plain()
    {
        using var scope = NewDisposeScope();
        var y = plain.call(x) + loraB.call(loraA.call(x)) * 4.0;
        y.square().mean().backward();
        return 0;
    }

    [Benchmark(Description = "AHWA-LoRA layer, hardware-aware")]
    public float HardwareAware()
    {
        using var scope = NewDisposeScope();
        analog.call(x).square().mean().backward();
        return 0;
    }
}
