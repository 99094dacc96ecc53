using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Ahwa.Hardware;
using Ahwa.Lab.Formats;

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
            AtomicFile.WriteText(path, artifact.Text);
            written.Add(path);
        }
        return written;
    }
}
