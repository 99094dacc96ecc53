using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;

namespace Ahwa.Lab.Import;

/// <summary>LLaMA-3's rope_scaling (rope_type "llama3").</summary>
public sealed record RopeScaling(double Factor, double LowFrequencyFactor, double HighFrequencyFactor, double OriginalPositions);

/// <summary>The sizes of a LLaMA-family decoder, as a Hugging Face config.json states them and as a DSL class's
/// constants fix them. <see cref="Scaling"/> null: no rope scaling.</summary>
public sealed record LlamaConfig(
    int Hidden, int Layers, int Heads, int KeyValueHeads, int HeadSize, int Intermediate, int Vocabulary,
    double RmsEpsilon, double RopeTheta, RopeScaling? Scaling, bool TiedEmbeddings)
{
    /// <summary>Reads config.json: model_type "llama" (or architectures naming a Llama class); every size the model
    /// needs, each a clear error naming the file and the field when missing or not a number.</summary>
    public static LlamaConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': no config.json; a Hugging Face folder has one beside its weights.", path);
        using var document = ParseJson(path);
        return FromJson(document.RootElement, path);
    }

    /// <summary><see cref="Read"/> of a parsed config.json; <paramref name="path"/> names it in errors.</summary>
    public static LlamaConfig FromJson(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"'{path}': config.json is a JSON {root.ValueKind}, not an object.");
        string? modelType = root.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var architectures = new List<string>();
        if (root.TryGetProperty("architectures", out var a) && a.ValueKind == JsonValueKind.Array)
            foreach (var item in a.EnumerateArray()) if (item.ValueKind == JsonValueKind.String) architectures.Add(item.GetString()!);
        if (modelType is not null ? modelType != "llama" : !architectures.Exists(n => n.StartsWith("Llama", StringComparison.Ordinal)))
            throw new InvalidDataException(modelType is not null
                ? $"'{path}': model_type is '{modelType}'; only LLaMA-family decoders (model_type 'llama') import here."
                : $"'{path}': architectures is [{string.Join(", ", architectures)}] and there is no model_type; only LLaMA-family decoders (LlamaForCausalLM) import here.");
        if (modelType is not null && architectures.Count > 0 && !architectures.Exists(n => n.StartsWith("Llama", StringComparison.Ordinal)))
            throw new InvalidDataException($"'{path}': architectures is [{string.Join(", ", architectures)}]; a LLaMA-family decoder is LlamaForCausalLM.");

        int hidden = Integer(root, "hidden_size", path), heads = Integer(root, "num_attention_heads", path);
        int headSize = root.TryGetProperty("head_dim", out var hd) && hd.ValueKind != JsonValueKind.Null ? Integer(root, "head_dim", path) : hidden / Math.Max(1, heads);
        RopeScaling? scaling = null;
        if (root.TryGetProperty("rope_scaling", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"'{path}': rope_scaling is {s}, not an object.");
            string? type = s.TryGetProperty("rope_type", out var rt) ? rt.GetString() : s.TryGetProperty("type", out var ty) ? ty.GetString() : null;
            if (type != "llama3") throw new InvalidDataException($"'{path}': rope_scaling.rope_type is '{type}'; only LLaMA-3's 'llama3' scaling is supported.");
            scaling = new RopeScaling(Number(s, "factor", path, "rope_scaling."), Number(s, "low_freq_factor", path, "rope_scaling."),
                Number(s, "high_freq_factor", path, "rope_scaling."), Number(s, "original_max_position_embeddings", path, "rope_scaling."));
        }
        bool tied = root.TryGetProperty("tie_word_embeddings", out var tie) && tie.ValueKind == JsonValueKind.True;
        return new LlamaConfig(hidden, Integer(root, "num_hidden_layers", path), heads,
            root.TryGetProperty("num_key_value_heads", out var kv) && kv.ValueKind != JsonValueKind.Null ? Integer(root, "num_key_value_heads", path) : heads,
            headSize, Integer(root, "intermediate_size", path), Integer(root, "vocab_size", path), Number(root, "rms_norm_eps", path, ""),
            root.TryGetProperty("rope_theta", out _) ? Number(root, "rope_theta", path, "") : 10000.0, scaling, tied);
    }

    /// <summary>Throws unless <paramref name="found"/> (read from <paramref name="path"/>) equals this, the DSL class's
    /// configuration, naming the first field that differs and both values.</summary>
    public void RequireMatch(LlamaConfig found, string path)
    {
        void Same(string field, object expected, object actual)
        {
            if (!Equals(expected, actual))
                throw new InvalidDataException($"'{path}': {field} is {Format(actual)} but the model class has {Format(expected)}.");
        }
        Same("hidden_size", Hidden, found.Hidden);
        Same("num_hidden_layers", Layers, found.Layers);
        Same("num_attention_heads", Heads, found.Heads);
        Same("num_key_value_heads", KeyValueHeads, found.KeyValueHeads);
        Same("head_dim", HeadSize, found.HeadSize);
        Same("intermediate_size", Intermediate, found.Intermediate);
        Same("vocab_size", Vocabulary, found.Vocabulary);
        Same("rms_norm_eps", RmsEpsilon, found.RmsEpsilon);
        Same("rope_theta", RopeTheta, found.RopeTheta);
        Same("rope_scaling.factor", Scaling?.Factor ?? 1.0, found.Scaling?.Factor ?? 1.0);
        if (Scaling is not null && found.Scaling is not null)
        {
            Same("rope_scaling.low_freq_factor", Scaling.LowFrequencyFactor, found.Scaling.LowFrequencyFactor);
            Same("rope_scaling.high_freq_factor", Scaling.HighFrequencyFactor, found.Scaling.HighFrequencyFactor);
            Same("rope_scaling.original_max_position_embeddings", Scaling.OriginalPositions, found.Scaling.OriginalPositions);
        }
        Same("tie_word_embeddings", TiedEmbeddings, found.TiedEmbeddings);
    }

    static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
    };

    static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{path}': not valid JSON ({error.Message}).", error);
        }
    }

    static int Integer(JsonElement o, string field, string path)
    {
        if (!o.TryGetProperty(field, out var v)) throw new InvalidDataException($"'{path}': {field} is missing.");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n) || n < 1)
            throw new InvalidDataException($"'{path}': {field} is {v.GetRawText()}; it must be a positive integer.");
        return n;
    }

    static double Number(JsonElement o, string field, string path, string prefix)
    {
        if (!o.TryGetProperty(field, out var v)) throw new InvalidDataException($"'{path}': {prefix}{field} is missing.");
        if (v.ValueKind != JsonValueKind.Number) throw new InvalidDataException($"'{path}': {prefix}{field} is {v.GetRawText()}; it must be a number.");
        return v.GetDouble();
    }
}
