using Ahwa.Hardware;
using Ahwa.Simulator;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>One 512 x 512 tile, 128 tokens: the full noisy analog MVM (noise management, DAC, ADC, output noise,
/// iterative bound management) against a plain float matrix product in TorchSharp (CPU) of the same shape.</summary>
[MemoryDiagnoser]
public class TileMvmBenchmarks
{
    const int Size = 512, Tokens = 128;
    AnalogLayerSimulator simulator = null!;
    float[] input = null!, output = null!;
    Tensor x = null!, wT = null!;

    [GlobalSetup]
    public void Setup()
    {
        var weights = Gaussian(Size * Size, 1, 0.05f);
        input = Gaussian(Tokens * Size, 2, 1f);
        output = new float[Tokens * Size];
        simulator = new AnalogLayerSimulator(new LayerSpec("tile", LayerKind.Analog, Size, Size, false, null), ChipSpec.Default, weights);
        torch.set_num_threads(System.Environment.ProcessorCount);
        x = torch.tensor(input, new long[] { Tokens, Size });
        wT = torch.tensor(weights, new long[] { Size, Size }).t().contiguous();
    }

    internal static float[] Gaussian(int count, ulong seed, float scale)
    {
        var values = new float[count];
        var random = new RandomStream(seed, 0);
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextGaussian() * scale);
        return values;
    }

    [Benchmark(Baseline = true, Description = "TorchSharp matmul 128x512 @ 512x512")]
    public float PlainMatMul()
    {
        using var y = x.matmul(wT);
        return y.data<float>()[0];
    }

    [Benchmark(Description = "Noisy tile MVM 128 tokens, 512x512 (DAC, ADC, noise, BM)")]
    public float NoisyTileMvm()
    {
        simulator.Forward(input, Tokens, output, seed: 7);
        return output[0];
    }
}

/// <summary>Programming (PCM-like) and drifting a 384 x 1536 layer.</summary>
public class ProgrammingBenchmarks
{
    AnalogLayerSimulator simulator = null!;
    readonly PcmLikeDevice device = new();

    [GlobalSetup]
    public void Setup()
    {
        var weights = TileMvmBenchmarks.Gaussian(384 * 1536, 3, 0.05f);
        simulator = new AnalogLayerSimulator(new LayerSpec("ffn", LayerKind.Analog, 384, 1536, true, null), ChipSpec.Default, weights);
        simulator.Program(device, 1);
    }

    [Benchmark(Description = "Program a 384x1536 layer (PCM)")]
    public void Program() => simulator.Program(device, 2);

    [Benchmark(Description = "Drift a 384x1536 layer to 1 year")]
    public void Drift() => simulator.DriftTo(365 * 86400.0, 3);
}
