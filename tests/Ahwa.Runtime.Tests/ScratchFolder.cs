using System;
using System.Globalization;
using System.IO;

namespace Ahwa.Runtime.Tests;

/// <summary>A test process's scratch folder under the temp folder, removed when the process exits: exports and
/// their checkpoints take about 100 MB a run, and left behind they filled /tmp run after run.</summary>
sealed class ScratchFolder
{
    readonly string root;

    public ScratchFolder(string name)
    {
        root = Path.Combine(Path.GetTempPath(), name, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
            catch (IOException) { } // a file still open at exit stays; the next run of this process id replaces it
        };
    }

    /// <summary>A new, empty folder for one test, named after <paramref name="name"/>.</summary>
    public string Create(string name)
    {
        var path = Path.Combine(root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }
}
