using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using Ahwa.Lab.CommandLine;
using Ahwa.Lab.Tasks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiniLmSentiment;

/// <summary>The job's options as Spectre.Console.Cli binds them. Numbers arrive as text and are read in
/// <see cref="TryBuild"/> (Lab's <see cref="OptionValues"/>), so a bad value gets the job's own message naming the option and the value (the library's
/// conversion error names neither).</summary>
public sealed class ExperimentSettings : OptionsSettings<ExperimentOptions>
{
    [CommandOption("--quick")]
    [Description("Small preset: fewer sentences, epochs, programmings and drift times")]
    public bool Quick { get; init; }

    [CommandOption("--smoke")]
    [Description("Smallest preset: checks that every phase runs in about a minute of training; its numbers are not results")]
    public bool Smoke { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder (default " + ExperimentOptions.DefaultOutput + ")")]
    public string? Output { get; init; }

    [CommandOption("--epochs <N>")]
    [PositiveIntOption("Training epochs (default by preset and task)", MaxEpochs)]
    public string? Epochs { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the data split, the programmings and the drift draws")]
    public string? Seed { get; init; }

    [CommandOption("--repetitions <N>")]
    [PositiveIntOption("Programmings of the meta-weights for the sentiment table (default by preset)", MaxRepetitions)]
    public string? Repetitions { get; init; }

    [CommandOption("--train-limit <N>")]
    [PositiveIntOption("At most N training items of each task (sentences, pairs or SQuAD questions), a seeded subset; default by preset", MaxItems)]
    public string? TrainLimit { get; init; }

    [CommandOption("--test-limit <N>")]
    [PositiveIntOption("At most N test items of each task, a seeded subset; default by preset (every dev item for GLUE and SQuAD)", MaxItems)]
    public string? TestLimit { get; init; }

    [CommandOption("--lr <X>")]
    [PositiveNumberOption("LoRA learning rate (default by preset and task)")]
    public string? LearningRate { get; init; }

    [CommandOption("--glue <DIR>")]
    [Description("A GLUE task's folder named as GLUE ships it (SST-2, CoLA, MRPC, ...): the same as --task NAME --data DIR")]
    public string? Glue { get; init; }

    [CommandOption("--task <NAME>")]
    [Description("Tasks, one report section each: " + Workloads.Sentiment + " (UCI sentences) and " + Workloads.SotuEra + " (era of a State of the Union passage), " +
                 "both by default (" + Workloads.Default + "); or one GLUE task (cola, sst-2, mrpc, qqp, sts-b, mnli, qnli, rte, wnli) or " + Workloads.Squad + " from --data")]
    public string? Task { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Folder of a GLUE task (train.tsv and its dev files) or of SQuAD v1.1 (" + Workloads.SquadTrain + ", " + Workloads.SquadDev + ") for --task")]
    public string? Data { get; init; }

    [CommandOption("--suite <NAME>")]
    [Description("Run a benchmark suite instead of one task: " + GlueSuite.Glue + " (every GLUE task folder under --data, one programming serving every task's adapter; " +
                 "writes suite.md and suite.json, keeps each finished task so a rerun resumes)")]
    public string? Suite { get; init; }

    [CommandOption("--no-deploy")]
    [Description("Skip deployment (kernels, cross-check, pipeline report)")]
    public bool NoDeploy { get; init; }

    [CommandOption("--study <NAME>")]
    [Description("Instead of the main job, a diagnostic of the training recipe on the task: " + Studies.StudyJob.LayerErrorsStudy +
                 " (each layer's output error under the training-time noise and on the chip) or " + Studies.StudyJob.LearningCurvesStudy +
                 " (digital LoRA and AHWA-LoRA evaluated along their training); writes study-NAME.md, .json and a plot to --out")]
    public string? Study { get; init; }

    [CommandOption("--chip <KNOBS>")]
    [Description("Change chip knobs for this run: Name=Value pairs joined by commas (Name one of WeightNoise, OutputNoise, WeightClipSigma, DacBits, AdcBits, " +
                 "OutputBound, BoundManagementLimit, GMaxMicroSiemens): training noise and programmed tiles both use the changed chip")]
    public string? Chip { get; init; }

    [CommandOption("--export-pytorch <DIR>")]
    [Description("Write the model's PyTorch export (generated module, weights, tokenised data, launch.sh) to DIR instead of running")]
    public string? ExportPyTorch { get; init; }

    /// <summary>Upper bounds: beyond them a run takes days (a programming costs a full drift sweep, an epoch a pass over
    /// the training set), so a typo such as <c>--repetitions 1000000</c> is refused, not started.</summary>
    public const int MaxEpochs = 1000, MaxRepetitions = 1000;

    /// <summary>Far above any task's item count (QNLI's 104,743 training pairs are the most): a limit this large takes
    /// every item, so a larger value is a typo, refused as the other bounds refuse theirs.</summary>
    public const int MaxItems = 100_000_000;

    public override string? TryBuild(out ExperimentOptions options)
    {
        var preset = Smoke ? ExperimentOptions.Smoke() : Quick ? ExperimentOptions.Quick() : ExperimentOptions.Default();
        options = preset;
        if (Smoke && Quick) return "--smoke and --quick are both presets; give one.";
        if (OptionValues.BlankPath("--data", Data) is string blankData) return blankData;
        if (Studies.StudyJob.Problem(Study) is string studyProblem) return studyProblem;
        if (Chip is not null && Ahwa.Hardware.ChipKnobs.Problem(MiniLm.Spec.Chip, Chip) is string chipProblem) return "--chip: " + chipProblem;
        if (Suite is not null && (Task is not null || Glue is not null || Study is not null || ExportPyTorch is not null))
            return "--suite runs every task of --data; give it without --task, --glue, --study or --export-pytorch.";
        if (Study is not null && ExportPyTorch is not null) return "--study and --export-pytorch each replace the main job; give one.";
        if (Task is not null && Glue is not null) return "--task and --glue both choose the main task; give one.";
        if (Glue is not null && Data is not null) return "--glue and --data both choose the main task's data; give one.";
        if (GlueFolderTask(out string? taskOption, out string? dataFolder) is string glueProblem) return glueProblem;
        if (taskOption is not null && Workloads.Problem(taskOption, dataFolder) is string taskProblem) return taskProblem;
        if (Suite is not null)
        {
            if (GlueSuite.Problem(Suite, Data) is string suiteProblem) return suiteProblem;
            // The suite's budget (ExperimentOptions.ForSuite); an option given on the command line still wins.
            preset = preset.ForSuite(Suite);
        }
        else if (taskOption is null && dataFolder is not null) return "--data needs --task naming the GLUE task or squad it holds, or --suite glue.";
        string task = Suite is not null || taskOption is null ? preset.Task : string.Join(",", Workloads.Split(taskOption).Select(Workloads.Canonical));
        // GLUE and SQuAD take the paper's recipe; an option given on the command line still wins.
        if (Suite is null && Workloads.IsFromData(task)) preset = preset.ForDataTask(task);
        if ((OptionValues.BlankPath("--out", Output) ?? OptionValues.BlankPath("--export-pytorch", ExportPyTorch)) is string blank) return blank;
        if (OptionValues.OutputFolder("--out", Output ?? preset.Output) is string outputProblem) return outputProblem;
        if (OptionValues.Read(this, nameof(Epochs), preset.Epochs, out int epochs) is string epochsProblem) return epochsProblem;
        if (OptionValues.Read(this, nameof(Repetitions), preset.Repetitions, out int repetitions) is string repetitionsProblem) return repetitionsProblem;
        if (OptionValues.Read(this, nameof(Seed), preset.Seed, out ulong seed) is string seedProblem) return seedProblem;
        if (OptionValues.Read(this, nameof(TrainLimit), preset.TrainLimit, out int trainLimit) is string trainProblem) return trainProblem;
        if (OptionValues.Read(this, nameof(TestLimit), preset.TestLimit, out int testLimit) is string testProblem) return testProblem;
        if (OptionValues.Read(this, nameof(LearningRate), preset.LoraLearningRate, out double lr) is string lrProblem) return lrProblem;
        options = preset with
        {
            Output = Output ?? preset.Output,
            Epochs = epochs,
            Repetitions = repetitions,
            TrainLimit = trainLimit,
            TestLimit = testLimit,
            Seed = seed,
            LoraLearningRate = lr,
            PyTorchExport = ExportPyTorch,
            Task = task,
            DataFolder = dataFolder,
            Deploy = !NoDeploy,
            Study = Study,
            ChipKnobs = Chip,
        };
        if (options.PyTorchExport is not null) return null;
        // An output folder that is someone else's, or phases kept with other options, are refused before any work.
        return RunFolder.Problem(options.Output) ?? Phases.Problem(options.Output, options);
    }

    /// <summary><c>--glue DIR</c> as the <c>--task NAME --data DIR</c> it stands for, NAME from the folder's name; else
    /// <c>--task</c> and <c>--data</c> as given. Both read the task's files with the one GLUE reader (GlueTask).</summary>
    string? GlueFolderTask(out string? task, out string? data)
    {
        (task, data) = (Task, Data);
        if (Glue is null) return null;
        if (OptionValues.BlankPath("--glue", Glue) is string blank) return blank;
        if (!System.IO.Directory.Exists(Glue)) return $"--glue folder '{Glue}' does not exist.";
        string name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(Glue)));
        if (!Workloads.IsGlue(name))
            return $"--glue folder '{Glue}' is not named after a GLUE task ({string.Join(", ", GlueTask.All.Select(t => t.Name))}): rename it, or give --task NAME --data DIR.";
        if (Workloads.MissingFile(name, Glue) is string absent) return $"--glue folder '{Glue}' has no {absent}.";
        (task, data) = (name, Glue);
        return null;
    }
}

/// <summary>What the command line asked for: options to run with, help already shown (neither set, exit 0), or an
/// error message (exit 2).</summary>
public sealed record CommandLineResult(ExperimentOptions? Options, string? Error)
{
    public int ExitCode => Error is null ? ExitCodes.Done : ExitCodes.BadCommandLine;
}

/// <summary>Reads the command line without running anything (Lab's shared reader), so tests can check options and
/// messages directly.</summary>
public static class ExperimentCommandLine
{
    public const string ApplicationName = "MiniLmSentiment";

    /// <param name="console">Where help goes (the terminal unless a test captures it).</param>
    public static CommandLineResult Parse(IReadOnlyList<string> args, IAnsiConsole? console = null)
    {
        var parsed = SettingsReader.Read<ExperimentSettings, ExperimentOptions>(args, ApplicationName,
            "all-MiniLM-L6-v2 adapted to simulated PCM tiles with AHWA-LoRA, evaluated under drift, and deployed. " + ExitCodes.Summary +
            " A run fails (1) on a missing model package or unreadable data; a bad command line (2) includes an --out folder holding files this job " +
            "did not write and phases kept there with other options; Ctrl-C (130) keeps the finished phases.", console);
        return new(parsed.Options, parsed.Error);
    }
}
