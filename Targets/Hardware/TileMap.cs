using System;
using System.Collections.Generic;

namespace Ahwa.Hardware;

/// <summary>Where one analog layer sits on the chip. The layer's inputs are split over tile rows and its
/// outputs over tile columns; tile (i, j) holds input block i and output block j and has id
/// <c>FirstTile + i * OutputBlocks.Count + j</c>.</summary>
public sealed record LayerTiles(
    string Name,
    int InFeatures,
    int OutFeatures,
    int FirstTile,
    EquatableArray<Block> InputBlocks,
    EquatableArray<Block> OutputBlocks)
{
    public int TileCount => checked(InputBlocks.Count * OutputBlocks.Count);

    public int TileId(int inputBlock, int outputBlock)
    {
        if ((uint)inputBlock >= (uint)InputBlocks.Count) throw new ArgumentOutOfRangeException(nameof(inputBlock), inputBlock, $"Layer '{Name}' has {InputBlocks.Count} input blocks.");
        if ((uint)outputBlock >= (uint)OutputBlocks.Count) throw new ArgumentOutOfRangeException(nameof(outputBlock), outputBlock, $"Layer '{Name}' has {OutputBlocks.Count} output blocks.");
        return FirstTile + inputBlock * OutputBlocks.Count + outputBlock;
    }

    /// <summary>Fraction of the devices of this layer's tiles that hold a weight.</summary>
    public double Utilisation(ChipSpecGeometry geometry) =>
        (double)InFeatures * OutFeatures / ((double)TileCount * geometry.TileRows * geometry.TileCols);
}

/// <summary>Tile geometry alone, so a tile map does not depend on noise settings.</summary>
public readonly record struct ChipSpecGeometry(int TileRows, int TileCols, int Tiles);

/// <summary>The placement of every analog layer of a model on the chip, in declaration order.</summary>
public sealed record TileMap(ChipSpecGeometry Geometry, EquatableArray<LayerTiles> Layers)
{
    public int TilesUsed
    {
        get
        {
            int sum = 0;
            foreach (var layer in Layers) sum = checked(sum + layer.TileCount);
            return sum;
        }
    }

    public long WeightsOnChip
    {
        get
        {
            long sum = 0;
            foreach (var layer in Layers) sum += (long)layer.InFeatures * layer.OutFeatures;
            return sum;
        }
    }

    /// <summary>Fraction of the devices of the used tiles that hold a weight.</summary>
    public double Utilisation => TilesUsed == 0 ? 0.0 : WeightsOnChip / ((double)TilesUsed * Geometry.TileRows * Geometry.TileCols);

    /// <summary>Fraction of the chip's tiles the model occupies.</summary>
    public double ChipOccupancy => (double)TilesUsed / Geometry.Tiles;

    public bool FitsOnChip => TilesUsed <= Geometry.Tiles;

    public LayerTiles Layer(string name)
    {
        foreach (var layer in Layers)
            if (layer.Name == name) return layer;
        throw new KeyNotFoundException($"The tile map has no analog layer named '{name}'.");
    }
}

public static class TileMapBuilder
{
    /// <summary>The tiles <paramref name="model"/> needs, in 64-bit arithmetic and without placing anything, so a
    /// model far too large for its chip is rejected before any block is allocated.</summary>
    public static long CountTiles(ModelSpec model)
    {
        long tiles = 0;
        foreach (var layer in model.Layers)
        {
            if (!layer.IsAnalog) continue;
            tiles += (long)TileSplitting.BlockCount(layer.InFeatures, model.Chip.TileRows) * TileSplitting.BlockCount(layer.OutFeatures, model.Chip.TileCols);
        }
        return tiles;
    }

    /// <summary>The entries the generated code lists for <paramref name="model"/>: one per layer and one per row and
    /// column block of each analog layer (see <see cref="HardwareRules.MaxGeneratedEntries"/>).</summary>
    public static long CountEntries(ModelSpec model)
    {
        long entries = 0;
        foreach (var layer in model.Layers)
        {
            entries++;
            if (!layer.IsAnalog) continue;
            entries += (long)TileSplitting.BlockCount(layer.InFeatures, model.Chip.TileRows) + TileSplitting.BlockCount(layer.OutFeatures, model.Chip.TileCols);
        }
        return entries;
    }

    /// <summary>Places the analog layers of <paramref name="model"/> on consecutive tiles.</summary>
    public static TileMap Build(ModelSpec model)
    {
        var geometry = new ChipSpecGeometry(model.Chip.TileRows, model.Chip.TileCols, model.Chip.Tiles);
        var layers = new List<LayerTiles>();
        int nextTile = 0;
        foreach (var layer in model.Layers)
        {
            if (!layer.IsAnalog) continue;
            var placed = new LayerTiles(
                layer.Name, layer.InFeatures, layer.OutFeatures, nextTile,
                TileSplitting.Split(layer.InFeatures, geometry.TileRows).ToEquatableArray(),
                TileSplitting.Split(layer.OutFeatures, geometry.TileCols).ToEquatableArray());
            layers.Add(placed);
            nextTile += placed.TileCount;
        }
        return new TileMap(geometry, layers.ToEquatableArray());
    }
}
