using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Ahwa.EndToEnd.Tests;

/// <summary>dotnet pack of the generator gives an analyzer package: generator, Codegen, Hardware and Dsl under
/// analyzers/, Dsl and Hardware under lib/ for user code (Codegen never reaches user code).</summary>
public class PackageTests
{
    [Fact]
    public void TheGeneratorPacksAsAnAnalyzerPackage()
    {
        var root = FindRepoRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var output = Directory.CreateTempSubdirectory("ahwa-pack-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", $"pack Generator/Ahwa.Generator.csproj -c {configuration} --no-build -o \"{output}\" -nologo")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var log = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, log);

            using var package = ZipFile.OpenRead(Directory.GetFiles(output, "Ahwa.Generator.*.nupkg").Single());
            var entries = package.Entries.Select(e => e.FullName).Where(n => n.EndsWith(".dll", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(new[]
            {
                "analyzers/dotnet/cs/Ahwa.Codegen.dll", "analyzers/dotnet/cs/Ahwa.Dsl.dll", "analyzers/dotnet/cs/Ahwa.Generator.dll",
                "analyzers/dotnet/cs/Ahwa.Hardware.dll",
                "lib/netstandard2.0/Ahwa.Dsl.dll", "lib/netstandard2.0/Ahwa.Hardware.dll",
            }, entries);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
    }
}
