using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;

namespace Ahwa.Hardware.Tests;

/// <summary>The C kept as files in Targets/Codegen/C/Files: embedded verbatim, and warning-free under the
/// contract's flags when compiled straight from the repository.</summary>
public class CFilesTests
{
    static string FilesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return Path.Combine(dir.FullName, "Targets", "Codegen", "C", "Files");
        throw new DirectoryNotFoundException("Compiler.sln not found above the test's folder.");
    }

    [Fact]
    public void TheFixedFilesAreEmittedExactlyAsTheyAreInTheRepository()
    {
        foreach (var name in CFiles.Fixed)
            Assert.Equal(File.ReadAllText(Path.Combine(FilesFolder(), name)).Replace("\r\n", "\n"), CFiles.Read(name));
    }

    [Fact]
    public void TemplatesAreFilledCompletely()
    {
        var kernel = Plan(384, 384, LoraSpec.Default);
        foreach (var file in KernelArtifacts.KernelFiles(kernel))
        {
            Assert.DoesNotContain("{{", file.Text);
            Assert.Contains("#define AHWA_384X384_R8_TOKEN_BLOCK 2", KernelEmitter.Header(kernel));
        }
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => CTemplate.Fill("x {{nope}}", new System.Collections.Generic.Dictionary<string, string>()));
    }

    static KernelLayer Plan(int ins, int outs, LoraSpec? lora) =>
        MemoryPlanner.Plan(new LayerSpec($"c.l{ins}x{outs}r{lora?.Rank ?? 0}", LayerKind.Analog, ins, outs, true, lora), ChipSpec.Default, ClusterSpec.Default).Kernel! with
        {
            Symbol = $"ahwa_{ins}x{outs}_r{lora?.Rank ?? 0}",
        };

    /// <summary>The runtime and the bench from the repository, kernels from the templates (rank 8 with blocks of 2
    /// tokens and a remainder loop, rank 16 with single tokens, and no adapter), built with host gcc and -Werror,
    /// linked, and run on an empty case list.</summary>
    [Fact]
    public void TheRepositoryCFilesCompileWithoutWarnings()
    {
        if (!OnPath("gcc"))
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "gcc is required on CI.");
            return; // A developer machine without gcc: nothing to compile with.
        }
        var kernels = new[] { Plan(384, 384, LoraSpec.Default), Plan(100, 70, new LoraSpec(16, 16, 0)), Plan(64, 48, null) };
        Assert.Equal(new[] { 2, 1, 4 }, kernels.Select(k => k.TokenBlock));
        var directory = Directory.CreateTempSubdirectory("ahwa-cfiles-").FullName;
        try
        {
            var generated = KernelArtifacts.ClusterFiles(kernels, kernels.Max(k => k.L1Bytes)).Where(f => !CFiles.Fixed.Contains(f.Path)).ToList();
            foreach (var file in generated) File.WriteAllText(Path.Combine(directory, file.Path), file.Text);
            File.WriteAllText(Path.Combine(directory, CFiles.CaseList), "");
            var repository = FilesFolder();
            var sources = CFiles.Fixed.Where(n => n.EndsWith(".c", StringComparison.Ordinal)).Select(n => Path.Combine(repository, n))
                .Concat(generated.Where(f => f.Path.EndsWith(".c", StringComparison.Ordinal)).Select(f => f.Path));
            var flags = ArithmeticContract.CompilerFlags.Concat(new[] { "-O2", "-Wall", "-Wextra", "-Werror", "-I", repository, "-I", directory });
            var (code, output) = Run("gcc", directory, flags.Concat(sources).Concat(new[] { "-o", "bench", "-lm" }).ToArray());
            Assert.True(code == 0 && output.Length == 0, output);
            var (runCode, runOutput) = Run(Path.Combine(directory, "bench"), directory);
            Assert.Equal(0, runCode);
            Assert.Equal("AHWA_DONE\n", runOutput);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, tool)));

    static (int Code, string Output) Run(string file, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}

public class IndentedWriterTests
{
    [Fact]
    public void LinesReindentsARawBlockToTheCurrentDepth()
    {
        var w = new IndentedWriter();
        using (w.Block("int main(void)"))
        {
            w.Lines("""
                        if (x) {
                            y();

                        }
                """.Replace("\n", "\r\n"));
            w.Lines("    return 0;\n");
        }
        Assert.Equal("int main(void)\n{\n    if (x) {\n        y();\n\n    }\n    return 0;\n}\n", w.ToString());
    }

    [Fact]
    public void LinesKeepsRelativeIndentationAndEmptyText()
    {
        var w = new IndentedWriter("  ");
        using (w.Indent()) w.Lines("\ta\n\t\tb\n");
        w.Lines("");
        Assert.Equal("  a\n  \tb\n\n", w.ToString());
    }
}
