using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;
using CsCheck;

namespace Ahwa.Hardware.Tests;

public class TileMapTests
{
    static ModelSpec Model(int tileRows, int tileCols, params (int In, int Out, LayerKind Kind)[] layers) =>
        new("M", ChipSpec.Default with { TileRows = tileRows, TileCols = tileCols },
            LoraSpec.Default, ClusterSpec.Default,
            layers.Select((l, i) => new LayerSpec("l" + i, l.Kind, l.In, l.Out, true, null)).ToEquatableArray());

    [Fact]
    public void TileIdsAreConsecutiveAndUniqueAcrossLayers() =>
        Gen.Select(Gen.Int[1, 3000], Gen.Int[1, 3000]).Array[1, 6].Sample(shapes =>
        {
            var map = TileMapBuilder.Build(Model(512, 256, shapes.Select(s => (s.Item1, s.Item2, LayerKind.Analog)).ToArray()));
            var ids = map.Layers.SelectMany(l =>
                Enumerable.Range(0, l.InputBlocks.Count).SelectMany(i => Enumerable.Range(0, l.OutputBlocks.Count).Select(j => l.TileId(i, j)))).ToArray();
            Assert.Equal(Enumerable.Range(0, map.TilesUsed), ids);
        }, iter: 500);

    [Fact]
    public void DigitalLayersTakeNoTiles()
    {
        var map = TileMapBuilder.Build(Model(512, 512, (768, 768, LayerKind.Analog), (768, 2, LayerKind.Digital)));
        Assert.Single(map.Layers);
        Assert.Equal(4, map.TilesUsed);
    }

    [Fact]
    public void UtilisationCountsUsedDevices()
    {
        var map = TileMapBuilder.Build(Model(512, 512, (768, 768, LayerKind.Analog), (768, 3072, LayerKind.Analog)));
        // 768 x 768 on 2 x 2 tiles: 589824 / (4 * 262144); 768 x 3072 on 2 x 6 tiles: 2359296 / (12 * 262144).
        Assert.Equal(0.5625, map.Layers[0].Utilisation(map.Geometry), 12);
        Assert.Equal(0.75, map.Layers[1].Utilisation(map.Geometry), 12);
        Assert.Equal((589824.0 + 2359296.0) / (16 * 262144.0), map.Utilisation, 12);
    }

    [Fact]
    public void JsonListsEveryTileWithInvariantNumbers()
    {
        var map = TileMapBuilder.Build(Model(512, 512, (1000, 600, LayerKind.Analog)));
        var json = TileMapJson.Write("M", map);
        Assert.Contains("\"tilesUsed\": 4,", json);
        Assert.Contains("{ \"id\": 3, \"inputStart\": 500, \"rows\": 500, \"outputStart\": 300, \"cols\": 300 }", json);
        Assert.DoesNotContain("\r", json);
        var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(4, doc.RootElement.GetProperty("layers")[0].GetProperty("tiles").GetArrayLength());
    }
}
