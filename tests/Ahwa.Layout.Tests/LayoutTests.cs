using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Ahwa.Layout.Tests;

/// <summary>Keeps the floor plan of shared/design/LAYOUT.md true: which room may reference which, and what stays
/// out of the runtime.</summary>
public class LayoutTests
{
    /// <summary>The rooms under the command line, in reference order (declared before the table, which reads it).</summary>
    static readonly string[] LabRooms = { "Ahwa.Lab.Tasks", "Ahwa.Lab.Formats", "Ahwa.Lab.Evaluation", "Ahwa.Lab.Deployment", "Ahwa.Lab.Decoding" };

    /// <summary>What every run-time room above the runtime may reference, plus the given Lab rooms.</summary>
    static string[] Lab(params string[] rooms) => new[] { "Ahwa.Dsl", "Ahwa.Hardware", "Ahwa.Simulator", "Ahwa.Runtime" }.Concat(rooms).ToArray();

    /// <summary>The rooms and the library references each may have (LAYOUT.md; references run one way:
    /// Dsl &lt;- Hardware &lt;- {Codegen, Simulator} &lt;- Generator / Runtime &lt;- Lab &lt;- samples).</summary>
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Ahwa.Dsl"] = Array.Empty<string>(),
        ["Ahwa.Hardware"] = new[] { "Ahwa.Dsl" },
        ["Ahwa.Codegen"] = new[] { "Ahwa.Dsl", "Ahwa.Hardware" },
        ["Ahwa.Simulator"] = new[] { "Ahwa.Dsl", "Ahwa.Hardware" },
        ["Ahwa.Generator"] = new[] { "Ahwa.Dsl", "Ahwa.Hardware", "Ahwa.Codegen" },
        ["Ahwa.Runtime"] = new[] { "Ahwa.Dsl", "Ahwa.Hardware", "Ahwa.Simulator" },
        // Lab's rooms, each one job, references one way: tasks <- formats and import <- {evaluation, deployment} <- decoders <- the command line.
        ["Ahwa.Lab.Tasks"] = Lab(),
        ["Ahwa.Lab.Formats"] = Lab("Ahwa.Lab.Tasks"),
        ["Ahwa.Lab.Evaluation"] = Lab("Ahwa.Lab.Tasks", "Ahwa.Lab.Formats"),
        ["Ahwa.Lab.Deployment"] = Lab("Ahwa.Lab.Tasks", "Ahwa.Lab.Formats"),
        ["Ahwa.Lab.Decoding"] = Lab("Ahwa.Lab.Tasks", "Ahwa.Lab.Formats", "Ahwa.Lab.Evaluation", "Ahwa.Lab.Deployment"),
        // The command engine's entry point references nothing: it finds Lab's command line by name (Runtime/Lab/Engine).
        ["Ahwa.Lab.Engine"] = Array.Empty<string>(),
        ["Ahwa.Lab"] = Lab(LabRooms.Append("Ahwa.Lab.Engine").ToArray()),
        // The ahwa dotnet tool: a launcher over Lab's command line.
        ["Ahwa.Tool"] = Lab(LabRooms.Append("Ahwa.Lab").ToArray()),
        // The dotnet new template package: content only.
        ["Ahwa.Templates"] = Array.Empty<string>(),
    };

    /// <summary>The template's content is a user's project, built from the packages, never from this repository.</summary>
    static bool IsTemplateContent(string path) => path.StartsWith("build/templates/ahwa-model/", StringComparison.Ordinal);

    /// <summary>What a sample (a program a user would write) may use as a library; the generator and Codegen only as analyzers.</summary>
    static readonly string[] SampleLibraries = Lab(LabRooms.Append("Ahwa.Lab").ToArray());
    static readonly string[] AnalyzerOnly = { "Ahwa.Generator", "Ahwa.Codegen" };

    [Fact]
    public void EveryProjectReferenceIsAllowedByTheLayoutTable()
    {
        var problems = new List<string>();
        var projects = Repository.Projects().ToList();
        foreach (var project in projects)
        {
            if (project.Path.StartsWith("tests/", StringComparison.Ordinal)) continue; // tests may reach any room
            if (IsTemplateContent(project.Path)) continue;
            bool sample = project.Path.StartsWith("samples/", StringComparison.Ordinal);
            if (!sample && !Allowed.ContainsKey(project.Name))
            {
                problems.Add($"{project.Path}: a product project that the layout table does not know; add its room to LAYOUT.md and this test.");
                continue;
            }
            foreach (var reference in project.References)
            {
                if (sample)
                {
                    // A sample may use another sample's models (the decoder demonstration uses samples/Llama3's TinyLlama).
                    bool ok = AnalyzerOnly.Contains(reference.Name)
                        ? reference.Analyzer && !reference.ReferencesAssembly
                        : SampleLibraries.Contains(reference.Name) || projects.Any(p => p.Name == reference.Name && p.Path.StartsWith("samples/", StringComparison.Ordinal));
                    if (!ok) problems.Add($"{project.Path} -> {reference.Name} (samples use {string.Join(", ", SampleLibraries)} and other samples; the generator and Codegen only as analyzers)");
                }
                else if (!Allowed[project.Name].Contains(reference.Name))
                {
                    problems.Add($"{project.Path} -> {reference.Name} (allowed: {string.Join(", ", Allowed[project.Name].DefaultIfEmpty("nothing"))})");
                }
            }
        }
        Assert.True(problems.Count == 0, "References the layout does not allow:\n" + string.Join("\n", problems));
        Assert.Equal(Allowed.Keys.OrderBy(k => k), projects.Where(p => Allowed.ContainsKey(p.Name)).Select(p => p.Name).OrderBy(k => k));
    }

    [Fact]
    public void RoomsSitInTheirFolders()
    {
        var expected = new Dictionary<string, string>
        {
            ["Ahwa.Dsl"] = "Dsl/Ahwa.Dsl.csproj",
            ["Ahwa.Hardware"] = "Targets/Hardware/Ahwa.Hardware.csproj",
            ["Ahwa.Codegen"] = "Targets/Codegen/Ahwa.Codegen.csproj",
            ["Ahwa.Generator"] = "Generator/Ahwa.Generator.csproj",
            ["Ahwa.Simulator"] = "Runtime/Simulator/Ahwa.Simulator.csproj",
            ["Ahwa.Runtime"] = "Runtime/Core/Ahwa.Runtime.csproj",
            ["Ahwa.Lab.Tasks"] = "Runtime/Lab/Tasks/Ahwa.Lab.Tasks.csproj",
            ["Ahwa.Lab.Formats"] = "Runtime/Lab/Formats/Ahwa.Lab.Formats.csproj",
            ["Ahwa.Lab.Evaluation"] = "Runtime/Lab/Evaluation/Ahwa.Lab.Evaluation.csproj",
            ["Ahwa.Lab.Deployment"] = "Runtime/Lab/Deployment/Ahwa.Lab.Deployment.csproj",
            ["Ahwa.Lab.Decoding"] = "Runtime/Lab/Decoding/Ahwa.Lab.Decoding.csproj",
            ["Ahwa.Lab"] = "Runtime/Lab/CommandLine/Ahwa.Lab.csproj",
            ["Ahwa.Lab.Engine"] = "Runtime/Lab/Engine/Ahwa.Lab.Engine.csproj",
            ["Ahwa.Tool"] = "Runtime/Tool/Ahwa.Tool.csproj",
            ["Ahwa.Templates"] = "build/templates/Ahwa.Templates.csproj",
        };
        var projects = Repository.Projects().ToDictionary(p => p.Name, p => p.Path);
        foreach (var (room, path) in expected) Assert.Equal(path, projects[room]);
    }

    /// <summary>Lab was one 6,000-line catch-all; each room now holds one job, small enough to read in an hour. A room that
    /// outgrows this has taken a second job: split it (and add the new room to the table).</summary>
    [Fact]
    public void EveryLabRoomStaysReadableInAnHour()
    {
        const int MaxLines = 2000;
        var rooms = Repository.Projects().Where(p => p.Name == "Ahwa.Lab" || LabRooms.Contains(p.Name)).ToList();
        Assert.Equal(LabRooms.Length + 1, rooms.Count);
        foreach (var room in rooms)
        {
            string folder = Path.GetDirectoryName(room.Path)!;
            int lines = Repository.Files(folder, ".cs").Sum(f => File.ReadLines(f).Count());
            Assert.True(lines is > 0 and <= MaxLines, $"{room.Name} ({folder}) has {lines} lines of C#; a room holds at most {MaxLines}.");
        }
    }

    /// <summary>The libraries a user model references are libraries: the programs are the ahwa tool and the engine the
    /// tool and the build start with the user's deps file (so no referencing project gets a second executable).</summary>
    [Fact]
    public void OnlyTheToolAndTheEngineAreProgramsAmongTheProducts()
    {
        var programs = Repository.Projects().Where(p => Allowed.ContainsKey(p.Name))
            .Where(p => System.Xml.Linq.XDocument.Load(Path.Combine(Repository.Root, p.Path)).Descendants("OutputType").Any(o => o.Value.Trim() == "Exe"))
            .Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(new[] { "Ahwa.Lab.Engine", "Ahwa.Tool" }, programs);
    }

    [Fact]
    public void TheTopLevelIsTheOneTheDesignCardNames()
    {
        var allowedFolders = new[] { ".ci", ".git", "Dsl", "Generator", "Runtime", "Targets", "build", "docs", "samples", "tests" };
        // Outputs the tools write there and .gitignore keeps out of the repository: the main job's, the benchmarks', test results.
        var outputs = new[] { "out", "artifacts", "BenchmarkDotNet.Artifacts", "TestResults" };
        var folders = Directory.GetDirectories(Repository.Root).Select(Path.GetFileName).Where(n => n != null && !n.StartsWith(".vs", StringComparison.Ordinal) && !outputs.Contains(n)).ToList();
        Assert.Empty(folders.Except(allowedFolders));
        Assert.True(File.Exists(Path.Combine(Repository.Root, "README.md")));
    }

    [Fact]
    public void TheSimulatorAndHardwareStayFreeOfTorchSharpAndPlots()
    {
        foreach (var project in Repository.Projects().Where(p => p.Name is "Ahwa.Simulator" or "Ahwa.Hardware" or "Ahwa.Dsl" or "Ahwa.Codegen" or "Ahwa.Runtime"))
        {
            Assert.DoesNotContain(project.Packages, p => p.StartsWith("ScottPlot", StringComparison.Ordinal) || p.StartsWith("Spectre", StringComparison.Ordinal));
            if (project.Name != "Ahwa.Runtime") Assert.DoesNotContain(project.Packages, p => p.StartsWith("TorchSharp", StringComparison.Ordinal));
        }
    }

    /// <summary>MyModel.Plan (the generator's DeploymentPlan) is the only planning: no code outside Hardware and the
    /// generator calls the planners. The paper-shape comparison plans hypothetical layers that no model has.</summary>
    [Fact]
    public void OnlyTheGeneratorPlans()
    {
        var planner = new Regex(@"\b(DeploymentPlanner|MemoryPlanner|TileMapBuilder)\.(Plan|Build)\(");
        var exceptions = new[] { "Runtime/Lab/Deployment/Pipeline/PaperShapes.cs" };
        var offenders = new[] { "Runtime", "samples", "Targets/Codegen" }
            .SelectMany(folder => Repository.Files(folder, ".cs"))
            .Where(f => !exceptions.Contains(Repository.Relative(f)) && planner.IsMatch(File.ReadAllText(f)))
            .Select(Repository.Relative).ToList();
        Assert.True(offenders.Count == 0, "These files plan instead of reading MyModel.Plan: " + string.Join(", ", offenders));
    }

    /// <summary>C lives in .c/.h files (Targets/Codegen/C); the runtime runs and compares kernels, it writes no C.</summary>
    [Fact]
    public void TheRuntimeWritesNoC()
    {
        var offenders = Repository.Files("Runtime", ".cs")
            .Where(f => File.ReadAllText(f).Contains("#include", StringComparison.Ordinal))
            .Select(Repository.Relative).ToList();
        Assert.True(offenders.Count == 0, "C written from C# at run time: " + string.Join(", ", offenders));
    }

    /// <summary>The default seed is Hardware's <c>Seeds.Default</c>; a line about a seed that writes its value again (in
    /// C#, or in the Python package other than the generated module) is a second copy to keep in step.</summary>
    [Fact]
    public void TheDefaultSeedIsWrittenOnce()
    {
        string value = Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "Targets/Hardware/Seeds.cs")), @"const ulong Default = (\d+);").Groups[1].Value;
        Assert.NotEmpty(value);
        var restated = new Regex(@"seed.*\b" + value + @"\b", RegexOptions.IgnoreCase);
        var files = new[] { "Dsl", "Generator", "Targets", "Runtime", "samples" }.SelectMany(folder => Repository.Files(folder, ".cs"))
            .Concat(Repository.Files("Runtime/Python/ahwa", ".py").Where(f => !f.EndsWith("_generated.py", StringComparison.Ordinal)));
        var offenders = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, line, i)))
            .Where(x => restated.IsMatch(x.line)).Select(x => $"{Repository.Relative(x.f)}:{x.i + 1}: {x.line.Trim()}").ToList();
        Assert.True(offenders.Count == 0, "The default seed written again: " + string.Join("; ", offenders));
    }
}
