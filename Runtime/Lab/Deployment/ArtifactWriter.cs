using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Hardware;

namespace Ahwa.Lab.Deployment;

/// <summary>Writes a model's generated deployment files (kernels, cluster runtime, test bench, tile map, Makefile,
/// manifest) to a folder. Each file is written to a temporary name and moved into place, so a failed write
/// never leaves a truncated file.</summary>
public static class ArtifactWriter
{
    public static IReadOnlyList<string> Write(IReadOnlyList<Artifact> artifacts, string directory)
    {
        if (artifacts is null) throw new ArgumentNullException(nameof(artifacts));
        if (artifacts.Count == 0) throw new ArgumentException("There are no artifacts to write.", nameof(artifacts));
        foreach (var artifact in artifacts)
            if (artifact.Path.Length == 0 || Path.IsPathRooted(artifact.Path) || artifact.Path.Contains("..", StringComparison.Ordinal))
                throw new ArgumentException($"Artifact path '{artifact.Path}' must be relative and stay inside the folder.", nameof(artifacts));
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var artifact in artifacts)
        {
            var path = Path.Combine(directory, artifact.Path);
            WriteAtomically(path, artifact.Text);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void WriteAtomically(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllText(temporary, text, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
