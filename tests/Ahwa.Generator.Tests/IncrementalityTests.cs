using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Ahwa.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits regenerate nothing, a change to one model regenerates only
/// that model, editing a block's file regenerates exactly the models that use it, and no symbol, syntax node or compilation is held by any step's output.</summary>
public class IncrementalityTests
{
    const string ModelA =
        "using Ahwa.Dsl; using Ahwa.Runtime;\n" +
        "namespace N { [AnalogModel] public partial class A { [AnalogLinear(64, 64)] [Lora(Rank = 4)] public partial AnalogLinear Fc { get; } } }";

    const string ModelB =
        "using System.Collections.Generic; using Ahwa.Dsl; using Ahwa.Runtime;\n" +
        "namespace N {\n" +
        "[AnalogBlock] public partial class Blk { [AnalogLinear(32, 32)] public partial AnalogLinear D { get; } }\n" +
        "[AnalogModel] public partial class B { [Blocks(typeof(Blk), 2)] public partial IReadOnlyList<Blk> Layers { get; } } }";

    static readonly string[] OutputSteps =
    {
        TrackingNames.ModelDeclaration, TrackingNames.ModelSources, TrackingNames.ModelDiagnostics, TrackingNames.BlockDeclaration, TrackingNames.BlockDiagnostics,
    };

    static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun(params string[] sources)
    {
        var compilation = Harness.Compilation(sources);
        var driver = Harness.Driver().RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);
        return (driver, compilation);
    }

    static IEnumerable<(string Step, IncrementalStepRunReason Reason, object Value)> Outputs(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps.TryGetValue(step, out var runs)
            ? runs.SelectMany(r => r.Outputs.Select(o => (step, o.Reason, o.Value)))
            : Enumerable.Empty<(string, IncrementalStepRunReason, object)>();

    [Fact]
    public void AnUnrelatedEditLeavesEveryOutputStepCached()
    {
        var (driver, compilation) = FirstRun(ModelA, ModelB);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace N { class Unrelated { int x; } }", Harness.ParseOptions));
        driver = driver.RunGenerators(edited);

        var outputs = OutputSteps.SelectMany(s => Outputs(driver, s)).ToList();
        Assert.NotEmpty(outputs);
        foreach (var (step, reason, _) in outputs)
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step} ran with reason {reason}");
        Assert.All(driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output ran with reason {o.Reason}"));
    }

    [Fact]
    public void ChangingOneLayersRankRegeneratesOnlyThatModel()
    {
        var (driver, compilation) = FirstRun(ModelA, ModelB);
        var oldTree = compilation.SyntaxTrees.First();
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(ModelA.Replace("Rank = 4", "Rank = 6")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree));

        var declarations = Outputs(driver, TrackingNames.ModelDeclaration).ToList();
        var modified = declarations.Where(o => o.Reason == IncrementalStepRunReason.Modified).ToList();
        var single = Assert.Single(modified);
        Assert.Equal("A", ((Ahwa.Codegen.ModelDeclaration)single.Value).Model.Name);
        Assert.Equal(6, ((Ahwa.Codegen.ModelDeclaration)single.Value).Model.Layers[0].Lora!.Rank);
        Assert.All(declarations.Except(modified), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Reason}"));
        Assert.All(Outputs(driver, TrackingNames.BlockDeclaration), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Reason}"));
    }

    const string SharedBlock =
        "using Ahwa.Dsl; using Ahwa.Runtime;\n" +
        "namespace N { [AnalogBlock] public partial class Shared { [AnalogLinear(32, 32)] public partial AnalogLinear D { get; } } }";

    static string UsesShared(string name) =>
        "using System.Collections.Generic; using Ahwa.Dsl; using Ahwa.Runtime;\n" +
        $"namespace N {{ [AnalogModel] public partial class {name} {{ [Blocks(typeof(Shared), 2)] public partial IReadOnlyList<Shared> Layers {{ get; }} }} }}";

    [Fact]
    public void EditingABlocksFileRegeneratesExactlyTheModelsThatUseIt()
    {
        // The block lives in its own file; C and D use it, A does not (and B uses a block of its own).
        var (driver, compilation) = FirstRun(ModelA, ModelB, SharedBlock, UsesShared("C"), UsesShared("D"));
        var blockTree = compilation.SyntaxTrees.ElementAt(2);
        var edited = blockTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(SharedBlock.Replace("AnalogLinear(32, 32)", "AnalogLinear(32, 48)")));
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(blockTree, edited));
        Assert.Empty(driver.GetRunResult().Diagnostics);

        var declarations = Outputs(driver, TrackingNames.ModelDeclaration).ToList();
        var modified = declarations.Where(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New)
            .Select(o => (Ahwa.Codegen.ModelDeclaration)o.Value).ToList();
        Assert.Equal(new[] { "C", "D" }, modified.Select(m => m.Model.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(modified, m => Assert.All(m.Model.Layers, l => Assert.Equal(48, l.OutFeatures)));
        Assert.All(declarations.Where(o => o.Reason is not (IncrementalStepRunReason.Modified or IncrementalStepRunReason.New)),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Reason}"));
        Assert.Equal(4, declarations.Count(o => o.Reason is not IncrementalStepRunReason.Removed));
    }

    [Fact]
    public void NoStepOutputHoldsSymbolsSyntaxOrCompilations()
    {
        var (driver, _) = FirstRun(ModelA, ModelB);
        var steps = new[] { TrackingNames.ModelParse, TrackingNames.BlockParse }.Concat(OutputSteps);
        int visited = 0;
        foreach (var step in steps)
            foreach (var (_, _, value) in Outputs(driver, step))
                visited += Walk(value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        Assert.True(visited > 10, $"walked only {visited} objects");
    }

    /// <summary>Walks an object graph through fields, failing on any Roslyn object that would pin a compilation.</summary>
    static int Walk(object? node, string path, HashSet<object> seen)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node is Enum || node is decimal) return 0;
        if (!node.GetType().IsValueType && !seen.Add(node)) return 0;
        Assert.False(node is ISymbol or SyntaxNode or Compilation or SemanticModel or SyntaxTree or Location,
            $"{path} holds a {node.GetType().FullName}");
        if (node is DiagnosticDescriptor) return 1;
        int count = 1;
        if (node is IEnumerable enumerable and not string)
        {
            int i = 0;
            foreach (var item in enumerable) count += Walk(item, $"{path}[{i++}]", seen);
        }
        for (var type = node.GetType(); type is not null && type != typeof(object); type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                count += Walk(field.GetValue(node), $"{path}.{field.Name}", seen);
        return count;
    }
}
