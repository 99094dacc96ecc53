using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Ahwa.Layout.Tests;

/// <summary>The checked-out repository this test binary was built from.</summary>
static class Repository
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Compiler.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No Compiler.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>Files under <paramref name="folder"/> with the extension, build outputs left out.</summary>
    public static IEnumerable<string> Files(string folder, string extension) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*" + extension, SearchOption.AllDirectories)
            .Where(f => !Relative(f).Split('/').Any(part => part is "bin" or "obj" or "Baselines"))
            .OrderBy(f => f, StringComparer.Ordinal);

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>A project and the projects it references, with how (library or analyzer).</summary>
    public sealed record Project(string Path, string Name, IReadOnlyList<Reference> References, IReadOnlyList<string> Packages);

    public sealed record Reference(string Name, bool Analyzer, bool ReferencesAssembly);

    public static IEnumerable<Project> Projects()
    {
        foreach (var file in Files(".", ".csproj"))
        {
            var document = XDocument.Load(file);
            var references = document.Descendants("ProjectReference").Select(r => ToReference(r, file)).ToList();
            var packages = document.Descendants("PackageReference").Select(p => (string)p.Attribute("Include")!).ToList();
            // samples/Directory.Build.props adds the references every sample has.
            var props = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(file))!, "Directory.Build.props");
            if (Relative(file).StartsWith("samples/", StringComparison.Ordinal) && File.Exists(props))
                references.AddRange(XDocument.Load(props).Descendants("ProjectReference").Select(r => ToReference(r, file)));
            yield return new Project(Relative(file), System.IO.Path.GetFileNameWithoutExtension(file), references, packages);
        }
    }

    static Reference ToReference(XElement element, string project)
    {
        var include = ((string)element.Attribute("Include")!).Replace("$(RepoRoot)", Root + "/");
        var name = System.IO.Path.GetFileNameWithoutExtension(include.Replace('\\', '/'));
        if (!File.Exists(System.IO.Path.GetFullPath(include, System.IO.Path.GetDirectoryName(project)!)) && !File.Exists(include))
            throw new InvalidOperationException($"{Relative(project)} references a missing project '{include}'.");
        bool analyzer = (string?)element.Attribute("OutputItemType") == "Analyzer";
        bool assembly = (string?)element.Attribute("ReferenceOutputAssembly") != "false";
        return new Reference(name, analyzer, assembly);
    }
}
