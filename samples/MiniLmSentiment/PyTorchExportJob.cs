using System.IO;
using Ahwa.Lab.Export;
using Ahwa.Lab.Import;
using Spectre.Console;

namespace MiniLmSentiment;

/// <summary>`--export-pytorch DIR`: the pretrained MiniLM, its PyTorch translation and the tokenised sentiment task,
/// written for training under torchrun instead of in this process (README, "Scaling out").</summary>
public static class PyTorchExportJob
{
    public static PyTorchExportResult Run(ExperimentOptions o, string directory)
    {
        var pretrained = Pretrained.Load();
        var workload = Workloads.Load(o, pretrained.Tokenizer());
        var data = workload.Data;
        var sentiment = workload.Main as SentenceTask
            ?? throw new InvalidDataException($"--export-pytorch writes single-sentence tasks; '{workload.Main.Name}' is {workload.Main.Items}.");
        using var model = new MiniLm((long)o.Seed);
        BertCheckpoint.LoadInto(model, BertCheckpoint.FromOnnx(pretrained.Onnx()), pretrained.Source);
        var (trainIds, trainMask, trainLabels) = sentiment.All(training: true);
        var (testIds, testMask, testLabels) = sentiment.All(training: false);
        var shards = new[]
        {
            new TokenShard("train", trainIds, trainMask, trainLabels),
            new TokenShard("test", testIds, testMask, testLabels),
        };
        var result = PyTorchExport.Write(model, MiniLm.PyTorch, directory, shards,
            new PyTorchExportOptions(Entry: nameof(MiniLm.Classify), Seed: (int)o.Seed, Epochs: o.Epochs,
                BatchSize: 32, LearningRate: o.LoraLearningRate));
        AnsiConsole.MarkupLine($"PyTorch export of {nameof(MiniLm)} ({Markup.Escape(data)}: {sentiment.Examples} training and {sentiment.TestCount} test sentences) " +
                               $"written to {Markup.Escape(result.Directory)}: {result.Files.Count} files. Train with: {Markup.Escape(Path.Combine(result.Directory, PyTorchExport.LaunchFile))} train 2");
        return result;
    }
}
