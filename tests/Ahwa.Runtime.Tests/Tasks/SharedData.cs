using System;
using System.IO;

namespace Ahwa.Runtime.Tests.Tasks;

/// <summary>
/// The real benchmark files every developer and CI have beside the repository (<c>../shared/data</c>, see its
/// README), or the folder <c>AHWA_SHARED_DATA</c> names. Tests on them fail when the folder is missing: a real-data
/// check that quietly passes without its data would prove nothing.
/// </summary>
static class SharedData
{
    public const string Variable = "AHWA_SHARED_DATA";

    public static string Folder { get; } = Locate();

    public static string Glue(string task, string file) => Existing(Path.Combine(Folder, "glue", task, file));

    public static string SquadDev => Existing(Path.Combine(Folder, "squad", "dev-v1.1.json"));

    static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"The shared benchmark file '{path}' is missing (see ../shared/data/README.md).", path);

    static string Locate()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } named) return named;
        // Up from the test binaries to the folder that holds both the repository and shared/.
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
        }
        throw new DirectoryNotFoundException($"No shared/data folder above '{AppContext.BaseDirectory}': the real-data tests need the benchmark " +
                                             $"files of ../shared/data (or {Variable} naming such a folder).");
    }
}
