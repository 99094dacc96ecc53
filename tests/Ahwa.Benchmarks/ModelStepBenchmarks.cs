using Ahwa.Lab.Import;
using Ahwa.Runtime;
using Ahwa.Simulator;
using BenchmarkDotNet.Attributes;
using MiniLmSentiment;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>
/// The whole pretrained MiniLM of the main job on one batch (32 sentences of 24 or 128 tokens; token ids drawn from the
/// vocabulary, since timing does not depend on meaning): one training step (forward + backward, LoRA dropout, the
/// full training-time recipe) with digital and with hardware-aware analog layers, and one evaluation forward digital
/// and on programmed, drifted tiles. Issue 12's ratios: AHWA-LoRA step / digital step, programmed / digital forward.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class ModelStepBenchmarks
{
    const int Batch = 32;

    /// <summary>Tokens per sentence: the main job's short sentences, and the GLUE recipe's 128.</summary>
    [Params(24, 128)]
    public int Tokens { get; set; }

    MiniLm model = null!;
    Tensor ids = null!, mask = null!, labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = PretrainedMiniLm.Load();
        model.ConfigureTraining(TrainingRegime.AhwaLora);
        model.SeedNoise(1);
        ids = PretrainedMiniLm.Sentences(Batch, Tokens, new torch.Generator(1));
        mask = ones(Batch, Tokens, dtype: ScalarType.Int64);
        labels = randint(0, 2, new long[] { Batch }, generator: new torch.Generator(2));
        model.Program(new PcmLikeDevice(), 3);
        model.DriftTo(86400, 4);
    }

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();

    float Step(AnalogExecution execution)
    {
        model.SetExecution(execution);
        model.train();
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(model.Classify(ids, mask).narrow(1, 0, 2), labels);
        loss.backward();
        return loss.item<float>();
    }

    float Evaluate(AnalogExecution execution)
    {
        model.SetExecution(execution);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.Classify(ids, mask)[0, 0].item<float>();
    }

    [Benchmark(Baseline = true, Description = "training step, digital LoRA")]
    public float DigitalStep() => Step(AnalogExecution.Digital);

    [Benchmark(Description = "training step, AHWA-LoRA (hardware-aware)")]
    public float HardwareAwareStep() => Step(AnalogExecution.HardwareAware);

    [Benchmark(Description = "evaluation forward, digital")]
    public float DigitalForward() => Evaluate(AnalogExecution.Digital);

    [Benchmark(Description = "evaluation forward, programmed tiles (1 day)")]
    public float ProgrammedForward() => Evaluate(AnalogExecution.Programmed);
}
