using System;
using System.Linq;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator.Tests;

/// <summary>The C# (TorchSharp) to PyTorch translation: one test per supported construct (the Python it becomes) and one
/// per unsupported construct (its warning, where it is, and that the model then carries the problem, not a module).</summary>
public class PyTorchTranslationTests
{
    const string Header = """
        using System;
        using System.Collections.Generic;
        using Ahwa.Dsl;
        using Ahwa.Runtime;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        [AnalogModel]
        [AnalogChip(TileRows = 16, TileCols = 16, Tiles = 16)]
        public partial class M
        {
            public const int Width = 8;
            [AnalogLinear(8, 8, Name = "encoder.fc")] public partial AnalogLinear Fc { get; }

        """;

    static (PyTorchTranslation Translation, Diagnostic[] Warnings) Translate(string members)
    {
        var run = Harness.Generate(Header + members + "\n}\n");
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var translation = Harness.Static<PyTorchTranslation>(Harness.Load(run.Output), "M", "PyTorch");
        return (translation, run.GeneratorDiagnostics.ToArray());
    }

    [Theory]
    [InlineData("public Tensor Forward(Tensor x) => x.transpose(0, 1).contiguous();", "return x.transpose(0, 1).contiguous()")]
    [InlineData("public Tensor Forward(Tensor x) => x.to_type(ScalarType.Float32);", "return x.to(torch.float32)")]
    [InlineData("public Tensor Forward(Tensor x) { using var scope = NewDisposeScope(); return Fc.call(x).MoveToOuterDisposeScope(); }", "return self.Fc(x)")]
    [InlineData("public Tensor Forward(Tensor x) => nn.functional.gelu(x);", "return F.gelu(x)")]
    [InlineData("public Tensor Forward(Tensor x) => x + arange(4);", "return x + torch.arange(4, device=self.ahwa_device)")]
    [InlineData("public Tensor Forward(Tensor x) => x.div(Math.Sqrt(Width / 2));", "return x.div(math.sqrt(4))")]
    [InlineData("public long Half(Tensor x) { long n = x.shape[1] / 2; return n; }", "n = ahwa_model.cs_divide(x.shape[1], 2)")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; h += x; return h; }", "h = h + x")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; foreach (var d in new long[] { 1, 2 }) h = h.mul(d); return h; }", "for d in [1, 2]:")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; for (int i = 0; i < 3; i++) h = h + i; return h; }", "for i in range(0, 3):")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; for (int i = 6; i >= 0; i -= 2) h = h + i; return h; }", "for i in range(6, 0 - 1, -2):")]
    [InlineData("public Tensor Forward(Tensor x, long k) { if (k == 0) return x; else if (k == 1) return -x; else return x * 2; }", "elif k == 1:")]
    [InlineData("public Tensor Forward(Tensor x) { Tensor Twice(Tensor t) => t * 2; return Twice(x); }", "def Twice(t):")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; void Grow() { h = h + 1; } Grow(); return h; }", "nonlocal h")]
    [InlineData("public Tensor Forward(Tensor x) => x.sum(1, keepdim: true);", "return x.sum(1, keepdim=True)")]
    [InlineData("public Tensor Forward(Tensor x, bool flag) => flag ? x : -x;", "return (x if flag else -x)")]
    [InlineData("public double Ratio(long n) => (double)n / 3;", "return float(n) / 3")]
    [InlineData("public Tensor Forward(Tensor x, Tensor? mask = null) => mask is null ? x : x + mask;", "return (x if mask is None else x + mask)")]
    [InlineData("public Tensor Forward(Tensor x) { var lambda = x; return lambda; }", "lambda_ = x")]
    [InlineData("public double Largest(double a, double b) => Math.Max(a, b);", "return max(a, b)")]
    [InlineData("public Tensor Forward(Tensor x) => x.mul(0.5f).add(float.MinValue);", "return x.mul(0.5).add(-3.4028234663852886e+38)")]
    [InlineData("public Tensor Forward(Tensor x, double scale = 2.0) => x * scale;", "def Forward(self, x, scale=2.0):")]
    [InlineData("public double Scale => 2.5;", "@property")]
    [InlineData("double temperature = 1.5;", "self.temperature = 1.5")]
    [InlineData("static Tensor Helper(Tensor t) => t.relu(); public Tensor Forward(Tensor x) => Helper(x);", "return M.Helper(x)")]
    [InlineData("public Tensor Forward(Tensor x) { if (x.dim() != 3) throw new ArgumentException(\"x must be 3-d\"); return x; }", "raise ValueError(\"x must be 3-d\")")]
    [InlineData("public Tensor Forward(Tensor x) => cat(new[] { x, x }, 1);", "return torch.cat([x, x], 1)")]
    [InlineData("public Tensor Forward(Tensor x) => (x + x) * 2 - (x - x);", "return (x + x) * 2 - (x - x)")]
    [InlineData("public Tensor Forward(Tensor x) => x[0];", "return x[0]")]
    [InlineData("LayerNorm norm = null!; partial void OnLayersCreated() { norm = nn.LayerNorm(Width, eps: 1e-5); RegisterLayer(\"encoder.norm\", norm); }", "self.register_layer(\"encoder.norm\", self.norm)")]
    [InlineData("public Tensor Forward(Tensor x) => x.shape.Length > 2 ? x.flatten(1) : x;", "return (x.flatten(1) if len(x.shape) > 2 else x)")]
    [InlineData("public Tensor @lambda(Tensor x) => x; public Tensor Forward(Tensor x) => @lambda(x);", "return self.lambda_(x)")]
    [InlineData("[AnalogLinear(8, 8, Name = \"encoder.out\")] public partial AnalogLinear pass { get; }", "pass_ = ahwa_model.Layer(\"encoder.out\")")]
    public void TranslatesTheConstruct(string members, string expectedLine)
    {
        var (translation, warnings) = Translate(members);
        Assert.Empty(warnings);
        Assert.True(translation.IsAvailable, string.Join("\n", translation.Problems));
        var lines = translation.Source!.Split('\n').Select(l => l.Trim()).ToList();
        Assert.True(lines.Contains(expectedLine), $"'{expectedLine}' not in:\n{translation.Source}");
    }

    [Theory]
    [InlineData("public Tensor Forward(Tensor x, int k) { switch (k) { default: return x; } }", "AHWA0100", "a switch statement", "switch")]
    [InlineData("public Tensor Forward(Tensor x) { do { x = x * 2; } while (x.sum().item<float>() < 1); return x; }", "AHWA0100", "a do statement", "do")]
    [InlineData("public Tensor Forward(Tensor x) { try { return x; } finally { } }", "AHWA0100", "a try statement", "try")]
    [InlineData("public Tensor Forward(Tensor x) { var h = x; for (int i = 0; i < 3; i = i * 2) h = h + i; return h; }", "AHWA0100", "a 'for' loop other than counting one variable by a constant step", "for")]
    [InlineData("public Tensor Forward(Tensor x) { Func<Tensor, Tensor> f = t => { return t; }; return x; }", "AHWA0101", "a lambda with a block body", "t =>")]
    [InlineData("public string Name(int k) => $\"layer {k}\";", "AHWA0101", "an interpolated string", "$\"")]
    [InlineData("public Tensor Forward(Tensor x) { var r = new Random(1); return x; }", "AHWA0101", "object creation ('new')", "new Random(1)")]
    [InlineData("public long Rest(long a, long b) => a % b;", "AHWA0101", "'%' on integers (C# and Python differ on negative operands)", "a % b")]
    [InlineData("public Tensor Forward(Tensor x, ref int k) => x;", "AHWA0101", "a ref, out, in or params parameter", "ref int k")]
    [InlineData("public Tensor Forward(Tensor x) => x + randn(8);", "AHWA0102", "TorchSharp function 'torch.randn'", "randn(8)")]
    [InlineData("public Tensor Forward(Tensor x) => x.index_put_(x, x);", "AHWA0102", "TorchSharp method 'Tensor.index_put_'", "x.index_put_(x, x)")]
    [InlineData("Dropout drop = null!; partial void OnLayersCreated() { drop = nn.Dropout(0.1); }", "AHWA0102", "TorchSharp module 'nn.Dropout'", "nn.Dropout(0.1)")]
    [InlineData("public void train() { }", "AHWA0103", "train", "train")]
    [InlineData("bool training;", "AHWA0103", "training", "training")]
    [InlineData("public M() : base(nameof(M), Spec, Plan) { InitializeLayers(1); }", "AHWA0104", "a constructor (the PyTorch class builds its layers itself)", "M")]
    [InlineData("static double shared = 1.0;", "AHWA0104", "a static field", "shared")]
    public void ReportsTheUnsupportedConstruct(string members, string id, string construct, string at)
    {
        var (translation, warnings) = Translate(members);
        var warning = Assert.Single(warnings);
        Assert.Equal(id, warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        string message = warning.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(construct, message, StringComparison.Ordinal);
        Assert.EndsWith("the model's PyTorch target is not generated (supported subset: docs/pytorch-target.md)", message, StringComparison.Ordinal);
        var source = Header + members;
        Assert.StartsWith(at, source.Substring(warning.Location.SourceSpan.Start), StringComparison.Ordinal);
        Assert.False(translation.IsAvailable);
        Assert.Contains(translation.Problems, p => p.Contains(id + ": ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("MiniLm", "mini_lm")]
    [InlineData("TokenClassifier", "token_classifier")]
    [InlineData("If", "if_model")]
    public void ModuleNamesAreSnakeCaseAndNeverAKeyword(string className, string module) =>
        Assert.Equal(module, Ahwa.Codegen.PyTorchEmitter.ModuleName(className));

    [Fact]
    public void EveryProblemOfAModelIsReportedInOneBuild()
    {
        var (translation, warnings) = Translate("public Tensor Forward(Tensor x) => x + randn(8) + x.index_put_(x, x);");
        Assert.Equal(2, warnings.Length);
        Assert.Equal(2, translation.Problems.Count);
    }

    [Fact]
    public void AModelWithBuildErrorsGetsNoTranslationWarnings()
    {
        var run = Harness.Generate(Header.Replace("Tiles = 16", "Tiles = 0") + "public Tensor Forward(Tensor x) => x + randn(8);\n}\n");
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id.StartsWith("AHWA01", StringComparison.Ordinal));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }
}
