using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Targets.Emit;
using Ahwa.Targets.Kernels;

namespace Ahwa.Runtime.Kernels
{
    /// <summary>One kernel run to check: the layer, its operands, and how many cores to use.</summary>
    public sealed record KernelCase(KernelLayer Kernel, KernelInputs Inputs, int Cores);

    /// <summary>What a target computed for one case: differing output elements against the managed reference
    /// (and, when checked, of the naive baseline too).</summary>
    public sealed record KernelCaseResult(KernelCase Case, int Elements, int Differences, int FirstDifference, int NaiveDifferences);

    /// <summary>
    /// Builds generated kernels with a test bench for a target, runs them on seeded operands, and compares every
    /// output element bit for bit with <see cref="DigitalReference"/> (HTVM/Deeploy style: the bench prints how many
    /// elements differ).
    /// </summary>
    public static class KernelCrossCheck
    {
        public static IReadOnlyList<KernelCaseResult> Run(IReadOnlyList<KernelCase> cases, KernelTarget target, string directory, bool checkNaive = true)
        {
            if (cases.Count == 0) return Array.Empty<KernelCaseResult>();
            var toolchain = KernelToolchain.For(target);
            toolchain.EnsureInstalled();
            Directory.CreateDirectory(directory);

            var symbols = new Dictionary<string, KernelLayer>();
            foreach (var c in cases)
                if (symbols.TryGetValue(c.Kernel.Symbol, out var other) && other != c.Kernel)
                    throw new ArgumentException($"Two different kernels share the symbol '{c.Kernel.Symbol}'; give their layers distinct names.", nameof(cases));
                else symbols[c.Kernel.Symbol] = c.Kernel;
            var sources = WriteSources(directory, cases.Max(c => c.Kernel.L1Bytes), symbols.Values);
            sources.Add("bench.c");
            var expected = new List<ushort[]>();
            for (int i = 0; i < cases.Count; i++)
            {
                var reference = DigitalReference.Forward(cases[i].Kernel, cases[i].Inputs);
                expected.Add(reference);
                File.WriteAllBytes(Path.Combine(directory, $"case{i}.bin"), CaseData.Pack(cases[i].Inputs, reference));
            }
            WriteFile(directory, "bench.c", Bench(cases, checkNaive));
            toolchain.Compile(directory, sources, "bench");

            var (file, arguments) = toolchain.Runner(Path.Combine(directory, "bench"));
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

        static string Tail(string text) => text.Length <= 4000 ? text : "..." + text.Substring(text.Length - 4000);

        /// <summary>Writes the cluster runtime and each kernel's files; returns the C sources to compile.</summary>
        internal static List<string> WriteSources(string directory, int l1Bytes, IEnumerable<KernelLayer> kernels)
        {
            var sources = new List<string>();
            foreach (var file in KernelArtifacts.RuntimeFiles(l1Bytes).Concat(kernels.SelectMany(KernelArtifacts.KernelFiles)))
            {
                WriteFile(directory, file.Path, file.Text);
                if (file.Path.EndsWith(".c", StringComparison.Ordinal)) sources.Add(file.Path);
            }
            return sources;
        }

        internal static void WriteFile(string directory, string name, string text) =>
            File.WriteAllText(Path.Combine(directory, name), text, new UTF8Encoding(false));

        internal static string Bench(IReadOnlyList<KernelCase> cases, bool checkNaive)
        {
            var w = new IndentedWriter();
            w.Line("/* <auto-generated/> Ahwa kernel test bench: runs each case and counts output elements that differ from the reference. */");
            w.Line("#include <stdio.h>");
            w.Line("#include <stdlib.h>");
            w.Line("#include \"ahwa_cluster.h\"");
            foreach (var symbol in cases.Select(c => c.Kernel).Distinct().Select(KernelEmitter.HeaderName)) w.Line($"#include \"{symbol}\"");
            w.Line();
            w.Line("static uint8_t *read_case(const char *path)");
            w.Line("{");
            w.Line("    FILE *file = fopen(path, \"rb\");");
            w.Line("    long size;");
            w.Line("    uint8_t *data;");
            w.Line("    if (!file) { printf(\"AHWA_ERROR cannot open %s\\n\", path); exit(2); }");
            w.Line("    fseek(file, 0, SEEK_END);");
            w.Line("    size = ftell(file);");
            w.Line("    fseek(file, 0, SEEK_SET);");
            w.Line("    data = (uint8_t *)malloc((size_t)size + 8);");
            w.Line("    if (!data || fread(data, 1, (size_t)size, file) != (size_t)size) { printf(\"AHWA_ERROR cannot read %s\\n\", path); exit(2); }");
            w.Line("    fclose(file);");
            w.Line("    return data;");
            w.Line("}");
            w.Line();
            w.Line("static int count_differences(const uint16_t *actual, const uint16_t *expected, long n, long *first)");
            w.Line("{");
            w.Line("    long i;");
            w.Line("    int differences = 0;");
            w.Line("    *first = -1;");
            w.Line("    for (i = 0; i < n; i++)");
            w.Line("        if (actual[i] != expected[i]) { if (*first < 0) *first = i; differences++; }");
            w.Line("    return differences;");
            w.Line("}");
            w.Line();
            w.Line("int main(void)");
            w.Line("{");
            for (int i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                var k = c.Kernel;
                var layout = CaseData.Layout(c.Inputs);
                long outputs = (long)c.Inputs.Tokens * k.OutFeatures;
                w.Line("    {");
                w.Line($"        uint8_t *data = read_case(\"case{i}.bin\");");
                w.Line($"        uint16_t *y = (uint16_t *)malloc({outputs} * 2 + 2);");
                w.Line($"        {k.Symbol}_args args;");
                w.Line("        long first = -1;");
                w.Line("        int differences, naive_differences = 0;");
                w.Line($"        args.num_tokens = {c.Inputs.Tokens};");
                w.Line($"        args.codes = (const int16_t *)(data + {layout["codes"]});");
                w.Line($"        args.input_scale = (const float *)(data + {layout["input_scale"]});");
                w.Line($"        args.column_scale = (const float *)(data + {layout["column_scale"]});");
                w.Line($"        args.bias = (const uint16_t *)(data + {layout["bias"]});");
                w.Line($"        args.x = (const uint16_t *)(data + {layout["x"]});");
                w.Line($"        args.lora_a = (const uint16_t *)(data + {layout["lora_a"]});");
                w.Line($"        args.lora_b = (const uint16_t *)(data + {layout["lora_b"]});");
                w.Line("        args.y = y;");
                w.Line($"        {k.Symbol}_forward(&args, {c.Cores});");
                w.Line($"        differences = count_differences(y, (const uint16_t *)(data + {layout["expected"]}), {outputs}, &first);");
                w.Line("        {");
                w.Line("            long naive_first = -1;");
                if (checkNaive)
                {
                    w.Line($"            {k.Symbol}_naive_forward(&args);");
                    w.Line($"            naive_differences = count_differences(y, (const uint16_t *)(data + {layout["expected"]}), {outputs}, &naive_first);");
                }
                w.Line("            (void)naive_first;");
                w.Line("        }");
                w.Line($"        printf(\"AHWA_CASE {i} %d %ld %d\\n\", differences, first, naive_differences);");
                w.Line("        free(y);");
                w.Line("        free(data);");
                w.Line("    }");
            }
            w.Line("    printf(\"AHWA_DONE\\n\");");
            w.Line("    return 0;");
            w.Line("}");
            return w.ToString();
        }
    }

    /// <summary>The binary file a test bench reads: every operand and the expected output, 8-byte aligned.</summary>
    static class CaseData
    {
        public static Dictionary<string, long> Layout(KernelInputs inputs)
        {
            var layout = new Dictionary<string, long>();
            long offset = 0;
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

        public static byte[] Pack(KernelInputs inputs, ushort[] expected)
        {
            var layout = Layout(inputs);
            var data = new byte[layout["end"]];
            void Put<T>(string name, T[] values) where T : struct =>
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(data.AsSpan((int)layout[name]));
            Put("codes", inputs.Codes);
            Put("input_scale", inputs.InputScale);
            Put("column_scale", inputs.ColumnScale);
            Put("bias", inputs.Bias);
            Put("x", inputs.X);
            Put("lora_a", inputs.LoraA);
            Put("lora_b", inputs.LoraB);
            Put("expected", expected);
            return data;
        }
    }
}
