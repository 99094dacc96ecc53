using System.Linq;
using Ahwa.Runtime;

namespace Ahwa.Generator.Tests;

/// <summary>The assembly-level registry the generator emits: every model, in name order, with its statics and a
/// seeded constructor; found through the assembly attribute, as the <c>ahwa</c> command finds it.</summary>
public class RegistryTests
{
    const string Models = """
        using Ahwa.Dsl;
        using Ahwa.Runtime;

        namespace Shop;

        [AnalogModel]
        public partial class Zeta
        {
            [AnalogLinear(16, 8, Name = "dense")] public partial AnalogLinear Dense { get; }
        }

        [AnalogModel]
        public partial class Alpha
        {
            [AnalogLinear(8, 8, Name = "dense")] public partial AnalogLinear Dense { get; }
            public Alpha() : base(nameof(Alpha), Spec, Plan) { InitializeLayers(3); }
        }

        [AnalogModel]
        public abstract partial class Base
        {
            [AnalogLinear(8, 8, Name = "dense")] public partial AnalogLinear Dense { get; }
        }

        public partial class Outer
        {
            [AnalogModel]
            private partial class Hidden
            {
                [AnalogLinear(8, 8, Name = "dense")] public partial AnalogLinear Dense { get; }
            }
        }
        """;

    [Fact]
    public void ListsEveryModelInNameOrderWithItsStatics()
    {
        var run = Harness.Generate(Models);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        Assert.DoesNotContain(Harness.CompileProblems(run.Output), d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        var registry = ModelRegistry.Of(Harness.Load(run.Output));
        // A private nested model cannot be named by the registry, so it is left out; an abstract one is not constructed.
        Assert.Equal(["Alpha", "Base", "Zeta"], registry.Select(m => m.Name));
        Assert.Null(registry[1].Create);
        var zeta = registry[2];
        Assert.Equal("Shop.Zeta", zeta.Type.FullName);
        Assert.Equal(16, zeta.Spec.Layers.Single().InFeatures);
        Assert.Same(zeta.Spec, zeta.Type.GetProperty("Spec")!.GetValue(null));
        Assert.NotEmpty(zeta.Artifacts);
        Assert.NotNull(zeta.PyTorch);
        Assert.NotNull(zeta.Create); // constructing needs LibTorch, absent here: the command-line tests construct one
        // A user constructor may take anything, so the registry does not construct that model; the PyTorch target
        // cannot translate it (AHWA0104), so its listed translation has no source.
        Assert.Null(registry[0].Create);
        Assert.False(registry[0].PyTorch!.IsAvailable);
    }

    [Fact]
    public void AnAssemblyWithoutModelsHasNoRegistry()
    {
        var run = Harness.Generate("namespace Empty; public class Plain { }");
        Assert.DoesNotContain(run.Result.GeneratedSources, s => s.HintName == Ahwa.Codegen.RegistryEmitter.HintName);
        Assert.Empty(ModelRegistry.Of(Harness.Load(run.Output)));
    }
}
