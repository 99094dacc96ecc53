using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Ahwa.Lab.CommandLine;

// The ahwa launcher. A command on a model runs Lab's engine (Ahwa.Lab.Engine) from the user's build output with the user's deps file, as
// `dotnet ef` does: the runtime, TorchSharp and the (patched) native libraries are those the project built with.
// Help, scaffold and command-line errors need no project and run in this process.
string[] projectCommands = ["models", "inspect", "train", "evaluate", "deploy", "report", "export"];
bool wantsHelp = args.Any(a => a is "-h" or "--help" or "-?" or "--version" or "-v");
if (args.Length == 0 || wantsHelp || !projectCommands.Contains(args[0]) || Engine(args) is not { } engine)
    return AhwaCli.Run(args);

var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
foreach (var arg in new[] { "exec", "--depsfile", engine.Deps, "--runtimeconfig", engine.RuntimeConfig, engine.Entry }) start.ArgumentList.Add(arg);
foreach (var arg in args) start.ArgumentList.Add(arg);
if (!args.Contains("--assembly"))
{
    start.ArgumentList.Add("--assembly");
    start.ArgumentList.Add(engine.Assembly);
}
// Ctrl-C reaches the child too (same process group); it cancels and exits 130, which is passed on.
Console.CancelKeyPress += (_, e) => e.Cancel = true;
using var child = Process.Start(start)!;
child.WaitForExit();
return child.ExitCode;

// The user's assembly (from --assembly or the project in this folder) and Lab's engine beside it; null when there is none
// (Lab in this process then reports why, naming the argument).
static (string Assembly, string Deps, string RuntimeConfig, string Entry)? Engine(IReadOnlyList<string> args)
{
    int at = args.ToList().IndexOf("--assembly");
    string? assembly = at >= 0 && at + 1 < args.Count ? args[at + 1] : ProjectLocator.FindAssembly(Directory.GetCurrentDirectory(), out _);
    if (assembly is null || !File.Exists(assembly)) return null;
    assembly = Path.GetFullPath(assembly);
    string folder = Path.GetDirectoryName(assembly)!, name = Path.GetFileNameWithoutExtension(assembly);
    var engine = (assembly, Path.Combine(folder, name + ".deps.json"), Path.Combine(folder, name + ".runtimeconfig.json"), Path.Combine(folder, "Ahwa.Lab.Engine.dll"));
    return File.Exists(engine.Item2) && File.Exists(engine.Item3) && File.Exists(engine.Item4) ? engine : null;
}

static string DotnetHost() =>
    Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
    : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
