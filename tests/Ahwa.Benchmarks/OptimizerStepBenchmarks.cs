using System;
using System.Diagnostics;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using BenchmarkDotNet.Attributes;
using MiniLmSentiment;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>
/// One full-AHWA training step of the pretrained MiniLM (every parameter trainable, hardware-aware noise, batch 32 x
/// 24 tokens: forward, backward, zero_grad and the optimiser's step) with TorchSharp's Adam and with ScratchAdam,
/// which has the same arithmetic without two fresh tensors of each parameter's size per step.
/// <c>dotnet run -c Release --project tests/Ahwa.Benchmarks -- adam-steps [pairs]</c> times the two alternately in one
/// process (wall and CPU time), which holds up better than separate runs on a loaded machine.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class OptimizerStepBenchmarks
{
    const int Batch = 32, Tokens = 24;

    MiniLm model = null!;
    Tensor ids = null!, mask = null!, labels = null!;
    optim.Optimizer torchSharpAdam = null!, scratchAdam = null!;
    double lastOptimizerSeconds;

    [GlobalSetup]
    public void Setup()
    {
        model = PretrainedMiniLm.Load();
        var trainable = model.ConfigureTraining(TrainingRegime.FullAhwa);
        model.SetExecution(AnalogExecution.HardwareAware);
        model.SeedNoise(1);
        model.train();
        ids = PretrainedMiniLm.Sentences(Batch, Tokens, new torch.Generator(1));
        mask = ones(Batch, Tokens, dtype: ScalarType.Int64);
        labels = randint(0, 2, new long[] { Batch }, generator: new torch.Generator(2));
        torchSharpAdam = optim.Adam(trainable, 5e-5);
        scratchAdam = new ScratchAdam(trainable, 5e-5);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        torchSharpAdam.Dispose();
        scratchAdam.Dispose();
        model.Dispose();
    }

    float Step(optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.Classify(ids, mask).narrow(1, 0, 2), labels);
        loss.backward();
        long before = Stopwatch.GetTimestamp();
        optimizer.step();
        lastOptimizerSeconds = Stopwatch.GetElapsedTime(before).TotalSeconds;
        return loss.item<float>();
    }

    [Benchmark(Baseline = true, Description = "full-AHWA step, optim.Adam")]
    public float TorchSharpAdam() => Step(torchSharpAdam);

    [Benchmark(Description = "full-AHWA step, ScratchAdam")]
    public float ScratchAdam() => Step(scratchAdam);

    /// <summary>Alternates the two steps (two warm-up pairs, then <paramref name="pairs"/>) and prints the median wall
    /// time, the median time of the optimiser's step alone and the total CPU time of each.</summary>
    public static void Alternate(int pairs)
    {
        var bench = new OptimizerStepBenchmarks();
        bench.Setup();
        var wall = new double[2][] { new double[pairs], new double[pairs] };
        var cpu = new double[2];
        var update = new double[2][] { new double[pairs], new double[pairs] };
        var process = Process.GetCurrentProcess();
        for (int i = -2; i < pairs; i++)
        {
            for (int which = 0; which < 2; which++)
            {
                // Alternate which goes first, so neither always follows the other's frees.
                int k = (i & 1) == 0 ? which : 1 - which;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                _ = k == 0 ? bench.TorchSharpAdam() : bench.ScratchAdam();
                double seconds = clock.Elapsed.TotalSeconds;
                process.Refresh();
                if (i < 0) continue;
                wall[k][i] = seconds;
                update[k][i] = bench.lastOptimizerSeconds;
                cpu[k] += (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            }
        }
        bench.Cleanup();
        Array.Sort(wall[0]);
        Array.Sort(wall[1]);
        Array.Sort(update[0]);
        Array.Sort(update[1]);
        double median0 = wall[0][pairs / 2], median1 = wall[1][pairs / 2];
        Console.WriteLine($"threads {torch.get_num_threads()}, {pairs} steps each, batch {Batch} x {Tokens} tokens, full AHWA, hardware-aware");
        Console.WriteLine($"optim.Adam:  median wall {median0 * 1000:F0} ms (min {wall[0][0] * 1000:F0}), CPU {cpu[0] / pairs * 1000:F0} ms/step");
        Console.WriteLine($"ScratchAdam: median wall {median1 * 1000:F0} ms (min {wall[1][0] * 1000:F0}), CPU {cpu[1] / pairs * 1000:F0} ms/step");
        Console.WriteLine($"optimiser step alone: optim.Adam median {update[0][pairs / 2] * 1000:F0} ms, ScratchAdam median {update[1][pairs / 2] * 1000:F0} ms, ratio {update[1][pairs / 2] / update[0][pairs / 2]:F3}");
        Console.WriteLine($"ratio ScratchAdam / optim.Adam: wall {median1 / median0:F3} (min {wall[1][0] / wall[0][0]:F3}), CPU {cpu[1] / cpu[0]:F3}");
    }
}
