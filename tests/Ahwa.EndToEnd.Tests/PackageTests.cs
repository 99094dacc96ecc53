using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The toolchain as a user takes it: the packages from dotnet pack, a project from `dotnet new ahwa-model`
/// built against the packages alone, its deployment files written by the build and left alone by a second one, and
/// the ahwa tool on it. One pack and one template build for the class (<see cref="PackageFixture"/>).</summary>
[StartsEarly(1)] // dotnet pack, two template builds, the tool install and the template's tests
public sealed class PackageTests(PackageFixture fixture, ITestOutputHelper log) : IClassFixture<PackageFixture>
{
    static readonly string[] Libraries = ["Ahwa.Dsl", "Ahwa.Hardware", "Ahwa.Simulator", "Ahwa.Runtime", "Ahwa.Lab.Tasks", "Ahwa.Lab.Formats", "Ahwa.Lab.Evaluation", "Ahwa.Lab.Deployment", "Ahwa.Lab.Decoding", "Ahwa.Lab"];

    ZipArchive Package(string id) => ZipFile.OpenRead(Path.Combine(fixture.Feed, $"{id}.{fixture.Version}.nupkg"));

    static XElement Metadata(ZipArchive package)
    {
        using var stream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    static string? Field(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [Fact]
    public void EveryPackageHasTheOneVersionTheLicenceAndTheReadme()
    {
        log.WriteLine($"pack {fixture.PackSeconds:0.0} s, first template build {fixture.FirstBuildSeconds:0.0} s, second {fixture.SecondBuildSeconds:0.0} s");
        foreach (var timing in fixture.Timings) log.WriteLine(timing);
        foreach (var file in Directory.GetFiles(fixture.Feed).OrderBy(f => f, StringComparer.Ordinal))
            log.WriteLine($"{Path.GetFileName(file)}: {new FileInfo(file).Length / 1024.0:0.0} KiB");
        foreach (var id in Libraries.Concat(["Ahwa.Generator", "Ahwa.Tool", "Ahwa.Templates"]))
        {
            using var package = Package(id);
            var metadata = Metadata(package);
            Assert.Equal(fixture.Version, Field(metadata, "version"));
            Assert.Equal("MIT", Field(metadata, "license"));
            Assert.Equal("README.md", Field(metadata, "readme"));
            Assert.Contains(package.Entries, e => e.FullName == "README.md");
        }
        foreach (var id in Libraries)
        {
            Assert.True(File.Exists(Path.Combine(fixture.Feed, $"{id}.{fixture.Version}.snupkg")), id + " has no symbol package");
            using var package = Package(id);
            Assert.Contains(package.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name == id + ".dll");
        }
    }

    [Fact]
    public void TheGeneratorIsAnAnalyzerPackageAndTheToolCarriesNoNativeLibrary()
    {
        using (var generator = Package("Ahwa.Generator"))
        {
            Assert.Equal(new[] { "analyzers/dotnet/cs/Ahwa.Codegen.dll", "analyzers/dotnet/cs/Ahwa.Dsl.dll", "analyzers/dotnet/cs/Ahwa.Generator.dll", "analyzers/dotnet/cs/Ahwa.Hardware.dll" },
                generator.Entries.Select(e => e.FullName).Where(n => n.EndsWith(".dll", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal));
            var dependencies = Metadata(generator).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).OrderBy(n => n).ToList();
            Assert.Equal(["Ahwa.Dsl", "Ahwa.Hardware"], dependencies); // Codegen stays inside the analyzer
        }
        using (var tool = Package("Ahwa.Tool"))
        {
            Assert.Contains(tool.Entries, e => e.FullName.EndsWith("/Ahwa.Lab.dll", StringComparison.Ordinal));
            Assert.DoesNotContain(tool.Entries, e => e.Name.EndsWith(".so", StringComparison.Ordinal) || e.Name.EndsWith(".dll", StringComparison.Ordinal) && e.Name.StartsWith("torch", StringComparison.Ordinal));
        }
        using var lab = Package("Ahwa.Lab");
        Assert.Contains(lab.Entries, e => e.FullName == "buildTransitive/Ahwa.Lab.targets");
        // Lab is a library; the command engine travels beside it and is copied into the user's build output.
        Assert.Contains(lab.Entries, e => e.FullName == "tools/Ahwa.Lab.Engine.dll");
        Assert.DoesNotContain(lab.Entries, e => e.FullName.EndsWith("Ahwa.Lab.runtimeconfig.json", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(fixture.Project, "bin", "Release", "net10.0", "Ahwa.Lab.Engine.dll")), "the engine is not in the project's build output");
    }

    [Fact]
    public void TheTemplateProjectRestoresFromTheFeedAlone()
    {
        var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Project, "obj", "project.assets.json"))).RootElement;
        var libraries = assets.GetProperty("libraries").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("type").GetString());
        foreach (var id in Libraries.Append("Ahwa.Generator"))
            Assert.Equal("package", libraries[$"{id}/{fixture.Version}"]);
        Assert.DoesNotContain(libraries.Values, type => type == "project");
        Assert.True(Directory.Exists(Path.Combine(fixture.Folder, "packages", "ahwa.lab", fixture.Version)), "Ahwa.Lab came from somewhere other than the feed");
    }

    [Fact]
    public void TheBuildWritesTheDeploymentFilesAndASecondBuildRewritesNone()
    {
        string model = Path.Combine(fixture.Deployment, "TinyModel");
        foreach (var file in new[] { "ahwa_cluster.h", "ahwa_kernels.c", "tile_map.json", "tile_map.h", "Makefile", "manifest.json", "ahwa_config.h", "pytorch/plan.json", "pytorch/model/tiny_model.py", "pytorch/weights.safetensors" })
            Assert.True(File.Exists(Path.Combine(model, file)), file + " missing under " + model);
        Assert.Contains(Directory.GetFiles(model, "ahwa_*_r*.c"), f => !f.EndsWith("_naive.c", StringComparison.Ordinal));
        Assert.NotEmpty(fixture.AfterFirstBuild);
        Assert.Equal(fixture.AfterFirstBuild.OrderBy(p => p.Key, StringComparer.Ordinal), fixture.AfterSecondBuild.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void TheTemplatesOwnTestsPass()
    {
        // The template's test project reaches Lab only through the model project: the LibTorch patch must reach it too.
        var test = fixture.Run(Path.Combine(fixture.Project, "tests"), "test", "-c", "Release", "-nologo");
        Assert.Contains("Passed!", test.Output, StringComparison.Ordinal);
        Assert.Contains("Total:     2", test.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AhwaInspectsAndTrainsTheNewProjectsModel()
    {
        var inspect = fixture.Exec(fixture.Ahwa, fixture.Project, true, "inspect", "--json");
        var root = JsonDocument.Parse(inspect.Output).RootElement;
        Assert.Equal("TinyModel", root.GetProperty("model").GetString());
        Assert.Equal(5, root.GetProperty("tilesUsed").GetInt32()); // 16->32, two blocks of 32->64 and 64->32: one 64 x 64 tile each
        var train = fixture.Exec(fixture.Ahwa, fixture.Project, true, "train", "--steps", "1", "--out", Path.Combine(fixture.Folder, "run"), "--json");
        Assert.Equal(1, JsonDocument.Parse(train.Output).RootElement.GetProperty("steps").GetInt32());
        Assert.True(File.Exists(Path.Combine(fixture.Folder, "run", "adapter", "adapter_model.safetensors")));
        var refused = fixture.Exec(fixture.Ahwa, fixture.Project, false, "train", "--task", "Missing");
        Assert.Equal(2, refused.Code);
        Assert.Contains("--task 'Missing' is not a task of model 'TinyModel'; its tasks: TinyTask.", refused.Error, StringComparison.Ordinal);
        foreach (var timing in fixture.Timings) log.WriteLine(timing);
    }
}
