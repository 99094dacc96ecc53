using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Hardware;
using Ahwa.Lab.Tools;

namespace Ahwa.Lab.Kernels;

/// <summary>One kernel run to check: the layer, its operands, and how many cores to use.</summary>
public sealed record KernelCase(KernelLayer Kernel, KernelInputs Inputs, int Cores);

/// <summary>What a target computed for one case: differing output elements against the managed reference
/// (and, when checked, of the naive baseline too).</summary>
public sealed record KernelCaseResult(KernelCase Case, int Elements, int Differences, int FirstDifference, int NaiveDifferences);

/// <summary>
/// Builds a deployment's kernels with its test bench (ahwa_bench.c) for a target, runs them on seeded operands, and compares every
/// output element bit for bit with <see cref="DigitalReference"/> (HTVM/Deeploy style: the bench prints how many
/// elements differ).
/// </summary>
public static class KernelCrossCheck
{
    /// <summary>Checks <paramref name="cases"/> against the C files of a deployment: a model's generated
    /// <c>Artifacts</c>, or any list holding the cluster runtime, the bench, the registry and the cases' kernels.</summary>
    public static IReadOnlyList<KernelCaseResult> Run(IReadOnlyList<KernelCase> cases, IReadOnlyList<Artifact> files, KernelTarget target,
        string directory, bool checkNaive = true)
    {
        if (cases.Count == 0) return Array.Empty<KernelCaseResult>();
        var toolchain = KernelToolchain.For(target);
        var expected = Build(cases, files, toolchain, directory, checkNaive);

        var (file, arguments) = toolchain.Runner(Path.Combine(directory, BenchProgram));
        var (code, stdout, stderr) = Processes.Run(file, arguments, directory, TimeSpan.FromMinutes(10));
        // QEMU's semihosting console writes to stderr; the Linux targets print to stdout.
        if (target == KernelTarget.Rv32) stdout += stderr;
        if (code != 0 || !stdout.Contains("AHWA_DONE"))
            throw new InvalidOperationException($"The {target} test bench failed (exit code {code}):\n{stderr}\n{Tail(stdout)}");

        var results = new List<KernelCaseResult>();
        foreach (var line in stdout.Split('\n'))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length != 5 || parts[0] != "AHWA_CASE") continue;
            int index = int.Parse(parts[1], CultureInfo.InvariantCulture);
            results.Add(new KernelCaseResult(cases[index], expected[index].Length, int.Parse(parts[2], CultureInfo.InvariantCulture),
                int.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture)));
        }
        if (results.Count != cases.Count) throw new InvalidOperationException($"The {target} test bench reported {results.Count} of {cases.Count} cases:\n{Tail(stdout)}");
        return results;
    }

    internal const string BenchProgram = "bench";
    const string CaseList = "ahwa_cases.txt";

    /// <summary>Writes the C files, one case file per case (operands and the reference's output) and the case list,
    /// and builds the bench; returns the expected outputs.</summary>
    internal static List<ushort[]> Build(IReadOnlyList<KernelCase> cases, IReadOnlyList<Artifact> files, KernelToolchain toolchain,
        string directory, bool checkNaive)
    {
        if (files is null) throw new ArgumentNullException(nameof(files));
        toolchain.EnsureInstalled();
        var symbols = new Dictionary<string, KernelLayer>();
        foreach (var c in cases)
            if (symbols.TryGetValue(c.Kernel.Symbol, out var other) && other != c.Kernel)
                throw new ArgumentException($"Two different kernels share the symbol '{c.Kernel.Symbol}'; give their layers distinct names.", nameof(cases));
            else symbols[c.Kernel.Symbol] = c.Kernel;
        var paths = new HashSet<string>(files.Select(f => f.Path), StringComparer.Ordinal);
        foreach (var symbol in symbols.Keys)
            if (!paths.Contains(symbol + ".c"))
                throw new ArgumentException($"The C files hold no kernel '{symbol}'; pass the artifacts the cases' kernels were generated with.", nameof(files));

        Directory.CreateDirectory(directory);
        var sources = new List<string>();
        foreach (var file in files.Where(f => f.Path.EndsWith(".c", StringComparison.Ordinal) || f.Path.EndsWith(".h", StringComparison.Ordinal)))
        {
            WriteFile(directory, file.Path, file.Text);
            if (file.Path.EndsWith(".c", StringComparison.Ordinal)) sources.Add(file.Path);
        }
        var expected = new List<ushort[]>();
        var list = new StringBuilder();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var reference = DigitalReference.Forward(c.Kernel, c.Inputs);
            expected.Add(reference);
            File.WriteAllBytes(Path.Combine(directory, $"case{i}.bin"), CaseData.Pack(c.Kernel, c.Inputs, reference));
            list.Append(CultureInfo.InvariantCulture, $"{c.Kernel.Symbol} case{i}.bin {c.Cores} {(checkNaive ? 1 : 0)}\n");
        }
        WriteFile(directory, CaseList, list.ToString());
        toolchain.Compile(directory, CompileUnits(sources, symbols.Keys), BenchProgram);
        return expected;
    }

    /// <summary>The compile units of the bench: each runtime file on its own, and the cases' kernel files (named after
    /// their kernel's symbol) shared out into one unit per core. A check of hundreds of kernels spent most of its time
    /// starting the compiler once per file (under the host's sanitizers about twice the compile time of the same
    /// kernels in one unit). Every name in a kernel file carries its symbol, so kernels share a translation unit
    /// without clashes; that each file also builds on its own is checked where the deployment's Makefile is built.</summary>
    internal static List<IReadOnlyList<string>> CompileUnits(IReadOnlyList<string> sources, IEnumerable<string> symbols)
    {
        var kernelSymbols = symbols.ToList();
        bool IsKernel(string source) => kernelSymbols.Any(symbol => source.StartsWith(symbol, StringComparison.Ordinal));
        var kernels = sources.Where(IsKernel).ToList();
        int groups = Math.Max(1, Environment.ProcessorCount);
        if (kernels.Count <= groups) return sources.Select(s => (IReadOnlyList<string>)new[] { s }).ToList();
        var units = sources.Where(s => !IsKernel(s)).Select(s => (IReadOnlyList<string>)new[] { s }).ToList();
        for (int g = 0; g < groups; g++)
            units.Add(kernels.Where((_, i) => i % groups == g).ToList());
        return units;
    }

    static string Tail(string text) => text.Length <= 4000 ? text : "..." + text.Substring(text.Length - 4000);

    static void WriteFile(string directory, string name, string text) =>
        File.WriteAllText(Path.Combine(directory, name), text, new UTF8Encoding(false));
}

/// <summary>The binary file the test bench reads (format in ahwa_bench.c): a header naming the kernel's shape and
/// constants, then every operand and the expected output, 8-byte aligned.</summary>
static class CaseData
{
    const uint Magic = 0x41485741, Version = 1;
    const int HeaderWords = 32;
    static readonly string[] Sections = { "codes", "input_scale", "column_scale", "bias", "x", "lora_a", "lora_b", "expected" };

    public static Dictionary<string, long> Layout(KernelInputs inputs)
    {
        var layout = new Dictionary<string, long>();
        long offset = 4 * HeaderWords;
        void Add(string name, long bytes)
        {
            layout[name] = offset;
            offset = (offset + bytes + 7) / 8 * 8;
        }
        Add("codes", 2L * inputs.Codes.Length);
        Add("input_scale", 4L * inputs.InputScale.Length);
        Add("column_scale", 4L * inputs.ColumnScale.Length);
        Add("bias", 2L * inputs.Bias.Length);
        Add("x", 2L * inputs.X.Length);
        Add("lora_a", 2L * inputs.LoraA.Length);
        Add("lora_b", 2L * inputs.LoraB.Length);
        Add("expected", 2L * inputs.Tokens * inputs.ColumnScale.Length);
        layout["end"] = offset;
        return layout;
    }

    public static byte[] Pack(KernelLayer kernel, KernelInputs inputs, ushort[] expected)
    {
        var layout = Layout(inputs);
        var data = new byte[layout["end"]];
        var header = new uint[HeaderWords];
        header[0] = Magic;
        header[1] = Version;
        header[2] = (uint)inputs.Tokens;
        header[3] = (uint)kernel.InFeatures;
        header[4] = (uint)kernel.OutFeatures;
        header[5] = (uint)kernel.Rank;
        header[6] = (uint)kernel.InputBlocks;
        header[7] = BitConverter.SingleToUInt32Bits(kernel.AdcStep);
        header[8] = BitConverter.SingleToUInt32Bits(kernel.LoraScale);
        for (int i = 0; i < Sections.Length; i++) header[9 + i] = checked((uint)layout[Sections[i]]);
        header[17] = checked((uint)layout["end"]);
        void Put<T>(long offset, T[] values) where T : struct =>
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(data.AsSpan((int)offset));
        // Every target is little-endian, as is .NET on the machines that run the check.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Case files are little-endian.");
        Put(0, header);
        Put(layout["codes"], inputs.Codes);
        Put(layout["input_scale"], inputs.InputScale);
        Put(layout["column_scale"], inputs.ColumnScale);
        Put(layout["bias"], inputs.Bias);
        Put(layout["x"], inputs.X);
        Put(layout["lora_a"], inputs.LoraA);
        Put(layout["lora_b"], inputs.LoraB);
        Put(layout["expected"], expected);
        return data;
    }
}
