using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Generator.Tests;

/// <summary>[RiscVCluster(MatrixEngine = true)] reaches the spec, the plan and the C files, read from the compiled
/// generated code.</summary>
public class MatrixEngineTests
{
    [Fact]
    public void TheEngineAttributeReachesSpecPlanAndKernels()
    {
        var source = Harness.ReadRepoFile("tests/Ahwa.Generator.Tests/Models/BertBase.cs")
            .Replace("[RiscVCluster(L1KiB = 256)]", "[RiscVCluster(L1KiB = 256, MatrixEngine = true, EngineWidth = 12)]");
        Assert.Contains("MatrixEngine = true", source);
        var run = Harness.Generate(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(Harness.CompileProblems(run.Output));
        var assembly = Harness.Load(run.Output);
        var spec = Harness.Static<ModelSpec>(assembly, "Ahwa.Models.BertBase", "Spec");
        Assert.Equal((true, 12, 4, 3), (spec.Cluster.MatrixEngine, spec.Cluster.EngineWidth, spec.Cluster.EngineHeight, spec.Cluster.EnginePipeRegs));
        var plan = Harness.Static<DeploymentPlan>(assembly, "Ahwa.Models.BertBase", "Plan");
        Assert.All(plan.Kernels, k => Assert.True(k.MatrixEngine));
        Assert.Equal(DeploymentPlanner.Plan(spec).Plan, plan);
        var artifacts = Harness.Static<IReadOnlyList<Artifact>>(assembly, "Ahwa.Models.BertBase", "Artifacts");
        Assert.Contains(artifacts, a => a.Path == "ahwa_engine.h");
        Assert.Contains("ahwa_engine_gemm", artifacts.First(a => a.Path == plan.Kernels[0].Symbol + ".c").Text);
    }

    [Fact]
    public void AnEngineWiderThanItsPipelineAllowsIsReported()
    {
        var source = Harness.ReadRepoFile("tests/Ahwa.Generator.Tests/Models/BertBase.cs")
            .Replace("[RiscVCluster(L1KiB = 256)]", "[RiscVCluster(L1KiB = 256, MatrixEngine = true, EngineWidth = 13)]");
        var run = Harness.Generate(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Contains("EngineWidth", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }
}
