using System;
using System.IO;
using System.Linq;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;

namespace Ahwa.Lab.CommandLine;

/// <summary>The benchmark tasks <c>--task NAME --data DIR --tokenizer FILE</c> reads: a GLUE task or SQuAD v1.1 from
/// its folder, tokenised with the model's tokenizer.json, for any model that implements <see cref="IEncoderModel"/>.
/// Every miss names the option and the value.</summary>
static class DataTasks
{
    const string Squad = "squad";

    public static string Names => string.Join(", ", GlueTask.All.Select(t => t.Name.ToLowerInvariant()).Append(Squad));

    public static bool IsKnown(string name) => IsSquad(name) || GlueTask.Find(name) is not null;

    static bool IsSquad(string name) => string.Equals(name, Squad, StringComparison.OrdinalIgnoreCase);

    public static IModelTask Load(RegisteredModel model, string name, string folder, string tokenizerFile, int maxTokens)
    {
        if (!typeof(IEncoderModel).IsAssignableFrom(model.Type))
            throw new CommandLineException($"--task '{name}' with --data needs a model that implements {nameof(IEncoderModel)}; model '{model.Name}' does not.");
        var glue = GlueTask.Find(name);
        var files = glue?.Files.ToArray() ?? [SquadTask.TrainFile, SquadTask.DevFile];
        if (files.FirstOrDefault(f => !File.Exists(Path.Combine(folder, f))) is string missing)
            throw new CommandLineException($"--data folder '{folder}' has no {missing}; {glue?.Name ?? "SQuAD"} needs {string.Join(", ", files)}.");
        using var tokenizer = Tokenizer(tokenizerFile);
        try
        {
            return glue is not null
                ? PairTask.Load(glue, folder, tokenizer, maxTokens)
                : SquadTask.Load(folder, tokenizer, SquadOptions.ForLength(maxTokens));
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException)
        {
            throw new CommandLineException($"--data '{folder}': {error.Message}");
        }
    }

    /// <summary>A task that reads more head outputs than the model has is refused before training.</summary>
    public static void CheckHead(IModelTask task, RegisteredModel registered, AhwaModel model)
    {
        int? needed = task switch { PairTask pairs => pairs.HeadOutputs, SquadTask => SquadTask.HeadOutputs, _ => null };
        if (needed is null) return; // the user's own task: its model is its own business
        try
        {
            EncoderTasks.Model(model, task.Name, needed.Value); // the tasks' own check, before any training
        }
        catch (ArgumentException error)
        {
            throw new CommandLineException($"--task '{task.Name}' on model '{registered.Name}': {error.Message}");
        }
    }

    static HuggingFaceTokenizer Tokenizer(string file)
    {
        HuggingFaceTokenizer tokenizer;
        try
        {
            tokenizer = HuggingFaceTokenizer.Load(file);
        }
        catch (Exception error) when (error is InvalidDataException or FileNotFoundException)
        {
            throw new CommandLineException($"--tokenizer '{file}': {error.Message}");
        }
        if (tokenizer.SentenceTokens is null)
        {
            tokenizer.Dispose();
            throw new CommandLineException($"--tokenizer '{file}' declares none of the special token pairs {HuggingFaceTokenizer.SentenceTokenNames}, which the tasks' input needs.");
        }
        return tokenizer;
    }
}
