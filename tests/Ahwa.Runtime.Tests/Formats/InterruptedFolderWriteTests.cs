using System;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Runtime.Tests.Training;

namespace Ahwa.Runtime.Tests.Formats;

/// <summary>Robustness issue: a folder save killed between moving the old folder aside and moving the new one in left
/// only hidden siblings at the path, which nothing restored or removed. Each step of the write is interrupted here as a
/// killed process would be (no clean-up runs); the next read finds a complete old or new folder, and the next save
/// leaves nothing beside it.</summary>
public sealed class InterruptedFolderWriteTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("ahwa-interrupted-write-").FullName;

    public void Dispose()
    {
        AtomicFile.ContinueAfter = null;
        Directory.Delete(directory, recursive: true);
    }

    static void WriteOne(string folder, string file) =>
        AtomicFile.WriteDirectory(folder, staging => File.WriteAllText(Path.Combine(staging, file), file));

    static string[] Files(string folder) => Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    string[] Entries() => Directory.GetFileSystemEntries(directory).Select(e => Path.GetFileName(e)!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Stops the write of <paramref name="folder"/> (only: other tests write folders too) after <paramref name="step"/>.</summary>
    static void KillAfter(string folder, string step) =>
        AtomicFile.ContinueAfter = (path, done) => !(path == Path.GetFullPath(folder) && done == step);

    [Theory]
    [InlineData("staged", "old.txt")]
    [InlineData("old moved aside", "new.txt")]
    [InlineData("new moved in", "new.txt")]
    [InlineData("before deleting old", "new.txt")]
    public void AReadAfterAnInterruptedWriteFindsACompleteFolder(string step, string expected)
    {
        var folder = Path.Combine(directory, "adapter");
        WriteOne(folder, "old.txt");
        KillAfter(folder, step);
        WriteOne(folder, "new.txt");
        AtomicFile.ContinueAfter = null;

        AtomicFile.RecoverDirectory(folder);
        Assert.Equal([expected], Files(folder));
        Assert.Equal(["adapter"], Entries());

        WriteOne(folder, "next.txt");
        Assert.Equal(["next.txt"], Files(folder));
        Assert.Equal(["adapter"], Entries());
    }

    [Theory]
    [InlineData("staged")]
    [InlineData("old moved aside")]
    [InlineData("new moved in")]
    [InlineData("before deleting old")]
    public void TheNextSaveAfterAnInterruptedWriteLeavesNoSiblings(string step)
    {
        var folder = Path.Combine(directory, "adapter");
        WriteOne(folder, "old.txt");
        KillAfter(folder, step);
        WriteOne(folder, "new.txt");
        AtomicFile.ContinueAfter = null;

        WriteOne(folder, "next.txt");
        Assert.Equal(["next.txt"], Files(folder));
        Assert.Equal(["adapter"], Entries());
    }

    [Fact]
    public void AFirstWriteInterruptedBeforeItsRenameIsFinishedByARead()
    {
        var folder = Path.Combine(directory, "adapter");
        KillAfter(folder, "staged");
        WriteOne(folder, "new.txt");
        AtomicFile.ContinueAfter = null;
        Assert.False(Directory.Exists(folder));

        AtomicFile.RecoverDirectories(directory);
        Assert.Equal(["new.txt"], Files(folder));
        Assert.Equal(["adapter"], Entries());
    }

    [Fact]
    public void AnAdapterSaveInterruptedBetweenItsRenamesLoads()
    {
        using var model = new TinyClassifier(seed: 1);
        var folder = Path.Combine(directory, "task");
        AdapterFiles.Save(model, folder);
        KillAfter(folder, "old moved aside");
        AdapterFiles.Save(model, folder);
        AtomicFile.ContinueAfter = null;
        Assert.False(Directory.Exists(folder));

        using var other = new TinyClassifier(seed: 2);
        AdapterFiles.LoadInto(other, folder);
        Assert.Equal(model.Hidden.LoraA!.weight!.detach().contiguous().data<float>().ToArray(),
            other.Hidden.LoraA!.weight!.detach().contiguous().data<float>().ToArray());
        Assert.Equal([AdapterFiles.ConfigFile, AdapterFiles.WeightsFile], Files(folder));
        Assert.Equal(["task"], Entries());
    }

    /// <summary>The siblings the previous version of the write left when killed between its renames (random names): the
    /// moved-aside folder is restored and the staging one removed.</summary>
    [Fact]
    public void SiblingsOfTheEarlierWriteAreRestoredByALoad()
    {
        using var model = new TinyClassifier(seed: 1);
        var folder = Path.Combine(directory, "task");
        AdapterFiles.Save(model, folder);
        var aside = Path.Combine(directory, ".task." + Guid.NewGuid().ToString("N") + ".old");
        var staging = Path.Combine(directory, ".task." + Guid.NewGuid().ToString("N") + ".tmp");
        Directory.Move(folder, aside);
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, AdapterFiles.ConfigFile), "{");

        var adapter = AdapterFiles.Load(folder);
        Assert.NotEmpty(adapter.Tensors);
        Assert.Equal(["task"], Entries());
    }
}
