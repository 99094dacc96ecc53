using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Ahwa.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program
{
}
