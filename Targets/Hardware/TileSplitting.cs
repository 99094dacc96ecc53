using System;

namespace Ahwa.Hardware;

/// <summary>A contiguous range [Start, Start + Size) of rows or columns.</summary>
public readonly record struct Block(int Start, int Size)
{
    public int End => Start + Size;
}

/// <summary>How a dimension larger than a tile is split: n = ceil(size / max) balanced blocks, the
/// first <c>size mod n</c> one larger than the rest (not greedy max-size blocks). The one rule used by
/// the tile map, the simulator and the kernels.</summary>
public static class TileSplitting
{
    public static int BlockCount(int size, int max)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Dimension to split must be positive.");
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(max), max, "Tile dimension must be positive.");
        return (int)(((long)size + max - 1) / max);
    }

    public static Block[] Split(int size, int max)
    {
        int count = BlockCount(size, max);
        int baseSize = size / count, larger = size % count;
        var blocks = new Block[count];
        int start = 0;
        for (int i = 0; i < count; i++)
        {
            int blockSize = baseSize + (i < larger ? 1 : 0);
            blocks[i] = new Block(start, blockSize);
            start += blockSize;
        }
        return blocks;
    }
}
