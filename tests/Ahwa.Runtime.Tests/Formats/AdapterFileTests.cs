using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using Ahwa.Lab.Formats;
using Ahwa.Runtime.Tests.Training;

namespace Ahwa.Runtime.Tests.Formats;

/// <summary>Issue 18, findings 12 and 14: adapter_config.json is checked against the model; saves are one unit and
/// leave no temporary files.</summary>
public sealed class AdapterFileTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("ahwa-adapter-config-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("r", "2", "r is 2 but model 'TinyClassifier' has 4")]
    [InlineData("lora_alpha", "16", "lora_alpha is 16 but model 'TinyClassifier' has 8")]
    [InlineData("base_model_name_or_path", "\"OtherModel\"", "base_model_name_or_path is OtherModel but model 'TinyClassifier' has TinyClassifier")]
    [InlineData("target_modules", "[\"encoder.dense\"]", "target_modules is [encoder.dense] but model 'TinyClassifier' has [encoder.dense, encoder.output]")]
    [InlineData("alpha_pattern", "{\"encoder.dense\": 4}", "alpha_pattern is {encoder.dense: 4} but model 'TinyClassifier' has {}")]
    public void ConfigMismatchIsAnErrorNamingBothValues(string field, string value, string expected)
    {
        using var model = new TinyClassifier(seed: 1);
        var adapter = Path.Combine(directory, "task");
        AdapterFiles.Save(model, adapter);
        var configPath = Path.Combine(adapter, AdapterFiles.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config[field] = JsonNode.Parse(value);
        File.WriteAllText(configPath, config.ToJsonString());

        using var other = new TinyClassifier(seed: 2);
        var before = other.Hidden.LoraA!.weight!.detach().contiguous().data<float>().ToArray();
        var error = Assert.Throws<InvalidDataException>(() => AdapterFiles.LoadInto(other, adapter));
        Assert.Contains(expected, error.Message);
        Assert.Contains(AdapterFiles.ConfigFile, error.Message);
        Assert.Equal(before, other.Hidden.LoraA!.weight!.detach().contiguous().data<float>().ToArray());
    }

    [Fact]
    public void SaveReplacesTheFolderAsOneUnitAndLeavesNoTemporaries()
    {
        using var model = new TinyClassifier(seed: 1);
        var adapter = Path.Combine(directory, "task");
        AdapterFiles.Save(model, adapter);
        File.WriteAllText(Path.Combine(adapter, "stale.txt"), "from an older save");
        AdapterFiles.Save(model, adapter);
        Assert.Equal(new[] { AdapterFiles.ConfigFile, AdapterFiles.WeightsFile }, Directory.GetFiles(adapter).Select(Path.GetFileName).Order());
        Assert.Equal(new[] { "task" }, Directory.GetFileSystemEntries(directory).Select(Path.GetFileName));
        using var other = new TinyClassifier(seed: 2);
        AdapterFiles.LoadInto(other, adapter);
    }

    [Fact]
    public void FailedWritesRemoveTheirTemporaries()
    {
        var target = Path.Combine(directory, "file.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(target, temporary =>
        {
            File.WriteAllBytes(temporary, new byte[100]);
            throw new IOException("No space left on device");
        }));
        var folder = Path.Combine(directory, "folder");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "old.txt"), "old");
        Assert.Throws<IOException>(() => AtomicFile.WriteDirectory(folder, staging =>
        {
            File.WriteAllText(Path.Combine(staging, "new.txt"), "half");
            throw new IOException("No space left on device");
        }));
        Assert.Equal(new[] { "folder" }, Directory.GetFileSystemEntries(directory).Select(Path.GetFileName));
        Assert.Equal(new[] { "old.txt" }, Directory.GetFiles(folder).Select(Path.GetFileName));
    }
}
