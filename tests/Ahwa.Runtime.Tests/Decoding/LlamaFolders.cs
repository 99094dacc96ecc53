using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Lab.Tools;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>Test helpers: random pretrained-style weights, a Hugging Face folder written from a model (config.json,
/// one or several safetensors shards with their index, F32, F16 or BF16), and the independent reference run on it.</summary>
static class LlamaFolders
{
    /// <summary>Every pretrained parameter drawn from a seeded generator, scaled so activations stay near 1 (logits of a
    /// few units, where 1e-5 is float32's reach): every matrix 1/sqrt(columns) (a tied head reads the embeddings), norms 1 +- 0.2.
    /// LoRA B stays zero and output scales one, as a freshly imported model has them.</summary>
    public static void Randomise(AhwaModel model, ulong seed)
    {
        var generator = new TorchSharp.torch.Generator(seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!IsPretrained(name)) continue;
            var draw = randn(parameter.shape, generator: generator);
            if (name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name == "model.norm.weight") parameter.copy_(draw.mul(0.2).add(1));
            else parameter.copy_(draw.div(Math.Sqrt(parameter.shape[1])));
        }
    }

    public static bool IsPretrained(string name) => !name.Contains("lora_", StringComparison.Ordinal) && !name.EndsWith("output_scale", StringComparison.Ordinal);

    public static Dictionary<string, object> ConfigJson(LlamaConfig c) => new()
    {
        ["architectures"] = new[] { "LlamaForCausalLM" },
        ["model_type"] = "llama",
        ["hidden_size"] = c.Hidden,
        ["num_hidden_layers"] = c.Layers,
        ["num_attention_heads"] = c.Heads,
        ["num_key_value_heads"] = c.KeyValueHeads,
        ["head_dim"] = c.HeadSize,
        ["intermediate_size"] = c.Intermediate,
        ["vocab_size"] = c.Vocabulary,
        ["rms_norm_eps"] = c.RmsEpsilon,
        ["rope_theta"] = c.RopeTheta,
        ["rope_scaling"] = c.Scaling is null ? null! : new Dictionary<string, object>
        {
            ["rope_type"] = "llama3",
            ["factor"] = c.Scaling.Factor,
            ["low_freq_factor"] = c.Scaling.LowFrequencyFactor,
            ["high_freq_factor"] = c.Scaling.HighFrequencyFactor,
            ["original_max_position_embeddings"] = c.Scaling.OriginalPositions,
        },
        ["tie_word_embeddings"] = c.TiedEmbeddings,
        ["torch_dtype"] = "bfloat16",
    };

    /// <summary>Writes the model's pretrained parameters as a Hugging Face folder; with more than one shard, tensors go
    /// round-robin into model-0000K-of-0000N.safetensors and model.safetensors.index.json maps them.</summary>
    /// <param name="edit">Changes the tensors before they are written (a bad checkpoint for the error tests).</param>
    public static void Write(AhwaModel model, Dictionary<string, object> config, string folder, string dtype = "F32", int shards = 1,
        Func<List<RawTensor>, List<RawTensor>>? edit = null)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(config));
        var tensors = model.named_parameters().Where(p => IsPretrained(p.name))
            .Select(p => new RawTensor(p.name, dtype, p.parameter.shape, Encode(p.parameter.detach().contiguous().data<float>().ToArray(), dtype))).ToList();
        if (edit is not null) tensors = edit(tensors);
        if (shards == 1)
        {
            File.WriteAllBytes(Path.Combine(folder, "model.safetensors"), SafeTensors.Serialize(tensors));
            return;
        }
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int k = 0; k < shards; k++)
        {
            string file = string.Create(CultureInfo.InvariantCulture, $"model-{k + 1:D5}-of-{shards:D5}.safetensors");
            var part = tensors.Where((_, i) => i % shards == k).ToList();
            foreach (var t in part) map[t.Name] = file;
            File.WriteAllBytes(Path.Combine(folder, file), SafeTensors.Serialize(part));
        }
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"),
            JsonSerializer.Serialize(new { metadata = new { total_size = tensors.Sum(t => (long)t.Bytes.Length) }, weight_map = map }));
    }

    public static byte[] Encode(float[] values, string dtype)
    {
        switch (dtype)
        {
            case "F32": return System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            case "F16":
                return values.SelectMany(v => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v))).ToArray();
            case "BF16":
                // Round to nearest even on the upper 16 bits of the float32.
                return values.SelectMany(v =>
                {
                    uint bits = BitConverter.SingleToUInt32Bits(v);
                    return BitConverter.GetBytes((ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16));
                }).ToArray();
            default: throw new ArgumentException($"dtype {dtype}");
        }
    }

    /// <summary>The reference forward (llama_reference.py) on a folder: logits [batch x tokens x vocabulary] flat, the
    /// inverse frequencies, the final norm of <paramref name="normInput"/>, and the tensors it did not use.</summary>
    public static (float[] Logits, double[] Frequencies, float[] NormOutput, int Tensors, string[] Unused) Reference(string folder, long[][] ids, float[][] normInput)
    {
        var casePath = Path.Combine(folder, "..", Path.GetFileName(folder) + "-case.json");
        File.WriteAllText(casePath, JsonSerializer.Serialize(new { ids, norm_input = normInput }));
        var script = Path.Combine(AppContext.BaseDirectory, "Decoding", "llama_reference.py");
        var (code, stdout, stderr) = PythonRuntime.Run(new[] { script, folder, casePath }, folder, Array.Empty<string>(), TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        return (root.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            root.GetProperty("inverse_frequencies").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            root.GetProperty("norm_output").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            root.GetProperty("tensors").GetInt32(),
            root.GetProperty("unused").EnumerateArray().Select(v => v.GetString()!).ToArray());
    }

    public static double MaxDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => Math.Abs((double)p.First - p.Second));
    }
}
