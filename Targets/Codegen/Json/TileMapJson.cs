using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>The tile map as a JSON document (stable field order, invariant numbers, '\n' newlines).</summary>
public static class TileMapJson
{
    public static string Write(string modelName, TileMap map)
    {
        var w = new IndentedWriter("  ");
        w.Line("{");
        using (w.Indent())
        {
            w.Line($"\"model\": {Literals.String(modelName)},");
            w.Line($"\"tileRows\": {Literals.Int(map.Geometry.TileRows)},");
            w.Line($"\"tileCols\": {Literals.Int(map.Geometry.TileCols)},");
            w.Line($"\"chipTiles\": {Literals.Int(map.Geometry.Tiles)},");
            w.Line($"\"tilesUsed\": {Literals.Int(map.TilesUsed)},");
            w.Line($"\"weightsOnChip\": {Literals.Long(map.WeightsOnChip)},");
            w.Line($"\"utilisation\": {Literals.JsonNumber(map.Utilisation)},");
            w.Line($"\"chipOccupancy\": {Literals.JsonNumber(map.ChipOccupancy)},");
            w.Line("\"layers\": [");
            using (w.Indent())
            {
                for (int l = 0; l < map.Layers.Count; l++)
                {
                    var layer = map.Layers[l];
                    w.Line("{");
                    using (w.Indent())
                    {
                        w.Line($"\"name\": {Literals.String(layer.Name)},");
                        w.Line($"\"inFeatures\": {Literals.Int(layer.InFeatures)},");
                        w.Line($"\"outFeatures\": {Literals.Int(layer.OutFeatures)},");
                        w.Line($"\"firstTile\": {Literals.Int(layer.FirstTile)},");
                        w.Line($"\"tileCount\": {Literals.Int(layer.TileCount)},");
                        w.Line($"\"utilisation\": {Literals.JsonNumber(layer.Utilisation(map.Geometry))},");
                        w.Line("\"tiles\": [");
                        using (w.Indent())
                        {
                            for (int i = 0; i < layer.InputBlocks.Count; i++)
                            {
                                for (int j = 0; j < layer.OutputBlocks.Count; j++)
                                {
                                    var rows = layer.InputBlocks[i];
                                    var cols = layer.OutputBlocks[j];
                                    bool last = i == layer.InputBlocks.Count - 1 && j == layer.OutputBlocks.Count - 1;
                                    w.Line($"{{ \"id\": {Literals.Int(layer.TileId(i, j))}, \"inputStart\": {Literals.Int(rows.Start)}, \"rows\": {Literals.Int(rows.Size)}, \"outputStart\": {Literals.Int(cols.Start)}, \"cols\": {Literals.Int(cols.Size)} }}{(last ? "" : ",")}");
                                }
                            }
                        }
                        w.Line("]");
                    }
                    w.Line(l == map.Layers.Count - 1 ? "}" : "},");
                }
            }
            w.Line("]");
        }
        w.Line("}");
        return w.ToString();
    }
}
