using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Deployment;
using HelloAnalog;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The sample's build emits its kernels; written to a folder, they build with the Makefile warning-free.</summary>
public class ArtifactTests
{
    static (int Code, string Output) Make(string directory, string arguments)
    {
        var start = new ProcessStartInfo("make", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rv64")]
    [InlineData("rv32")]
    public void TheSampleKernelsBuildWithTheGeneratedMakefile(string target)
    {
        var directory = Directory.CreateTempSubdirectory("ahwa-artifacts-").FullName;
        try
        {
            var written = ArtifactWriter.Write(TinyEncoder.Artifacts, directory);
            Assert.Contains(Path.Combine(directory, "Makefile"), written);
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "manifest.json")));
            // Five analog layers, three shapes: 32 -> 64, 64 -> 256 and 256 -> 64 (two ranks).
            Assert.Equal(5, manifest.RootElement.GetProperty("layers").GetArrayLength());
            var symbols = manifest.RootElement.GetProperty("kernels").EnumerateArray().Select(k => k.GetProperty("symbol").GetString()).ToList();
            Assert.Equal(new[] { "ahwa_32x64_r4", "ahwa_64x256_r4", "ahwa_256x64_r8" }, symbols);
            Assert.Equal(TinyEncoder.TileMapJson, File.ReadAllText(Path.Combine(directory, "tile_map.json")));

            // -Werror added to the Makefile's own flags for each target.
            var variable = target switch { "rv64" => "RV64_CFLAGS", "rv32" => "RV32_CFLAGS", _ => "CFLAGS" };
            var flags = target switch
            {
                "rv64" => " -march=rv64gc_zfh -mabi=lp64d",
                "rv32" => " -march=rv32imafc -mabi=ilp32f --specs=picolibc.specs",
                _ => "",
            };
            var (code, output) = Make(directory, $"{target} {variable}=\"-std=c99 -O2 -Wall -Wextra -Werror -ffp-contract=off{flags}\"".Trim());
            Assert.True(code == 0, output);
            Assert.True(File.Exists(Path.Combine(directory, "libahwa_kernels.a")), output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
