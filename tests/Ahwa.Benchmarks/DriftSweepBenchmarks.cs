using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Evaluation;
using Ahwa.Lab.Import;
using Ahwa.Runtime;
using Ahwa.Simulator;
using BenchmarkDotNet.Attributes;
using MiniLmSentiment;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>
/// A slice of the main job's drift sweep on the pretrained MiniLM: one programming of every analog layer, two drift
/// times (drift, read noise, compensation), and at each time three methods evaluated on 128 sentences of 24 tokens
/// (four batches of 32), as <see cref="DriftSweep"/> runs them. The default protocol is 10 programmings x 7 times of
/// this shape, so its sweep time scales from this one. The baseline evaluates the same batches as often digitally.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class DriftSweepBenchmarks
{
    const int Batch = 32, Batches = 4, Tokens = 24, Methods = 3;
    static readonly IReadOnlyList<(double Seconds, string Label)> Times = new[] { (0.0, "0 s"), (31536000.0, "1 year") };
    MiniLm model = null!;
    readonly List<(Tensor Ids, Tensor Mask)> batches = new();

    [GlobalSetup]
    public void Setup()
    {
        model = PretrainedMiniLm.Load();
        var generator = new torch.Generator(1);
        for (int b = 0; b < Batches; b++) batches.Add((PretrainedMiniLm.Sentences(Batch, Tokens, generator), ones(Batch, Tokens, dtype: ScalarType.Int64)));
    }

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();

    double EvaluateAll()
    {
        using var noGrad = no_grad();
        double sum = 0;
        foreach (var (ids, mask) in batches)
        {
            using var scope = NewDisposeScope();
            sum += model.Classify(ids, mask)[0, 0].item<float>();
        }
        return sum;
    }

    [Benchmark(Baseline = true, Description = "the same evaluations, digital")]
    public double Digital()
    {
        model.SetExecution(AnalogExecution.Digital);
        model.eval();
        double sum = 0;
        for (int i = 0; i < Methods * Times.Count; i++) sum += EvaluateAll();
        return sum;
    }

    [Benchmark(Description = "programming every analog layer")]
    public void Program() => model.Program(new PcmLikeDevice(), 5);

    [Benchmark(Description = "drifting every programmed layer to 1 year")]
    public void Drift()
    {
        if (model.AnalogLayers[0].Simulator is null) model.Program(new PcmLikeDevice(), 5);
        model.DriftTo(31536000, 6);
    }

    [Benchmark(Description = "1 programming x 2 times x 3 methods on programmed tiles")]
    public double Sweep()
    {
        var probes = Enumerable.Range(0, Methods).Select(m => new SweepProbe($"method {m}", EvaluateAll)).ToList();
        return DriftSweep.Run(model, new PcmLikeDevice(), probes, repetitions: 1, seed: 5, Times).Values.Sum(p => p.Sum(point => point.Mean));
    }
}
