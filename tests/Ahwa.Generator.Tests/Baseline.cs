using System;
using System.IO;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace Ahwa.Generator.Tests;

/// <summary>Expected-output files next to the tests (System.Text.Json generator style). A missing or different
/// baseline fails with a line diff. AHWA_UPDATE_BASELINES=1 rewrites them locally, never when CI=true.</summary>
static class Baseline
{
    static string Directory => Path.Combine(Harness.RepoRoot, "tests", "Ahwa.Generator.Tests", "Baselines");

    static bool Updating =>
        Environment.GetEnvironmentVariable("AHWA_UPDATE_BASELINES") == "1" &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static void Match(string name, string actual)
    {
        var path = Path.Combine(Directory, name + ".txt");
        actual = actual.Replace("\r\n", "\n");
        if (Updating)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual, new UTF8Encoding(false));
            return;
        }
        if (!File.Exists(path))
            throw new XunitException($"Baseline '{path}' is missing. Run the tests with AHWA_UPDATE_BASELINES=1 to create it, then review it.\n--- actual ---\n{actual}");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual) return;
        throw new XunitException($"Generated output differs from baseline '{path}' (- baseline, + actual):\n{Diff(expected, actual)}\n" +
                                 "If the change is intended, rerun with AHWA_UPDATE_BASELINES=1 and review the diff.");
    }

    static string Diff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var builder = new StringBuilder();
        int shown = 0;
        foreach (var line in diff.Lines)
        {
            if (line.Type == ChangeType.Unchanged) continue;
            builder.Append(line.Type == ChangeType.Deleted ? "- " : "+ ").Append(line.Text).Append('\n');
            if (++shown >= 60)
            {
                builder.Append("... (more differences)\n");
                break;
            }
        }
        return builder.ToString();
    }
}
