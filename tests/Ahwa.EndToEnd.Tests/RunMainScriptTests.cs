using System;
using System.Diagnostics;
using System.IO;

namespace Ahwa.EndToEnd.Tests;

/// <summary>What <c>run-main.sh</c> hands the job besides its arguments: the environment that makes long sequences fast
/// (glibc's huge pages, LibTorch's passive threads), a user's own values kept. A stand-in <c>dotnet</c> on PATH prints
/// what it was started with, so nothing builds or runs. The script is bash, for Linux and macOS.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RunMainScriptTests : IDisposable
{
    readonly string bin = Directory.CreateTempSubdirectory("ahwa-runmain-").FullName;

    public RunMainScriptTests()
    {
        var fake = Path.Combine(bin, "dotnet");
        File.WriteAllText(fake, "#!/bin/sh\necho \"GLIBC_TUNABLES=[$GLIBC_TUNABLES] OMP_WAIT_POLICY=[$OMP_WAIT_POLICY] args=[$*]\"\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => Directory.Delete(bin, recursive: true);

    string Run(string? tunables, string? ompPolicy = null)
    {
        var start = new ProcessStartInfo("bash", new[] { Path.Combine(PackageFixture.FindRepoRoot(), "run-main.sh"), "--quick" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = bin + ":/usr/bin:/bin";
        start.Environment.Remove("GLIBC_TUNABLES");
        start.Environment.Remove("OMP_WAIT_POLICY");
        if (tunables is not null) start.Environment["GLIBC_TUNABLES"] = tunables;
        if (ompPolicy is not null) start.Environment["OMP_WAIT_POLICY"] = ompPolicy;
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"run-main.sh exited with {process.ExitCode}: {error}");
        return output.Trim();
    }

    [Fact]
    public void TheJobStartsWithHugePagesAndPassiveThreads() =>
        Assert.Equal("GLIBC_TUNABLES=[glibc.malloc.hugetlb=1] OMP_WAIT_POLICY=[PASSIVE] args=[run --project samples/MiniLmSentiment/MiniLmSentiment.csproj -c Release -- --quick]",
            Run(null));

    [Fact]
    public void OtherTunablesAreKeptAndHugePagesAdded() =>
        Assert.StartsWith("GLIBC_TUNABLES=[glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1] ", Run("glibc.malloc.arena_max=2"));

    [Fact]
    public void AUsersOwnChoiceWins()
    {
        Assert.StartsWith("GLIBC_TUNABLES=[glibc.malloc.hugetlb=0] OMP_WAIT_POLICY=[ACTIVE] ", Run("glibc.malloc.hugetlb=0", "ACTIVE"));
        Assert.StartsWith("GLIBC_TUNABLES=[glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0] ", Run("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=0"));
    }
}
