using System;
using System.Threading;

namespace Ahwa.Lab.CommandLine;

/// <summary>Lab's entry point: the <c>ahwa</c> launcher and the build run it with the user's own dependency file
/// (<c>dotnet exec --depsfile USER.deps.json Ahwa.Lab.dll ...</c>), so the user's copies of the runtime, TorchSharp
/// and the native libraries are the ones that load.</summary>
static class Program
{
    static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 200; // logs: tables on one line
        return AhwaCli.Run(args, cancellation: cancel.Token);
    }
}
