using System;
using System.Globalization;
using System.IO;

namespace Ahwa.Lab.CommandLine;

/// <summary>Reads option values given as text, so a bad value gets a message naming the option and the value (the
/// command-line library's own conversion error names neither). Each returns null on success, else the message.</summary>
public static partial class OptionValues
{
    public static string? PositiveInt(string name, string? text, int fallback, int max, out int value)
    {
        value = fallback;
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) || value <= 0)
            return $"{name} must be a positive integer, got '{text}'.";
        if (value > max) return $"{name} must be at most {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'.";
        return null;
    }

    public static string? Seed(string name, string? text, ulong fallback, out ulong value)
    {
        value = fallback;
        if (text is null || ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return null;
        return $"{name} must be a non-negative integer, got '{text}'.";
    }

    public static string? PositiveNumber(string name, string? text, double fallback, out double value)
    {
        value = fallback;
        if (text is null) return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && !double.IsInfinity(value)) return null;
        return $"{name} must be a positive number, got '{text}'.";
    }

    /// <summary>Why a path option's value names nothing (empty or only spaces), echoing the value as given; or null.</summary>
    public static string? BlankPath(string name, string? text, string what = "folder") =>
        text is not null && text.Trim().Length == 0 ? $"{name} needs a {what} name, got '{text}'." : null;

    /// <summary>An existing file; <paramref name="what"/> says which (e.g. "config.json").</summary>
    public static string? ExistingFile(string name, string? text)
    {
        if (text is null) return $"{name} is required.";
        if (BlankPath(name, text, "file") is string blank) return blank;
        return File.Exists(text) ? null : $"{name} file '{text}' does not exist.";
    }

    /// <summary>Why the output folder cannot be used, without creating it: an empty name, a file in the way, or a nearest
    /// existing ancestor that is not a writable folder.</summary>
    public static string? OutputFolder(string name, string output)
    {
        if (BlankPath(name, output) is string blank) return blank;
        string full;
        try
        {
            full = Path.GetFullPath(output);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"{name} '{output}' is not a valid folder name ({e.Message}).";
        }
        if (File.Exists(full)) return $"{name} '{output}' is a file, not a folder.";
        var existing = full;
        while (!Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return $"{name} '{output}' cannot be created: no part of the path exists.";
            if (File.Exists(parent)) return $"{name} '{output}' cannot be created: '{parent}' is a file.";
            existing = parent;
        }
        if (!IsWritable(existing)) return $"{name} '{output}' cannot be written: '{existing}' is not writable.";
        return null;
    }

    /// <summary>Creates and removes a probe folder: permission bits do not tell (root, read-only mounts, /proc).</summary>
    static bool IsWritable(string folder)
    {
        var probe = Path.Combine(folder, ".ahwa-write-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
