using System;
using System.IO;
using MiniLmSentiment;
using Spectre.Console;

// The main job: all-MiniLM-L6-v2 adapted to simulated PCM tiles with AHWA-LoRA, evaluated under drift, deployed.
ExperimentOptions options;
try
{
    options = ExperimentOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}
// Redirected output (CI, logs) gets wide tables instead of the 80-column default.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
try
{
    Experiment.Run(options);
    return 0;
}
catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or InvalidDataException or IOException)
{
    // Missing model package, unreadable data: say what and where, without a stack trace.
    AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
    return 1;
}
