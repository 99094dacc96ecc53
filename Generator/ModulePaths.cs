using System;
using System.Collections.Generic;
using System.Threading;
using Ahwa.Hardware;

namespace Ahwa.Generator;

/// <summary>The module tree of one model as the runtime builds it: every layer and every block instance is a module
/// at its dotted path. Two nodes at one path, or a node inside a layer (<c>dense</c> and <c>dense.lora_A</c>, a leaf
/// <c>encoder.layer.1</c> beside blocks <c>encoder.layer</c>), cannot be registered, so both are build errors.</summary>
sealed class ModulePaths
{
    readonly List<DiagnosticInfo> diagnostics;
    readonly Dictionary<string, Node> nodes = new(StringComparer.Ordinal);
    readonly List<(string Path, Node Node)> order = new();

    sealed record Node(string Owner, LocationInfo? Location, bool BlockInstance);

    public ModulePaths(List<DiagnosticInfo> diagnostics) => this.diagnostics = diagnostics;

    /// <summary>Adds one node; false (with AHWA0008) when its path is taken.</summary>
    public bool Add(string path, string owner, LocationInfo? location, bool blockInstance)
    {
        if (nodes.TryGetValue(path, out var existing))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateLayerName, location, owner, path, existing.Owner));
            return false;
        }
        var node = new Node(owner, location, blockInstance);
        nodes.Add(path, node);
        order.Add((path, node));
        return true;
    }

    /// <summary>Reports each node that lies inside another layer or block of another member (AHWA0028), once per pair
    /// of members; a block's own layers lie inside its instances, which is how blocks are built.</summary>
    public bool CheckNesting(CancellationToken cancellation)
    {
        bool ok = true;
        var reported = new HashSet<(string, string)>();
        foreach (var (path, node) in order)
        {
            cancellation.ThrowIfCancellationRequested();
            for (int dot = path.LastIndexOf(LayerNaming.Separator); dot > 0; dot = path.LastIndexOf(LayerNaming.Separator, dot - 1))
            {
                if (!nodes.TryGetValue(path.Substring(0, dot), out var outer)) continue;
                if (outer.BlockInstance && outer.Owner == node.Owner) continue;
                ok = false;
                if (reported.Add((node.Owner, outer.Owner)))
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NestedModulePath, node.Location, node.Owner, path, path.Substring(0, dot), outer.Owner));
            }
        }
        return ok;
    }
}
