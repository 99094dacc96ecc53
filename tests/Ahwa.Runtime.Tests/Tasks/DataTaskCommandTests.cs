using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.CommandLine;
using Ahwa.Lab.Formats;
using Ahwa.Runtime.Tests.Decoding;
using static Ahwa.Runtime.Tests.CommandLineRun;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary><c>ahwa train</c> and <c>ahwa evaluate</c> with <c>--task NAME --data DIR --tokenizer FILE</c>: a GLUE
/// task read from 16 real rows of its files and the test tokenizer.json, on a model of this assembly that implements
/// the encoder interface; each refusal names the option and the value.</summary>
public sealed class DataTaskCommandTests : IDisposable
{
    static readonly string Assembly = typeof(TinyTextEncoder).Assembly.Location;
    readonly string folder = Directory.CreateTempSubdirectory("ahwa-data-task-").FullName;
    readonly string rte, tokenizer;

    public DataTaskCommandTests()
    {
        rte = Directory.CreateDirectory(Path.Combine(folder, "RTE")).FullName;
        foreach (var file in new[] { "train.tsv", "dev.tsv" })
            File.WriteAllLines(Path.Combine(rte, file), File.ReadLines(SharedData.Glue("RTE", file)).Take(1 + 16));
        tokenizer = Path.Combine(folder, "tokenizer.json");
        TokenizerTests.Write(tokenizer, ["<|begin_of_text|>", "<|end_of_text|>"]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void TrainsAGlueTaskFromItsFolderAndEvaluatesTheAdapter()
    {
        string output = Path.Combine(folder, "out");
        var train = Run("train", nameof(TinyTextEncoder), "--assembly", Assembly, "--task", "rte", "--data", rte, "--tokenizer", tokenizer,
            "--steps", "2", "--batch", "4", "--out", output, "--json");
        Assert.True(train.Code == 0, train.Console);
        using var result = JsonDocument.Parse(train.Output);
        Assert.Equal("RTE", result.RootElement.GetProperty("task").GetString());
        Assert.Equal(2, result.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal("accuracy", result.RootElement.GetProperty("metric").GetString());
        Assert.InRange(result.RootElement.GetProperty("value").GetDouble(), 0, 1);
        Assert.True(File.Exists(Path.Combine(output, "adapter", AdapterFiles.WeightsFile)), "no adapter weights");

        var evaluate = Run("evaluate", nameof(TinyTextEncoder), "--assembly", Assembly, "--task", "rte", "--data", rte, "--tokenizer", tokenizer,
            "--adapter", Path.Combine(output, "adapter"), "--quick", "--repetitions", "1", "--out", output);
        Assert.True(evaluate.Code == 0, evaluate.Console);
        Assert.Contains("accuracy of TinyTextEncoder", evaluate.Console, StringComparison.Ordinal);
    }

    /// <summary>DATA, COLA, TOKENIZER and LLAMA stand for the RTE folder, a CoLA folder without its dev file, the
    /// tokenizer with sentence tokens and one without them.</summary>
    [Theory]
    [InlineData("--task 'TinyTask' is not a GLUE task or squad, which --data reads; known: cola, sst-2,", "TinyTextEncoder", "--task", "TinyTask", "--data", "DATA", "--tokenizer", "TOKENIZER")]
    [InlineData("--task 'rte' with --data needs a model that implements IEncoderModel; model 'TinyClassifier' does not.", "TinyClassifier", "--task", "rte", "--data", "DATA", "--tokenizer", "TOKENIZER")]
    [InlineData("--data folder 'COLA' has no dev.tsv; CoLA needs train.tsv, dev.tsv.", "TinyTextEncoder", "--task", "cola", "--data", "COLA", "--tokenizer", "TOKENIZER")]
    [InlineData("--data folder '/no/such/glue' does not exist.", "TinyTextEncoder", "--task", "rte", "--data", "/no/such/glue", "--tokenizer", "TOKENIZER")]
    [InlineData("--tokenizer file '/no/tokenizer.json' does not exist.", "TinyTextEncoder", "--task", "rte", "--data", "DATA", "--tokenizer", "/no/tokenizer.json")]
    [InlineData("--tokenizer 'LLAMA' declares none of the special token pairs [CLS] and [SEP], <s> and </s>", "TinyTextEncoder", "--task", "rte", "--data", "DATA", "--tokenizer", "LLAMA")]
    [InlineData("--data 'DATA' needs --tokenizer FILE (the model's tokenizer.json).", "TinyTextEncoder", "--task", "rte", "--data", "DATA")]
    [InlineData("--data 'DATA' needs --task NAME, a GLUE task or squad", "TinyTextEncoder", "--data", "DATA", "--tokenizer", "TOKENIZER")]
    [InlineData("--tokenizer 'TOKENIZER' is read only with --data.", "TinyTextEncoder", "--task", "rte", "--tokenizer", "TOKENIZER")]
    [InlineData("--max-tokens must be a positive integer, got '0'.", "TinyTextEncoder", "--task", "rte", "--data", "DATA", "--tokenizer", "TOKENIZER", "--max-tokens", "0")]
    public void RefusalsNameTheOptionAndTheValue(string expected, string model, params string[] args)
    {
        string cola = Directory.CreateDirectory(Path.Combine(folder, "CoLA")).FullName;
        File.Copy(Path.Combine(rte, "train.tsv"), Path.Combine(cola, "train.tsv"));
        string llama = Path.Combine(folder, "llama.json");
        TokenizerTests.Write(llama);
        string Fill(string text) => text.Replace("DATA", rte, StringComparison.Ordinal).Replace("COLA", cola, StringComparison.Ordinal)
            .Replace("TOKENIZER", tokenizer, StringComparison.Ordinal).Replace("LLAMA", llama, StringComparison.Ordinal);
        foreach (var command in new[] { "train", "evaluate" })
        {
            var result = Run([command, model, "--assembly", Assembly, .. args.Select(Fill)]);
            Assert.True(result.Code == ExitCodes.BadCommandLine, $"{command}: exit {result.Code}: {result.Console}{result.Error}");
            Assert.Contains(Fill(expected), result.Error, StringComparison.Ordinal);
        }
    }
}
