using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Ahwa.Runtime;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>
/// Programmed-tile evaluation at SQuAD's shape (batches of 64 windows of 192 tokens), the slice that dominates a SQuAD or
/// GLUE-recipe sweep, with the page faults it takes. Run as its own process per allocator setting
/// (<c>eval-faults [rounds] [threshold]</c>, threshold <c>8m</c> for the main job's fixed mmap threshold or <c>glibc</c>
/// for glibc's own policy), so settings that only the environment can change (GLIBC_TUNABLES) compare the same way.
/// </summary>
static class LongSequenceEvaluation
{
    const int Batch = 64, Tokens = 192, Batches = 3;

    public static void Run(int rounds, bool fixedThreshold)
    {
        if (fixedThreshold && !NativeAllocator.ReturnLargeBlocks()) throw new InvalidOperationException("mallopt did not take effect.");
        using var model = PretrainedMiniLm.Load();
        model.Program(new PcmLikeDevice(), 5);
        model.SetExecution(AnalogExecution.Programmed);
        model.eval();
        var generator = new torch.Generator(1);
        var batches = new (Tensor Ids, Tensor Mask)[Batches];
        for (int b = 0; b < Batches; b++) batches[b] = (PretrainedMiniLm.Sentences(Batch, Tokens, generator), ones(Batch, Tokens, dtype: ScalarType.Int64));
        string tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "none";
        for (int round = 0; round <= rounds; round++)
        {
            long faults = MinorFaults();
            var cpu = Process.GetCurrentProcess().PrivilegedProcessorTime;
            var clock = Stopwatch.StartNew();
            using (no_grad())
                foreach (var (ids, mask) in batches)
                {
                    using var scope = NewDisposeScope();
                    model.Classify(ids, mask);
                }
            double seconds = clock.Elapsed.TotalSeconds;
            double kernel = (Process.GetCurrentProcess().PrivilegedProcessorTime - cpu).TotalSeconds;
            // Round 0 warms up (first mappings, thread pools) and is not reported.
            if (round > 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"threshold {(fixedThreshold ? "8 MiB" : "glibc")}, tunables {tunables}: {Batches * Batch * Tokens / seconds:0} tokens/s, {seconds / Batches:0.000} s a batch, kernel CPU {kernel / Batches:0.000} s a batch, {(MinorFaults() - faults) / Batches} minor faults a batch"));
        }
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat).</summary>
    static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
