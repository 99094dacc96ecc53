namespace Ahwa.Lab.CommandLine;

/// <summary>The exit codes of every Ahwa program (the <c>ahwa</c> command, the main job, the samples).</summary>
public static class ExitCodes
{
    public const int Done = 0;

    /// <summary>The run failed: a missing or unreadable file, a model that cannot do what was asked.</summary>
    public const int Failed = 1;

    /// <summary>A bad command line: unknown option, bad value, missing argument; nothing ran.</summary>
    public const int BadCommandLine = 2;

    /// <summary>Cancelled with Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    public const string Summary = "Exit codes: 0 done, 1 the run failed, 2 bad command line, 130 cancelled.";
}
