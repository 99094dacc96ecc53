using System;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;

namespace MiniLmSentiment;

/// <summary>
/// The main job's claim on its <c>--out</c> folder: a marker file written when a run takes the folder. A run uses a
/// new or empty folder, or one an earlier run of this job wrote (the marker, or kept phases from before the marker
/// existed); any other folder holds someone else's files and is refused, so a run never overwrites or removes them.
/// A run removes nothing: its report and results replace the earlier run's atomically when they are complete.
/// </summary>
public static class RunFolder
{
    public const string Marker = ".ahwa-main-job";

    /// <summary>Why <paramref name="output"/> is not this job's to write, or null.</summary>
    public static string? Problem(string output)
    {
        if (!Directory.Exists(output) || IsOurs(output)) return null;
        var entries = Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (entries.Count == 0) return null;
        string shown = string.Join(", ", entries.Take(3).Select(e => $"'{e}'")) + (entries.Count > 3 ? $" and {entries.Count - 3} more" : "");
        return $"--out folder '{output}' holds files this job did not write ({shown}); give a new or empty folder, or the folder of an earlier run of this job.";
    }

    /// <summary>Creates the folder if needed and marks it as this job's.</summary>
    public static void Claim(string output)
    {
        if (Problem(output) is string problem) throw new IOException(problem);
        Directory.CreateDirectory(output);
        var marker = Path.Combine(output, Marker);
        if (!File.Exists(marker))
            AtomicFile.WriteText(marker, "This folder holds the output of the Ahwa main job (samples/MiniLmSentiment); reruns may replace its files.\n");
    }

    static bool IsOurs(string output) =>
        File.Exists(Path.Combine(output, Marker))
        || (Directory.Exists(Path.Combine(output, Phases.Folder))
            && Directory.EnumerateFiles(Path.Combine(output, Phases.Folder), Phases.ManifestFile, SearchOption.AllDirectories).Any());
}
