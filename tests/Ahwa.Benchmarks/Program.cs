using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project tests/Ahwa.Benchmarks -- --filter '*'
// In process: the benchmark's own output folder carries the TorchSharp native fix (build/TorchSharpCompat.targets);
// the projects BenchmarkDotNet would generate elsewhere do not.
if (args.Length > 0 && args[0] == "adam-steps")
{
    Ahwa.Benchmarks.OptimizerStepBenchmarks.Alternate(args.Length > 1 ? int.Parse(args[1]) : 10);
    return;
}
if (args.Length > 0 && args[0] == "eval-faults")
{
    Ahwa.Benchmarks.LongSequenceEvaluation.Run(args.Length > 1 ? int.Parse(args[1]) : 3, args.Length <= 2 || args[2] != "glibc");
    return;
}
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);

public partial class Program
{
}
