using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the deployment plan computed in the generator's parse step: the tile map (typed, and as a JSON
/// document) and <c>Plan</c> (tile map, shared kernels, the kernel of each analog layer).</summary>
public static class TileMapEmitter
{
    public static GeneratedFile Emit(ModelDeclaration declaration)
    {
        var map = declaration.Plan.TileMap;
        var text = CSharpFile.Write(declaration.Type, "partial class " + declaration.Type.Name, w =>
        {
            w.Line($"/// <summary>Placement of the analog layers: {Literals.Int(map.TilesUsed)} of {Literals.Int(map.Geometry.Tiles)} tiles of {Literals.Int(map.Geometry.TileRows)} x {Literals.Int(map.Geometry.TileCols)}, utilisation {Percent(map.Utilisation)}.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            w.Line($"public static {CSharpNames.TileMap} TileMap {{ get; }} = new {CSharpNames.TileMap}(");
            using (w.Indent())
            {
                w.Line($"new {CSharpNames.ChipSpecGeometry}({Literals.Int(map.Geometry.TileRows)}, {Literals.Int(map.Geometry.TileCols)}, {Literals.Int(map.Geometry.Tiles)}),");
                w.Line($"{CSharpNames.EquatableArray}.Create(");
                using (w.Indent())
                {
                    for (int i = 0; i < map.Layers.Count; i++)
                    {
                        var l = map.Layers[i];
                        w.Line($"new {CSharpNames.LayerTiles}({Literals.CSharpString(l.Name)}, {Literals.Int(l.InFeatures)}, {Literals.Int(l.OutFeatures)}, {Literals.Int(l.FirstTile)}, {Blocks(l.InputBlocks)}, {Blocks(l.OutputBlocks)})" + (i == map.Layers.Count - 1 ? "));" : ","));
                    }
                    if (map.Layers.Count == 0) w.Line($"new {CSharpNames.LayerTiles}[0]));");
                }
            }
            w.Line();
            w.Line("/// <summary>The tile map as JSON, for deployment tools.</summary>");
            // A property, not a constant: a large map is UTF-8 data decoded at run time (see Literals.CSharpText).
            w.Line($"public static string TileMapJson {{ get; }} = {Literals.CSharpText(TileMapJson.Write(declaration.Model.Name, map))};");
            w.Line();
            WritePlan(w, declaration.Plan);
        });
        return new GeneratedFile(declaration.Type.HintName + ".TileMap.g.cs", text);
    }

    /// <summary>The deployment plan, after <c>TileMap</c> in the same file so static initialisation sees it.</summary>
    static void WritePlan(IndentedWriter w, DeploymentPlan plan)
    {
        w.Line($"/// <summary>How the model deploys: its tile map, {Literals.Int(plan.Kernels.Count)} shared cluster kernels and the kernel of each of its {Literals.Int(plan.Layers.Count)} analog layers. Computed once at build time.</summary>");
        w.Line(CSharpFile.GeneratedCodeAttribute);
        w.Line($"public static {CSharpNames.DeploymentPlan} Plan {{ get; }} = new {CSharpNames.DeploymentPlan}(");
        using (w.Indent())
        {
            w.Line("TileMap,");
            w.Line($"{CSharpNames.EquatableArray}.Create(");
            using (w.Indent())
            {
                for (int i = 0; i < plan.Kernels.Count; i++)
                    w.Line(Kernel(plan.Kernels[i]) + (i == plan.Kernels.Count - 1 ? ")," : ","));
                if (plan.Kernels.Count == 0) w.Line($"new {CSharpNames.KernelLayer}[0]),");
            }
            w.Line($"{CSharpNames.EquatableArray}.Create(");
            using (w.Indent())
            {
                for (int i = 0; i < plan.Layers.Count; i++)
                    w.Line($"new {CSharpNames.LayerKernel}({Literals.CSharpString(plan.Layers[i].Layer)}, {Literals.CSharpString(plan.Layers[i].Kernel)})" + (i == plan.Layers.Count - 1 ? "));" : ","));
                if (plan.Layers.Count == 0) w.Line($"new {CSharpNames.LayerKernel}[0]));");
            }
        }
    }

    static string Kernel(KernelLayer k) =>
        $"new {CSharpNames.KernelLayer}({Literals.CSharpString(k.LayerName)}, {Literals.CSharpString(k.Symbol)}, {Literals.Int(k.InFeatures)}, {Literals.Int(k.OutFeatures)}, " +
        $"{Literals.Int(k.Rank)}, {Literals.Int(k.InputBlocks)}, {Literals.CSharpFloat(k.AdcStep)}, {Literals.CSharpFloat(k.LoraScale)}, {Literals.Int(k.Cores)}, " +
        $"{Literals.Int(k.L1Bytes)}, {Literals.Int(k.TokenTile)}, {Literals.Int(k.TokenBlock)}, {CSharpNames.EquatableArray}.Create(" +
        string.Join(", ", k.Buffers.Select(b => $"new {CSharpNames.L1Buffer}({Literals.CSharpString(b.Name)}, {Literals.Int(b.Offset)}, {Literals.Int(b.Bytes)})")) + ")" +
        (k.MatrixEngine ? ", MatrixEngine: true)" : ")");

    static string Blocks(EquatableArray<Block> blocks) =>
        $"{CSharpNames.EquatableArray}.Create(" + string.Join(", ", blocks.Select(b => $"new {CSharpNames.Block}({Literals.Int(b.Start)}, {Literals.Int(b.Size)})")) + ")";

    static string Percent(double fraction) => (fraction * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " %";
}
