using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Ahwa.Lab.Tools;

/// <summary>The Python that runs the PyTorch target here: Debian's /usr/bin/python3 with python3-torch, or the one
/// AHWA_PYTHON names.</summary>
public static class PythonRuntime
{
    public static string Interpreter => Environment.GetEnvironmentVariable("AHWA_PYTHON") is { Length: > 0 } chosen ? chosen : "/usr/bin/python3";

    /// <summary>Runs <c>python3 ARGS</c> in <paramref name="directory"/> with <paramref name="pythonPath"/> first on
    /// PYTHONPATH and one BLAS thread; a missing interpreter is an error naming what to install.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IEnumerable<string> arguments, string directory, IEnumerable<string> pythonPath, TimeSpan timeout)
    {
        if (!File.Exists(Interpreter))
            throw new FileNotFoundException($"Python not found at '{Interpreter}': install python3, python3-torch and python3-numpy (apt-get) or set AHWA_PYTHON.", Interpreter);
        var start = new ProcessStartInfo(Interpreter) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var existing = Environment.GetEnvironmentVariable("PYTHONPATH");
        var paths = new List<string>(pythonPath);
        if (!string.IsNullOrEmpty(existing)) paths.Add(existing);
        start.Environment["PYTHONPATH"] = string.Join(Path.PathSeparator, paths);
        start.Environment["OMP_NUM_THREADS"] = "1";
        return Processes.Run(start, timeout);
    }
}
