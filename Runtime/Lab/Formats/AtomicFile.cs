using System;
using System.IO;
using System.Text;

namespace Ahwa.Lab.Formats;

/// <summary>
/// The one way Ahwa writes an output file: to a temporary file in the same folder (so the rename stays on one
/// volume and is atomic), then renamed over the target. A failed or cancelled write never leaves a truncated
/// target, and the temporary file is removed on any failure.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text without a byte-order mark.</summary>
    public static void WriteText(string path, string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        Write(path, temporary => File.WriteAllText(temporary, text, new UTF8Encoding(false)));
    }

    public static void WriteBytes(string path, byte[] bytes)
    {
        if (bytes is null) throw new ArgumentNullException(nameof(bytes));
        Write(path, temporary => File.WriteAllBytes(temporary, bytes));
    }

    /// <summary>Lets <paramref name="writeTo"/> write the temporary file (for writers that only take a path, such
    /// as plotting libraries); the temporary name keeps the target's extension for writers that look at it.</summary>
    public static void Write(string path, Action<string> writeTo)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("A file path is needed.", nameof(path));
        if (writeTo is null) throw new ArgumentNullException(nameof(writeTo));
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory,
            "." + Path.GetFileNameWithoutExtension(full) + "." + Guid.NewGuid().ToString("N") + ".tmp" + Path.GetExtension(full));
        try
        {
            writeTo(temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Writes a folder as one unit: <paramref name="fill"/> writes a new sibling folder, which is then renamed
    /// into place (an existing folder is moved aside first and deleted after). A failure removes the new folder and
    /// leaves the old one; a reader never sees a mix of old and new files.</summary>
    public static void WriteDirectory(string path, Action<string> fill)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("A folder path is needed.", nameof(path));
        if (fill is null) throw new ArgumentNullException(nameof(fill));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string Sibling(string kind) => Path.Combine(parent, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + "." + kind);
        var staging = Sibling("tmp");
        string? previous = null;
        try
        {
            Directory.CreateDirectory(staging);
            fill(staging);
            if (Directory.Exists(full))
            {
                previous = Sibling("old");
                Directory.Move(full, previous);
            }
            try
            {
                Directory.Move(staging, full);
            }
            catch when (previous is not null)
            {
                Directory.Move(previous, full);
                previous = null;
                throw;
            }
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (previous is not null && Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        }
    }
}
