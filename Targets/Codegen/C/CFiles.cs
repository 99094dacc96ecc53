using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>The C files kept as real files in C/Files (embedded in this assembly): the fixed cluster runtime,
/// kernel interface and test bench, emitted verbatim, and the kernel templates <see cref="KernelEmitter"/> fills.</summary>
public static class CFiles
{
    public const string ClusterHeader = "ahwa_cluster.h";
    public const string ClusterSource = "ahwa_cluster.c";
    public const string KernelsHeader = "ahwa_kernels.h";
    public const string Bench = "ahwa_bench.c";

    /// <summary>The matrix engine's emulation, shipped only with deployments whose kernels use the engine.</summary>
    public const string EngineHeader = "ahwa_engine.h";

    /// <summary>Generated beside them: the L1 size and the registry of a deployment's kernels.</summary>
    public const string ConfigHeader = "ahwa_config.h";
    public const string Registry = "ahwa_kernels.c";

    /// <summary>The case list the bench reads by default.</summary>
    public const string CaseList = "ahwa_cases.txt";

    public const string KernelHeaderTemplate = "ahwa_kernel.h.in";
    public const string KernelSourceTemplate = "ahwa_kernel.c.in";
    public const string NaiveSourceTemplate = "ahwa_kernel_naive.c.in";
    public const string EngineSourceTemplate = "ahwa_kernel_engine.c.in";
    public const string EngineNaiveSourceTemplate = "ahwa_kernel_engine_naive.c.in";

    /// <summary>The files every deployment ships unchanged.</summary>
    public static IReadOnlyList<string> Fixed { get; } = new[] { ClusterHeader, ClusterSource, KernelsHeader, Bench };

    static readonly Dictionary<string, string> cache = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>One file's text with '\n' newlines, whatever the checkout did to line endings.</summary>
    public static string Read(string name)
    {
        lock (cache)
        {
            if (cache.TryGetValue(name, out var text)) return text;
            using var stream = typeof(CFiles).Assembly.GetManifestResourceStream("Ahwa.Codegen.C.Files." + name)
                ?? throw new InvalidOperationException($"C file '{name}' is not embedded in Ahwa.Codegen.");
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            text = reader.ReadToEnd().Replace("\r\n", "\n");
            cache.Add(name, text);
            return text;
        }
    }

    public static IEnumerable<Artifact> FixedFiles()
    {
        foreach (var name in Fixed) yield return new Artifact(name, Read(name));
    }
}
