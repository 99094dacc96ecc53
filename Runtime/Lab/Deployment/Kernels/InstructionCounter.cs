using System;
using System.Collections.Generic;
using System.IO;
using Ahwa.Hardware;
using Ahwa.Lab.Tools;

namespace Ahwa.Lab.Kernels;

/// <summary>Dynamic instruction counts of one phase and its multiply-accumulates.</summary>
public sealed record PhaseCount(string Phase, long Instructions, long MultiplyAccumulates)
{
    public double InstructionsPerMac => MultiplyAccumulates == 0 ? double.NaN : (double)Instructions / MultiplyAccumulates;
}

/// <summary>Instruction counts of a kernel's phases and of the naive baseline, measured under QEMU. For an engine kernel,
/// Down and Up are the engine jobs as the cores emulate them (not what the engine costs) and <see cref="Descale"/> is the
/// de-scale phase on the cores, counted per output element; the scalar kernel de-scales inside Up.</summary>
public sealed record KernelInstructionCounts(KernelLayer Kernel, int Tokens, PhaseCount Setup, PhaseCount Down, PhaseCount Up,
    PhaseCount NaiveDown, PhaseCount NaiveUp, PhaseCount Descale)
{
    /// <summary>Instructions per output element of the engine kernel's de-scale phase (NaN for the scalar kernel).</summary>
    public double DescaleInstructionsPerOutput => Descale.MultiplyAccumulates == 0 ? double.NaN : (double)Descale.Instructions / Descale.MultiplyAccumulates;

    public double LoraInstructionsPerMac => (double)(Down.Instructions + Up.Instructions) / (Down.MultiplyAccumulates + Up.MultiplyAccumulates);

    /// <summary>Setup (conversions of the resident operands) included.</summary>
    public double LoraInstructionsPerMacWithSetup =>
        (double)(Setup.Instructions + Down.Instructions + Up.Instructions) / (Down.MultiplyAccumulates + Up.MultiplyAccumulates);

    public double NaiveInstructionsPerMac => (double)(NaiveDown.Instructions + NaiveUp.Instructions) / (NaiveDown.MultiplyAccumulates + NaiveUp.MultiplyAccumulates);

    public double Speedup => NaiveInstructionsPerMac / LoraInstructionsPerMacWithSetup;
}

/// <summary>
/// Runs a kernel once on one core (no threads, so no barrier spinning) and its naive baseline under
/// <c>qemu-riscv64 -singlestep -d nochain,exec</c>, which logs every executed instruction with the symbol it
/// belongs to, and counts instructions per phase function.
/// </summary>
public static class InstructionCounter
{
    /// <summary>Measures <paramref name="kernel"/>, whose C files are among <paramref name="files"/> (a model's
    /// generated <c>Artifacts</c>, or the cluster files Codegen emits for it).</summary>
    /// <param name="naive">Also run and count the naive baseline. Its loops execute about three times the kernel's
    /// instructions, each one traced, so a caller that needs only the kernel's counts leaves it out; the naive counts
    /// and <see cref="KernelInstructionCounts.Speedup"/> are then NaN.</param>
    public static KernelInstructionCounts Measure(KernelLayer kernel, IReadOnlyList<Artifact> files, KernelInputs inputs, string directory, bool naive = true)
    {
        var toolchain = KernelToolchain.For(KernelTarget.Rv64, threads: false);
        KernelCrossCheck.Build(new[] { new KernelCase(kernel, inputs, 1) }, files, toolchain, directory, checkNaive: naive);

        var log = Path.Combine(directory, "trace.log");
        var (file, arguments) = toolchain.Runner(Path.Combine(directory, KernelCrossCheck.BenchProgram), log);
        var (code, stdout, stderr) = Processes.Run(file, arguments, directory, TimeSpan.FromMinutes(10));
        if (code != 0 || !stdout.Contains("AHWA_CASE 0 0 -1 0"))
            throw new InvalidOperationException($"The instruction-count run of {kernel.Symbol} failed or differed from the reference (exit {code}):\n{stdout}\n{stderr}");

        var counts = CountBySymbol(log);
        File.Delete(log);
        long Count(string phase) => counts.TryGetValue(kernel.Symbol + "_" + phase, out var n) ? n : 0;
        long downMacs = (long)inputs.Tokens * kernel.InFeatures * kernel.Rank;
        long upMacs = (long)inputs.Tokens * kernel.OutFeatures * kernel.Rank;
        string down = kernel.MatrixEngine ? "engine_down" : "lora_down", up = kernel.MatrixEngine ? "engine_up" : "lora_up";
        long outputs = (long)inputs.Tokens * kernel.OutFeatures;
        return new KernelInstructionCounts(kernel, inputs.Tokens,
            new PhaseCount("setup", Count("setup"), 0),
            new PhaseCount(down, Count(down), downMacs),
            new PhaseCount(up, Count(up), upMacs),
            new PhaseCount("naive_lora_down", Count("naive_lora_down"), naive ? downMacs : 0),
            new PhaseCount("naive_lora_up", Count("naive_lora_up"), naive ? upMacs : 0),
            // The "multiply-accumulates" of the de-scale phase are its output elements.
            new PhaseCount("descale", Count("descale"), kernel.MatrixEngine ? outputs : 0));
    }

    /// <summary>Lines look like <c>Trace 0: 0x... [00000000/0000000000010abc/...] symbol</c>; with -singlestep
    /// each is one instruction.</summary>
    static Dictionary<string, long> CountBySymbol(string log)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = new StreamReader(log);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (!line.StartsWith("Trace ", StringComparison.Ordinal)) continue;
            int close = line.LastIndexOf(']');
            string symbol = close >= 0 && close + 2 <= line.Length ? line.Substring(close + 1).Trim() : "";
            counts[symbol] = counts.TryGetValue(symbol, out var n) ? n + 1 : 1;
        }
        return counts;
    }
}
