using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;

namespace Ahwa.Lab.Deployment;

/// <summary>Writes files into a folder only where their bytes differ from what is there, so a build that changed
/// nothing leaves every file (and its time stamp) alone and incremental C builds stay incremental.</summary>
public static class ChangedFiles
{
    /// <summary>The files written (new or different); each written atomically.</summary>
    public static IReadOnlyList<string> Write(string folder, IEnumerable<(string Path, byte[] Bytes)> files)
    {
        var written = new List<string>();
        foreach (var (relative, bytes) in files)
        {
            if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Split('/', '\\').Contains(".."))
                throw new ArgumentException($"File path '{relative}' must be relative and stay inside '{folder}'.", nameof(files));
            var path = Path.Combine(folder, relative);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteBytes(path, bytes);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Every file under <paramref name="source"/>, into <paramref name="target"/> where it differs.</summary>
    public static IReadOnlyList<string> Copy(string source, string target) =>
        Write(target, Directory.GetFiles(source, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(source, f).Replace('\\', '/'), File.ReadAllBytes(f))).ToList());
}
