using System.Linq;
using Ahwa.Hardware;

namespace MiniLmSentiment;

/// <summary>The paper's multi-task count: N adapters on one programmed chip against N separately programmed models.
/// The adapter's size comes from the model's layer spec (every LoRA matrix, and the digital heads each task trains,
/// PEFT's <c>modules_to_save</c>); a programmed model is the whole model with one adapter.</summary>
public sealed record AdapterBudget(int Adapters, long AdapterParameters, long ModelParameters)
{
    /// <summary>The parameters one task adds: LoRA of every layer and the digital layers (task heads).</summary>
    public static long AdapterSize(ModelSpec spec) =>
        spec.Layers.Sum(l => l.LoraParameterCount) + spec.Layers.Where(l => !l.IsAnalog).Sum(l => l.BaseParameterCount);

    public static AdapterBudget Of(ModelSpec spec, long modelParameters, int adapters) => new(adapters, AdapterSize(spec), modelParameters);

    /// <summary>One programming shared by every adapter: the model without its adapter, plus each task's adapter.</summary>
    public long OneProgramming => ModelParameters - AdapterParameters + Adapters * AdapterParameters;

    /// <summary>A separately programmed (fully fine-tuned) model per task.</summary>
    public long Separate => Adapters * ModelParameters;
}
