using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the tile map computed at build time: typed, and as a JSON document.</summary>
public static class TileMapEmitter
{
    public static GeneratedFile Emit(ModelDeclaration declaration)
    {
        var map = TileMapBuilder.Build(declaration.Model);
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
                        w.Line($"new {CSharpNames.LayerTiles}({Literals.String(l.Name)}, {Literals.Int(l.InFeatures)}, {Literals.Int(l.OutFeatures)}, {Literals.Int(l.FirstTile)}, {Blocks(l.InputBlocks)}, {Blocks(l.OutputBlocks)})" + (i == map.Layers.Count - 1 ? "));" : ","));
                    }
                    if (map.Layers.Count == 0) w.Line($"new {CSharpNames.LayerTiles}[0]));");
                }
            }
            w.Line();
            w.Line("/// <summary>The tile map as JSON, for deployment tools.</summary>");
            w.Line($"public const string TileMapJson = {Literals.Verbatim(TileMapJson.Write(declaration.Model.Name, map))};");
        });
        return new GeneratedFile(declaration.Type.HintName + ".TileMap.g.cs", text);
    }

    static string Blocks(EquatableArray<Block> blocks) =>
        $"{CSharpNames.EquatableArray}.Create(" + string.Join(", ", blocks.Select(b => $"new {CSharpNames.Block}({Literals.Int(b.Start)}, {Literals.Int(b.Size)})")) + ")";

    static string Percent(double fraction) => (fraction * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " %";
}
