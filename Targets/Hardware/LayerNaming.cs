using System.Collections.Generic;
using System.Text;

namespace Ahwa.Hardware;

/// <summary>How layers and their weights are named, build time and run time alike.
/// Names follow Hugging Face BERT (<c>encoder.layer.3.attention.self.query.weight</c>) and PEFT for adapters.</summary>
public static class LayerNaming
{
    public const char Separator = '.';
    public const string PeftPrefix = "base_model.model.";

    /// <summary>Joins a prefix and a relative name; an empty prefix leaves the name as it is.</summary>
    public static string Join(string prefix, string name) =>
        prefix.Length == 0 ? name : name.Length == 0 ? prefix : prefix + Separator + name;

    /// <summary>Name of block <paramref name="index"/> under <paramref name="prefix"/>: <c>encoder.layer.3</c>.</summary>
    public static string BlockPrefix(string prefix, int index) =>
        Join(prefix, index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string[] Segments(string name) => name.Split(Separator);

    /// <summary>Default layer name of a C# property: PascalCase to snake_case (<c>FfnIn</c> -> <c>ffn_in</c>).</summary>
    public static string FromPropertyName(string propertyName)
    {
        var builder = new StringBuilder(propertyName.Length + 4);
        for (int i = 0; i < propertyName.Length; i++)
        {
            char c = propertyName[i];
            if (char.IsUpper(c))
            {
                bool previousIsLowerOrDigit = i > 0 && (char.IsLower(propertyName[i - 1]) || char.IsDigit(propertyName[i - 1]));
                bool nextIsLower = i + 1 < propertyName.Length && char.IsLower(propertyName[i + 1]);
                bool previousIsUpper = i > 0 && char.IsUpper(propertyName[i - 1]);
                if (i > 0 && (previousIsLowerOrDigit || (previousIsUpper && nextIsLower))) builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>True for a name made of non-empty segments of letters, digits and underscores.</summary>
    public static bool IsValid(string name)
    {
        if (name.Length == 0) return false;
        foreach (var segment in Segments(name))
        {
            if (segment.Length == 0) return false;
            foreach (char c in segment)
                if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
        }
        return true;
    }

    public static string Weight(string layer) => layer + ".weight";
    public static string Bias(string layer) => layer + ".bias";
    public static string OutputScale(string layer) => layer + ".output_scale";
    public static string LoraA(string layer) => layer + ".lora_A.weight";
    public static string LoraB(string layer) => layer + ".lora_B.weight";

    /// <summary>PEFT's name for an adapter tensor in <c>adapter_model.safetensors</c>.</summary>
    public static string Peft(string parameterName) => PeftPrefix + parameterName;

    /// <summary>Every parameter a layer owns, with its role.</summary>
    public static IEnumerable<WeightName> WeightNames(LayerSpec layer)
    {
        yield return new WeightName(Weight(layer.Name), layer.Name, WeightRole.MetaWeight);
        if (layer.Bias) yield return new WeightName(Bias(layer.Name), layer.Name, WeightRole.Bias);
        if (layer.IsAnalog) yield return new WeightName(OutputScale(layer.Name), layer.Name, WeightRole.OutputScale);
        if (layer.Lora is not null)
        {
            yield return new WeightName(LoraA(layer.Name), layer.Name, WeightRole.LoraA);
            yield return new WeightName(LoraB(layer.Name), layer.Name, WeightRole.LoraB);
        }
    }
}

public enum WeightRole
{
    /// <summary>The layer's weight: analog-stationary for analog layers, digital otherwise.</summary>
    MetaWeight = 0,
    Bias = 1,
    /// <summary>Learned per-column output scale of an analog layer.</summary>
    OutputScale = 2,
    LoraA = 3,
    LoraB = 4,
}

/// <summary>One entry of the weight-name map: parameter name, owning layer, role.</summary>
public sealed record WeightName(string Name, string Layer, WeightRole Role);
