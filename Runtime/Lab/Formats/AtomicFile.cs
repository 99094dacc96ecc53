using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

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

    /// <summary>Written last into a staging folder: the folder is complete. Removed once the folder is in place.</summary>
    internal const string CompleteMarker = ".complete";

    /// <summary>For tests: asked after each step of <see cref="WriteDirectory"/> with the folder and the step's name; false
    /// stops the write there, as a killed process would, with no clean-up.</summary>
    internal static Func<string, string, bool>? ContinueAfter;

    /// <summary>Writes a folder as one unit: <paramref name="fill"/> writes the staging sibling <c>.name.new</c>, a marker
    /// says it is complete, the existing folder is renamed to <c>.name.old</c>, the new one into place, and the old one
    /// is deleted. A failure of <paramref name="fill"/> removes the new folder and leaves the old one. A process killed
    /// between the renames leaves no folder at the path but a complete sibling: <see cref="RecoverDirectory"/>, run here
    /// first and by the readers of such folders, puts it back and removes stale siblings, so a reader always finds a
    /// complete old or new folder and never a mix. One writer at a time per folder (the sibling names are fixed).</summary>
    public static void WriteDirectory(string path, Action<string> fill)
    {
        if (string.IsNullOrEmpty(path)) throw new ArgumentException("A folder path is needed.", nameof(path));
        if (fill is null) throw new ArgumentNullException(nameof(fill));
        var full = FullDirectoryPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        RecoverDirectory(full);
        var (staging, aside) = Siblings(full);
        Directory.CreateDirectory(staging);
        try
        {
            fill(staging);
            File.WriteAllBytes(Path.Combine(staging, CompleteMarker), []);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
        if (!Continue(full, "staged")) return;
        if (Directory.Exists(full))
        {
            Directory.Move(full, aside);
            if (!Continue(full, "old moved aside")) return;
        }
        try
        {
            Directory.Move(staging, full);
        }
        catch
        {
            if (!Directory.Exists(full) && Directory.Exists(aside)) Directory.Move(aside, full);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        if (!Continue(full, "new moved in")) return;
        File.Delete(Path.Combine(full, CompleteMarker));
        if (!Continue(full, "before deleting old")) return;
        if (Directory.Exists(aside)) Directory.Delete(aside, recursive: true);
    }

    /// <summary>Finishes or undoes an interrupted <see cref="WriteDirectory"/> of <paramref name="path"/>: with no folder
    /// at the path, the complete new one is moved in, else the old one back; then the siblings are deleted. Siblings of
    /// earlier versions (<c>.name.&lt;guid&gt;.old</c> and <c>.tmp</c>) are treated alike, an old one restored. Does
    /// nothing when nothing was interrupted.</summary>
    public static void RecoverDirectory(string path)
    {
        var full = FullDirectoryPath(path);
        var parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent)) return;
        var (staging, aside) = Siblings(full);
        var legacy = LegacySiblings(parent, Path.GetFileName(full));
        if (!Directory.Exists(full))
        {
            if (File.Exists(Path.Combine(staging, CompleteMarker))) Directory.Move(staging, full);
            else if (Directory.Exists(aside)) Directory.Move(aside, full);
            else if (legacy.Old.Length > 0) Directory.Move(legacy.Old[^1], full);
        }
        if (File.Exists(Path.Combine(full, CompleteMarker))) File.Delete(Path.Combine(full, CompleteMarker));
        foreach (var sibling in legacy.Old.Concat(legacy.Staging).Append(staging).Append(aside))
            if (Directory.Exists(sibling)) Directory.Delete(sibling, recursive: true);
    }

    /// <summary><see cref="RecoverDirectory"/> for every folder of <paramref name="parent"/> with siblings left by an
    /// interrupted write, for readers that list folders (a folder between the renames is not listed).</summary>
    public static void RecoverDirectories(string parent)
    {
        if (!Directory.Exists(parent)) return;
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var sibling in Directory.GetDirectories(parent).Select(Path.GetFileName))
        {
            var match = SiblingName.Match(sibling!);
            if (match.Success) names.Add(match.Groups["name"].Value);
        }
        foreach (var name in names) RecoverDirectory(Path.Combine(parent, name));
    }

    static readonly Regex SiblingName = new(@"^\.(?<name>.+)\.(new|old|[0-9a-f]{32}\.(tmp|old))$", RegexOptions.CultureInvariant);

    static string FullDirectoryPath(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    static (string Staging, string Aside) Siblings(string full)
    {
        string sibling = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full));
        return (sibling + ".new", sibling + ".old");
    }

    /// <summary>Siblings named by earlier versions with a random id: moved-aside folders (oldest first) and staging ones.</summary>
    static (string[] Old, string[] Staging) LegacySiblings(string parent, string name)
    {
        var pattern = new Regex("^" + Regex.Escape("." + name + ".") + "[0-9a-f]{32}\\.(?<kind>tmp|old)$", RegexOptions.CultureInvariant);
        var matches = Directory.GetDirectories(parent)
            .Select(d => (Path: d, Match: pattern.Match(Path.GetFileName(d))))
            .Where(m => m.Match.Success)
            .ToList();
        return (matches.Where(m => m.Match.Groups["kind"].Value == "old").Select(m => m.Path).OrderBy(Directory.GetLastWriteTimeUtc).ToArray(),
            matches.Where(m => m.Match.Groups["kind"].Value == "tmp").Select(m => m.Path).ToArray());
    }

    static bool Continue(string full, string step) => ContinueAfter?.Invoke(full, step) ?? true;
}
