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
try
{
    if (options.PyTorchExport is { } exportFolder) PyTorchExportJob.Run(options, exportFolder);
    else Experiment.Run(options);
    return 0;
}
catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException)
{
    // Missing model package, unreadable data: say what and where, without a stack trace.
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
    return 1;
}
