using Ahwa.Hardware;

namespace Ahwa.Generator.Tests;

/// <summary>The tile map the build produces for BERT-base, at the paper's 512 x 512 tiles and HERMES' 256 x 256,
/// read from the compiled generated code.</summary>
public class BertBaseTileMapTests
{
    static (TileMap Map, string Json) Generated(int tile)
    {
        var source = Harness.ReadRepoFile("tests/Ahwa.Generator.Tests/Models/BertBase.cs")
            .Replace("TileRows = 512, TileCols = 512", $"TileRows = {tile}, TileCols = {tile}");
        var run = Harness.Generate(source);
        Assert.Empty(run.GeneratorDiagnostics);
        var assembly = Harness.Load(run.Output);
        return (Harness.Static<TileMap>(assembly, "Ahwa.Models.BertBase", "TileMap"), Harness.Static<string>(assembly, "Ahwa.Models.BertBase", "TileMapJson"));
    }

    [Fact]
    public void At512By512BertBaseNeeds480TilesAtTwoThirdsUtilisation()
    {
        var (map, json) = Generated(512);
        // Per layer: 4 x (768 x 768 on 2 x 2) + (768 x 3072 on 2 x 6) + (3072 x 768 on 6 x 2) = 40 tiles; 12 layers.
        Assert.Equal(480, map.TilesUsed);
        Assert.Equal(72, map.Layers.Count);
        // 12 x (4 x 589824 + 2 x 2359296) weights on 480 tiles of 262144 devices.
        Assert.Equal(0.675, map.Utilisation, 12);
        Assert.Equal(0.5625, map.Layer("encoder.layer.0.attention.self.query").Utilisation(map.Geometry), 12);
        Assert.Equal(0.75, map.Layer("encoder.layer.11.output.dense").Utilisation(map.Geometry), 12);
        // The last layer holds tiles 468..479, input block i and output block j at 468 + 2 i + j.
        Assert.Equal(478, map.Layer("encoder.layer.11.output.dense").TileId(5, 0));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(480, doc.RootElement.GetProperty("tilesUsed").GetInt32());
        Assert.Equal(0.675, doc.RootElement.GetProperty("utilisation").GetDouble());
    }

    [Fact]
    public void At256By256BertBaseNeeds1296FullyUsedTiles()
    {
        var (map, _) = Generated(256);
        Assert.Equal(1296, map.TilesUsed);
        Assert.Equal(1.0, map.Utilisation);
    }
}
