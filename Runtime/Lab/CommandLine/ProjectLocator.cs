using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Ahwa.Lab.CommandLine;

/// <summary>Finds the built assembly of the project in a folder, as <c>dotnet build</c> left it: the folder's one
/// .csproj, its assembly name, the newest <c>bin/CONFIG/TFM/NAME.dll</c>.</summary>
public static class ProjectLocator
{
    /// <summary>The assembly's path, or null with <paramref name="problem"/> saying why.</summary>
    public static string? FindAssembly(string folder, out string problem)
    {
        problem = "";
        var projects = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.csproj") : Array.Empty<string>();
        if (projects.Length != 1)
        {
            problem = projects.Length == 0
                ? $"No project in '{folder}': run in a project folder after 'dotnet build', or pass --assembly PATH."
                : $"'{folder}' has {projects.Length} projects ({string.Join(", ", projects.Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal))}): pass --assembly PATH.";
            return null;
        }
        string name = AssemblyName(projects[0]);
        var bin = Path.Combine(folder, "bin");
        var built = Directory.Exists(bin)
            ? Directory.GetFiles(bin, name + ".dll", SearchOption.AllDirectories).Where(f => File.Exists(Path.ChangeExtension(f, ".deps.json")))
                .OrderByDescending(File.GetLastWriteTimeUtc).ToList()
            : new System.Collections.Generic.List<string>();
        if (built.Count == 0)
        {
            problem = $"Project '{Path.GetFileName(projects[0])}' has no built {name}.dll under bin/: run 'dotnet build' first, or pass --assembly PATH.";
            return null;
        }
        return built[0];
    }

    static string AssemblyName(string project)
    {
        try
        {
            var declared = XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0 && !v.Contains('$'));
            return declared ?? Path.GetFileNameWithoutExtension(project);
        }
        catch (System.Xml.XmlException e)
        {
            throw new InvalidDataException($"Project '{project}' is not valid XML: {e.Message}");
        }
    }
}
