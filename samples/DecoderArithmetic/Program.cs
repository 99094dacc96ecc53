using System;
using System.IO;
using DecoderArithmetic;

// The offline decoder demonstration: TinyLlama on generated arithmetic, digital, on the analog chip, and recovered by
// AHWA-LoRA instruction tuning and GRPO. Ctrl-C ends it at once; the pretraining cache is written atomically.
var parsed = DemoOptions.Parse(args);
if (parsed.Error is not null) Console.Error.WriteLine(parsed.Error);
if (parsed.Options is not { } options) return parsed.ExitCode; // an error, or help was asked for and shown
TorchSharp.torch.set_num_threads(options.Threads);
try
{
    var results = Demo.Run(options, line => Console.WriteLine(line));
    string path = Report.Write(results);
    foreach (var line in Report.Table(results)) Console.WriteLine(line);
    Console.WriteLine($"Report: {path}; run time {Report.Number(results.Seconds / 60, "0.0")} min.");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
