using System.Linq;
using Ahwa.Hardware;
using static Ahwa.Codegen.JsonText;

namespace Ahwa.Codegen;

/// <summary>The tile map as a JSON document (<see cref="JsonText"/>: stable field order, invariant numbers, '\n' newlines).</summary>
public static class TileMapJson
{
    public static string Write(string modelName, TileMap map) => JsonText.Write(Object(
        ("model", String(modelName)),
        ("tileRows", Int(map.Geometry.TileRows)),
        ("tileCols", Int(map.Geometry.TileCols)),
        ("chipTiles", Int(map.Geometry.Tiles)),
        ("tilesUsed", Int(map.TilesUsed)),
        ("weightsOnChip", Long(map.WeightsOnChip)),
        ("utilisation", Number(map.Utilisation)),
        ("chipOccupancy", Number(map.ChipOccupancy)),
        ("layers", Array(map.Layers.Select(layer => Layer(layer, map.Geometry))))));

    static JsonValue Layer(LayerTiles layer, ChipSpecGeometry geometry) => Object(
        ("name", String(layer.Name)),
        ("inFeatures", Int(layer.InFeatures)),
        ("outFeatures", Int(layer.OutFeatures)),
        ("firstTile", Int(layer.FirstTile)),
        ("tileCount", Int(layer.TileCount)),
        ("utilisation", Number(layer.Utilisation(geometry))),
        ("tiles", Array(Tiles(layer))));

    /// <summary>One line a tile, in the order of its id: input block, then output block.</summary>
    static System.Collections.Generic.IEnumerable<JsonValue> Tiles(LayerTiles layer) =>
        from i in Enumerable.Range(0, layer.InputBlocks.Count)
        from j in Enumerable.Range(0, layer.OutputBlocks.Count)
        select Record(
            ("id", Int(layer.TileId(i, j))),
            ("inputStart", Int(layer.InputBlocks[i].Start)),
            ("rows", Int(layer.InputBlocks[i].Size)),
            ("outputStart", Int(layer.OutputBlocks[j].Start)),
            ("cols", Int(layer.OutputBlocks[j].Size)));
}
