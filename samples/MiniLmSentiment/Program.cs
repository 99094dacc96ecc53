using System;
using System.IO;
using MiniLmSentiment;
using Spectre.Console;

// The main job: all-MiniLM-L6-v2 adapted to simulated PCM tiles with AHWA-LoRA, evaluated under drift, deployed.
var parsed = ExperimentCommandLine.Parse(args);
if (parsed.Error is not null) Console.Error.WriteLine(parsed.Error);
if (parsed.Options is not { } options) return parsed.ExitCode; // an error, or help was asked for and shown
// Redirected output (CI, logs) gets wide tables instead of the 80-column default.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
// The first Ctrl-C cancels: training and evaluation check it at every step and batch, so the run ends within a
// second or two with exit code 130; a second Ctrl-C ends the process at once.
using var cancel = new System.Threading.CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    if (options.PyTorchExport is { } exportFolder) PyTorchExportJob.Run(options, exportFolder);
    else if (options.Suite is not null) GlueSuite.Run(options, cancel.Token);
    else if (options.Study is not null) MiniLmSentiment.Studies.StudyJob.Run(options, cancel.Token);
    else Experiment.Run(options, cancel.Token);
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled; finished adapters are kept in the output folder.");
    return 130;
}
catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException)
{
    // Missing model package, unreadable data: say what and where, without a stack trace.
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
    return 1;
}
