using System.Linq;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>The paper's LLaMA settings: ideal converters (0 bits) and no weight clipping (sigma 0) are valid chips; an
/// ideal ADC leaves the plan without kernels (they take ADC codes) and says so.</summary>
public class IdealConverterTests
{
    static string Model(string chip) => $$"""
        using Ahwa.Dsl;
        using Ahwa.Runtime;
        namespace Ideal;
        [AnalogModel, AnalogChip({{chip}})]
        public partial class M
        {
            [AnalogLinear(64, 32, Bias = false)] public partial AnalogLinear Proj { get; }
        }
        """;

    [Fact]
    public void IdealAdcGivesATileMapWithoutKernelsAndAnInfo()
    {
        var run = Harness.Generate(Model("DacBits = 0, AdcBits = 0, WeightClipSigma = 0, WeightNoise = 0.03"));
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("AHWA0029", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Contains("'M' has an ideal ADC (AdcBits = 0)", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(Harness.CompileProblems(run.Output));
        var assembly = Harness.Load(run.Output);
        var spec = Harness.Static<ModelSpec>(assembly, "Ideal.M", "Spec");
        Assert.Equal((0, 0, 0.0, 0.03), (spec.Chip.DacBits, spec.Chip.AdcBits, spec.Chip.WeightClipSigma, spec.Chip.WeightNoise));
        var plan = Harness.Static<DeploymentPlan>(assembly, "Ideal.M", "Plan");
        Assert.Equal(1, plan.TileMap.TilesUsed);
        Assert.Empty(plan.Kernels);
    }

    [Fact]
    public void IdealDacWithARealAdcStillHasKernels()
    {
        var run = Harness.Generate(Model("DacBits = 0, WeightClipSigma = 0"));
        Assert.Empty(run.GeneratorDiagnostics);
        var plan = Harness.Static<DeploymentPlan>(Harness.Load(run.Output), "Ideal.M", "Plan");
        Assert.Equal("ahwa_64x32_r8", Assert.Single(plan.Kernels).Symbol);
    }

    [Fact]
    public void NegativeClipSigmaIsStillAnError()
    {
        var run = Harness.Generate(Model("WeightClipSigma = -1"));
        Assert.Equal("AHWA0016", Assert.Single(run.GeneratorDiagnostics).Id);
    }
}
