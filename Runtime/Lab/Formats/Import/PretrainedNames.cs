using System;
using System.Collections.Generic;
using Ahwa.Hardware;

namespace Ahwa.Lab.Import;

/// <summary>Which of a model's parameters a pretrained checkpoint can hold, decided by the weight roles of the layer
/// naming in Targets (not by matching name fragments).</summary>
public static class PretrainedNames
{
    /// <summary>Every LoRA matrix and analog output scale: Ahwa's own, never in a Hugging Face checkpoint.</summary>
    public static IReadOnlySet<string> AhwaOwn(ModelSpec spec)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in spec.Layers)
            foreach (var weight in LayerNaming.WeightNames(layer))
                if (weight.Role is WeightRole.LoraA or WeightRole.LoraB or WeightRole.OutputScale) names.Add(weight.Name);
        return names;
    }
}
