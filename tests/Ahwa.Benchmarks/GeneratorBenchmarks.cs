using System.IO;
using System.Linq;
using Ahwa.Generator;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ahwa.Benchmarks;

/// <summary>How long the generator takes on a BERT-base description (12 layers, 768 / 3072, 480 tiles):
/// a full run on a fresh driver (warm JIT), and a re-run after an unrelated edit (everything cached).</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);
    CSharpCompilation compilation = null!;
    CSharpCompilation edited = null!;
    GeneratorDriver primed = null!;

    [GlobalSetup]
    public void Setup()
    {
        var source = File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "Models", "BertBase.cs"));
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(Ahwa.Dsl.AnalogModelAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Ahwa.Runtime.AnalogLinear).Assembly.Location));
        compilation = CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText(source, ParseOptions) }, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", ParseOptions));
        primed = NewDriver().RunGenerators(compilation);
    }

    static GeneratorDriver NewDriver() =>
        CSharpGeneratorDriver.Create(new[] { new AhwaGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

    [Benchmark(Baseline = true, Description = "BERT-base: full generation")]
    public int FullGeneration() => NewDriver().RunGenerators(compilation).GetRunResult().GeneratedTrees.Length;

    [Benchmark(Description = "BERT-base: re-run after an unrelated edit")]
    public int IncrementalRerun() => primed.RunGenerators(edited).GetRunResult().GeneratedTrees.Length;
}
