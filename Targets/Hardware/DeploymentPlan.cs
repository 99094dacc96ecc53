using System;
using System.Collections.Generic;

namespace Ahwa.Hardware;

/// <summary>Which shared kernel computes the digital part of one analog layer.</summary>
public sealed record LayerKernel(string Layer, string Kernel);

/// <summary>An analog layer whose kernel cannot fit the cluster's L1, even one token at a time.</summary>
public sealed record KernelShortfall(string Layer, long BytesNeeded, int BytesAvailable);

/// <summary>
/// How a model deploys: the tile map, one kernel per distinct layer shape and constants (code size on the cluster),
/// and the kernel of every analog layer in declaration order. The generator computes it once, in its parse step, and
/// emits it as <c>MyModel.Plan</c>; the runtime, the deployment report and the cross-check read it and never plan again.
/// </summary>
public sealed record DeploymentPlan(TileMap TileMap, EquatableArray<KernelLayer> Kernels, EquatableArray<LayerKernel> Layers)
{
    /// <summary>The kernel that runs <paramref name="layer"/>'s digital part.</summary>
    public KernelLayer KernelOf(string layer)
    {
        foreach (var entry in Layers)
        {
            if (entry.Layer != layer) continue;
            foreach (var kernel in Kernels)
                if (kernel.Symbol == entry.Kernel) return kernel;
            throw new KeyNotFoundException($"The deployment plan names kernel '{entry.Kernel}' for layer '{layer}' but does not define it.");
        }
        throw new KeyNotFoundException($"The deployment plan has no analog layer named '{layer}'.");
    }
}

/// <summary>The outcome of planning: a plan, or why there is none (the tile map does not fit the chip, or some
/// layers' kernels do not fit L1). The tile map is always there, so a diagnostic can say how many tiles were needed.</summary>
public sealed record DeploymentPlanResult(DeploymentPlan? Plan, TileMap TileMap, EquatableArray<KernelShortfall> Shortfalls)
{
    /// <summary>False for a chip with an ideal ADC: the kernels take ADC codes, so such a plan has only its tile map.</summary>
    public bool HasKernels { get; init; } = true;
}

/// <summary>The one place a model is planned: tiles by balanced splitting, kernels by the memory planner, kernels
/// shared between layers of the same shape and constants.</summary>
public static class DeploymentPlanner
{
    public static DeploymentPlanResult Plan(ModelSpec model)
    {
        var map = TileMapBuilder.Build(model);
        if (!map.FitsOnChip) return new DeploymentPlanResult(null, map, EquatableArray<KernelShortfall>.Empty);
        if (model.Chip.AdcBits == Converters.IdealBits)
        {
            var tilesOnly = new DeploymentPlan(map, EquatableArray<KernelLayer>.Empty, EquatableArray<LayerKernel>.Empty);
            return new DeploymentPlanResult(tilesOnly, map, EquatableArray<KernelShortfall>.Empty) { HasKernels = false };
        }

        var kernels = new List<KernelLayer>();
        var layers = new List<LayerKernel>();
        var shortfalls = new List<KernelShortfall>();
        var shared = new Dictionary<KernelLayer, KernelLayer>();
        var symbols = new HashSet<string>();
        foreach (var layer in model.Layers)
        {
            if (!layer.IsAnalog) continue;
            var planned = MemoryPlanner.Plan(layer, model.Chip, model.Cluster);
            if (planned.Kernel is null)
            {
                shortfalls.Add(new KernelShortfall(layer.Name, planned.BytesNeeded, planned.BytesAvailable));
                continue;
            }
            // Layers differing only by name share one kernel, named after its shape.
            var key = planned.Kernel with { LayerName = "", Symbol = "" };
            if (!shared.TryGetValue(key, out var named))
            {
                named = planned.Kernel with { Symbol = SharedSymbol(planned.Kernel, symbols) };
                shared.Add(key, named);
                kernels.Add(named);
            }
            layers.Add(new LayerKernel(layer.Name, named.Symbol));
        }
        if (shortfalls.Count > 0) return new DeploymentPlanResult(null, map, shortfalls.ToEquatableArray());
        return new DeploymentPlanResult(new DeploymentPlan(map, kernels.ToEquatableArray(), layers.ToEquatableArray()), map,
            EquatableArray<KernelShortfall>.Empty);
    }

    /// <summary><c>ahwa_384x1536_r8</c>; a second kernel of that shape with other constants gets <c>_v2</c>, and so on.</summary>
    static string SharedSymbol(KernelLayer kernel, HashSet<string> taken)
    {
        string baseName = FormattableString.Invariant($"ahwa_{kernel.InFeatures}x{kernel.OutFeatures}_r{kernel.Rank}");
        string symbol = baseName;
        for (int variant = 2; !taken.Add(symbol); variant++) symbol = baseName + FormattableString.Invariant($"_v{variant}");
        return symbol;
    }
}
