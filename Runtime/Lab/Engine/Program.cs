using System;
using System.Reflection;

namespace Ahwa.Lab.Engine;

/// <summary>Runs Lab's command line (<c>Ahwa.Lab.CommandLine.AhwaCli.RunConsole</c>) from the user's build output. Lab is
/// found by name, through the user's deps file, rather than referenced: the engine then references nothing Lab's
/// package would have to depend on, and ships inside it.</summary>
static class Program
{
    public const string CommandLine = "Ahwa.Lab.CommandLine.AhwaCli, Ahwa.Lab";

    static int Main(string[] args)
    {
        var run = Type.GetType(CommandLine, throwOnError: false)?.GetMethod("RunConsole", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string[]) });
        if (run is null)
        {
            Console.Error.WriteLine($"error: the engine found no {CommandLine} (RunConsole): run it with the deps file of a project that references the Ahwa.Lab package.");
            return 1;
        }
        try
        {
            return (int)run.Invoke(null, new object[] { args })!;
        }
        catch (TargetInvocationException error) when (error.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error.InnerException).Throw();
            throw;
        }
    }
}
