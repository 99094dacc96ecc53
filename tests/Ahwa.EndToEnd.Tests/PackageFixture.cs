using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Once per test class: packs every package of the solution into a folder feed under a version no cache has
/// seen, creates a project from the template in a temporary folder and builds it twice against that feed (restore
/// sees the feed for Ahwa.* and this machine's own NuGet sources for TorchSharp and the rest; packages land in a
/// temporary folder with the machine's cache as a read-only fallback, so nothing outside the folder changes).</summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = FindRepoRoot();
        Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "." + Environment.ProcessId;
        Folder = Directory.CreateTempSubdirectory("ahwa-e2e-").FullName;
        Feed = Path.Combine(Folder, "feed");
        Project = Path.Combine(Folder, "Demo");
        try
        {
            var clock = Stopwatch.StartNew();
            // The solution as this test run built it (run-tests.sh builds it whole; this project references the tool and
            // the template so a build of the tests alone builds them too).
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            Run(Root, "pack", "Compiler.sln", "-c", configuration, "--no-build", "-o", Feed, "-p:Version=" + Version, "-nologo");
            PackSeconds = clock.Elapsed.TotalSeconds;
            WriteNuGetConfig();
            Run(Folder, "new", "install", Path.Combine(Feed, $"Ahwa.Templates.{Version}.nupkg"));
            Run(Folder, "new", "ahwa-model", "-n", "Demo", "-o", Project);
            clock.Restart();
            Run(Project, "build", "-c", "Release", "-nologo");
            FirstBuildSeconds = clock.Elapsed.TotalSeconds;
            AfterFirstBuild = Stamps();
            clock.Restart();
            Run(Project, "build", "-c", "Release", "-nologo");
            SecondBuildSeconds = clock.Elapsed.TotalSeconds;
            AfterSecondBuild = Stamps();
            Run(Folder, "tool", "install", "Ahwa.Tool", "--version", Version, "--tool-path", Path.Combine(Folder, "tools"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }
    public string Version { get; }
    public string Folder { get; }
    public string Feed { get; }
    public string Project { get; }
    public double PackSeconds { get; }
    public double FirstBuildSeconds { get; }
    public double SecondBuildSeconds { get; }
    public IReadOnlyDictionary<string, DateTime> AfterFirstBuild { get; } = new Dictionary<string, DateTime>();
    public IReadOnlyDictionary<string, DateTime> AfterSecondBuild { get; } = new Dictionary<string, DateTime>();

    public string Deployment => Path.Combine(Project, "bin", "Release", "net10.0", "ahwa");

    public string Ahwa => Path.Combine(Folder, "tools", "ahwa");

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    IReadOnlyDictionary<string, DateTime> Stamps() => Directory.Exists(Deployment)
        ? Directory.GetFiles(Deployment, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(Deployment, f), File.GetLastWriteTimeUtc)
        : new Dictionary<string, DateTime>();

    /// <summary>This machine's package sources (its user NuGet.Config, as restore reads it) plus the feed, which alone
    /// may serve Ahwa.*.</summary>
    void WriteNuGetConfig()
    {
        string home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var machine = Path.Combine(home, ".nuget", "NuGet", "NuGet.Config");
        var sources = File.Exists(machine)
            ? XDocument.Load(machine).Descendants("packageSources").Elements("add").ToList()
            : new List<XElement>();
        if (sources.Count == 0) throw new InvalidOperationException($"No package source in {machine}: restore of TorchSharp needs one.");
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages ? packages : Path.Combine(home, ".nuget", "packages");
        var config = new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Path.Combine(Folder, "packages")))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", cache))),
            new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "ahwa-feed"), new XAttribute("value", Feed)),
                sources.Select(s => new XElement(s))),
            new XElement("packageSourceMapping",
                new XElement("packageSource", new XAttribute("key", "ahwa-feed"), new XElement("package", new XAttribute("pattern", "Ahwa.*"))),
                sources.Select(s => new XElement("packageSource", new XAttribute("key", (string)s.Attribute("key")!), new XElement("package", new XAttribute("pattern", "*"))))));
        new XDocument(config).Save(Path.Combine(Folder, "nuget.config"));
    }

    /// <summary>Runs dotnet (or <paramref name="program"/>) with the test host's MSBuild variables removed and the CLI's
    /// home inside the folder (templates and first-run files stay there); throws with the log when it fails.</summary>
    public (int Code, string Output, string Error) Run(string directory, params string[] args) => Exec("dotnet", directory, true, args);

    /// <summary>Every command run, with its wall time: the test's cost, reported by the first fact.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Timings { get; } = new();

    public (int Code, string Output, string Error) Exec(string program, string directory, bool check, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES").ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_HOME"] = Path.Combine(Folder, "home");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var result = (process.ExitCode, output, error.Result);
        Timings.Enqueue($"{clock.Elapsed.TotalSeconds:0.0} s: {Path.GetFileName(program)} {string.Join(' ', args.Take(3))}");
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode} in {directory}:\n{output}\n{error.Result}");
        return result;
    }

    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
    }
}
