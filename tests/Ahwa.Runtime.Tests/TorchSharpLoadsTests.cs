using System.IO;
using System.Linq;
using Ahwa.Build;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests;

/// <summary>TorchSharp loads on this machine (the build's libstdc++ fix) and computes gradients.</summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void TensorsAndOneAutogradStepWork()
    {
        using var w = tensor(new float[] { 1f, -2f, 3f }, requires_grad: true);
        using var x = tensor(new float[] { 0.5f, 0.25f, 2f });
        using var loss = (w * x).sum().pow(2);          // (0.5 - 0.5 + 6)^2 = 36
        loss.backward();
        Assert.Equal(36f, loss.item<float>(), 5);
        // d/dw (w.x)^2 = 2 (w.x) x = 12 x
        Assert.Equal(new[] { 6f, 3f, 24f }, w.grad!.data<float>().ToArray());

        using var optimizer = optim.SGD(new[] { new TorchSharp.Modules.Parameter(w.detach().clone()) }, 0.1);
        Assert.NotNull(optimizer);
    }

    [Fact]
    public void TheOutputCopyOfTheNativeShimLoadsWithoutGlibcxx3432()
    {
        var shim = Path.Combine(System.AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(shim), shim);
        var bytes = File.ReadAllBytes(shim);
        var outcome = ElfVersionNeedPatcher.PatchInMemory(bytes, "GLIBCXX_3.4.32", shim);
        // Patched by the build where the system lacks the version; nothing to do where it has it.
        if (ElfVersionNeedPatcher.SystemLibStdCxxHasVersion("GLIBCXX_3.4.32", out _))
            Assert.NotEqual(ElfPatchOutcome.VersionNotNeeded, outcome);
        else
            Assert.Equal(ElfPatchOutcome.AlreadyWeak, outcome);
    }
}

public class ElfVersionNeedPatcherTests
{
    static string Shim => Path.Combine(System.AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void PatchingSetsTheWeakFlagOnlyOnceAndChangesTwoBytesAtMost()
    {
        var original = File.ReadAllBytes(Shim);
        var bytes = (byte[])original.Clone();
        var first = ElfVersionNeedPatcher.PatchInMemory(bytes, "GLIBCXX_3.4.32", "copy");
        Assert.NotEqual(ElfPatchOutcome.VersionNotNeeded, first);
        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.PatchInMemory(bytes, "GLIBCXX_3.4.32", "copy"));
        Assert.True(original.Zip(bytes).Count(p => p.First != p.Second) <= 1);
    }

    [Fact]
    public void AVersionTheFileDoesNotNeedIsReported()
    {
        var bytes = File.ReadAllBytes(Shim);
        Assert.Equal(ElfPatchOutcome.VersionNotNeeded, ElfVersionNeedPatcher.PatchInMemory(bytes, "GLIBCXX_9.9.99", "copy"));
    }

    [Fact]
    public void ANonElfFileIsRejectedByName()
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.PatchInMemory(new byte[100], "GLIBCXX_3.4.32", "notes.txt"));
        Assert.Contains("notes.txt", error.Message);
    }

    [Fact]
    public void PatchingAFileRewritesItAndIsIdempotent()
    {
        var cache = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var package = Directory.GetFiles(Path.Combine(cache, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories)
            .FirstOrDefault(p => p.Contains("linux-x64"));
        Assert.NotNull(package);
        var copy = Path.Combine(Path.GetTempPath(), "ahwa-elf-" + System.Guid.NewGuid().ToString("N") + ".so");
        File.Copy(package!, copy);
        try
        {
            var before = File.ReadAllBytes(copy);
            Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, "GLIBCXX_3.4.32"));
            var after = File.ReadAllBytes(copy);
            Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));
            Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.MakeVersionNeedWeak(copy, "GLIBCXX_3.4.32"));
            Assert.Equal(before, File.ReadAllBytes(package!)); // the package cache is untouched
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
