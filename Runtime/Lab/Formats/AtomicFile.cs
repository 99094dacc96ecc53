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
}
