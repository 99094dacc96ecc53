using System.IO;
using Ahwa.Lab.CommandLine;
using Spectre.Console;

namespace Ahwa.Runtime.Tests;

/// <summary>The <c>ahwa</c> command in process, with its console (no colours, wide, not interactive), standard output
/// and standard error captured; shared by the command tests of both test projects.</summary>
static class CommandLineRun
{
    public sealed record Outcome(int Code, string Console, string Output, string Error);

    public static Outcome Run(params string[] args)
    {
        var console = new StringWriter();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(console) });
        ansi.Profile.Width = 250;
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AhwaCli.Run(args, console: ansi, output: output, error: error);
        return new Outcome(code, console.ToString(), output.ToString(), error.ToString());
    }
}
