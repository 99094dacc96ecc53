using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Tools;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Models;

/// <summary>Issue 14, item 3: MobileBERT in the DSL, in a tiny random configuration, against a PyTorch forward written
/// from the architecture (mobilebert_reference.py, run with Debian's python3-torch), within 1e-5.</summary>
public class TinyMobileBertTests
{
    [Fact]
    public void TranslatesToPyTorchWithNoNormReadingTheLayerNormsParameters()
    {
        var translation = TinyMobileBert.PyTorch;
        Assert.True(translation.IsAvailable, string.Join("\n", translation.Problems));
        Assert.Contains("x.mul(norm.weight).add(norm.bias)", translation.Source);
    }

    [Fact]
    public void MatchesAnIndependentPyTorchForward()
    {
        using var model = new TinyMobileBert(seed: 5);
        model.SetExecution(AnalogExecution.Digital);
        model.eval();
        // Every pretrained-style parameter random (seeded), so a swapped weight or a missed term shows; LoRA B stays
        // zero and the output scales one, as a freshly imported model has them.
        var generator = new TorchSharp.torch.Generator(11);
        var parameters = new Dictionary<string, object>(StringComparer.Ordinal);
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (name.Contains("lora_", StringComparison.Ordinal) || name.EndsWith("output_scale", StringComparison.Ordinal)) continue;
                parameter.copy_(randn(parameter.shape, generator: generator).mul(0.2).add(name.Contains("LayerNorm.weight", StringComparison.Ordinal) ? 1 : 0));
                parameters[name] = new { shape = parameter.shape, data = parameter.data<float>().ToArray() };
            }
        Assert.Contains("embeddings.embedding_transformation.weight", parameters.Keys);
        Assert.Contains("encoder.layer.1.ffn.2.output.LayerNorm.bias", parameters.Keys);
        Assert.Contains("encoder.layer.0.output.bottleneck.dense.weight", parameters.Keys);
        Assert.Contains("encoder.layer.0.bottleneck.attention.LayerNorm.weight", parameters.Keys);
        // Per layer 15 linears and 8 NoNorms (weight and bias each); embeddings: words, positions, types, the
        // transformation's two, the NoNorm's two; qa_outputs' two.
        Assert.Equal(2 * (15 * 2 + 8 * 2) + 3 + 2 + 2 + 2, parameters.Count);

        long[] ids = [3, 17, 42, 8, 8, 29, 1, 5, 44, 12, 0, 7, 0, 0];
        long[] types = [0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1];
        long[] mask = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
        var (idsT, typesT, maskT) = (tensor(ids).view(2, 7), tensor(types).view(2, 7), tensor(mask).view(2, 7));
        var hidden = model.Encode(idsT, typesT, maskT).data<float>().ToArray();
        var spans = model.Forward(idsT, typesT, maskT).data<float>().ToArray();

        var folder = Directory.CreateTempSubdirectory("ahwa-mobilebert-").FullName;
        try
        {
            var input = Path.Combine(folder, "case.json");
            File.WriteAllText(input, JsonSerializer.Serialize(new
            {
                @params = parameters,
                ids = new[] { ids[..7], ids[7..] },
                types = new[] { types[..7], types[7..] },
                mask = new[] { mask[..7], mask[7..] },
                heads = TinyMobileBertLayer.Heads,
            }));
            var script = Path.Combine(AppContext.BaseDirectory, "Models", "mobilebert_reference.py");
            var (code, stdout, stderr) = PythonRuntime.Run(new[] { script, input }, folder, Array.Empty<string>(), TimeSpan.FromMinutes(2));
            Assert.True(code == 0, stderr);
            using var reference = JsonDocument.Parse(stdout);
            var root = reference.RootElement;
            Assert.Equal(2, root.GetProperty("layers").GetInt32());
            Assert.Equal(0, root.GetProperty("unused").GetArrayLength()); // the reference read every tensor the model has
            static float[] Values(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var (expectedHidden, expectedSpans) = (Values(root.GetProperty("hidden")), Values(root.GetProperty("spans")));
            Assert.Equal(expectedHidden.Length, hidden.Length);
            Assert.True(expectedHidden.Max(Math.Abs) > 0.5, $"outputs too small to test anything: {expectedHidden.Max(Math.Abs)}");
            Assert.True(hidden.Zip(expectedHidden).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, $"hidden: max difference {hidden.Zip(expectedHidden).Max(p => Math.Abs(p.First - p.Second))}, largest {expectedHidden.Max(Math.Abs)}, spans {spans.Zip(expectedSpans).Max(p => Math.Abs(p.First - p.Second))}");
            Assert.True(spans.Zip(expectedSpans).Max(p => Math.Abs(p.First - p.Second)) < 1e-5, $"spans: max difference {spans.Zip(expectedSpans).Max(p => Math.Abs(p.First - p.Second))}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
