using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Ahwa.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ahwa.Generator.Tests;

/// <summary>Runs the generator on source text the way the compiler does, against real references.</summary>
static class Harness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    static readonly ImmutableArray<MetadataReference> References = Basic.Reference.Assemblies.Net100.References.All
        .Cast<MetadataReference>()
        .Concat(new[]
        {
            typeof(Ahwa.Dsl.AnalogModelAttribute).Assembly.Location,
            typeof(Ahwa.Hardware.ModelSpec).Assembly.Location,
            typeof(Ahwa.Runtime.AnalogLinear).Assembly.Location,
            typeof(Ahwa.Lab.Import.LlamaConfig).Assembly.Location,
            typeof(Ahwa.Lab.Tasks.IEncoderModel).Assembly.Location,
            typeof(TorchSharp.torch).Assembly.Location,
        }.Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)))
        .ToImmutableArray();

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
                // The SDK passes /nowarn:1701,1702 (reference unification) to every build; so do we.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

    public static GeneratorDriver Driver(IIncrementalGenerator? generator = null, bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            new[] { (generator ?? new AhwaGenerator()).AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public sealed record Run(GeneratorDriver Driver, GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics);

    public static Run Generate(CSharpCompilation compilation, IIncrementalGenerator? generator = null, bool trackSteps = true)
    {
        var driver = Driver(generator, trackSteps).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new Run(driver, driver.GetRunResult().Results.Single(), output, diagnostics);
    }

    public static Run Generate(params string[] sources) => Generate(Compilation(sources));

    /// <summary>Errors and warnings of the compilation including generated code.</summary>
    public static IReadOnlyList<Diagnostic> CompileProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>Compiles the generated output and loads it, so tests can read what the generated code exposes.</summary>
    public static System.Reflection.Assembly Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success) throw new InvalidOperationException("Generated code does not compile:\n" + string.Join("\n", emit.Diagnostics));
        return System.Reflection.Assembly.Load(stream.ToArray());
    }

    public static T Static<T>(System.Reflection.Assembly assembly, string type, string member) =>
        (T)(assembly.GetType(type, throwOnError: true)!.GetProperty(member)?.GetValue(null)
            ?? assembly.GetType(type, throwOnError: true)!.GetField(member)!.GetValue(null)!);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ReadRepoFile(string relativePath) => File.ReadAllText(Path.Combine(RepoRoot, relativePath));

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
    }
}
