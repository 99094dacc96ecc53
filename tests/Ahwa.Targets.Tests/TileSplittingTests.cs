using System;
using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;
using CsCheck;

namespace Ahwa.Hardware.Tests;

public class TileSplittingTests
{
    static readonly Gen<(int Size, int Max)> SizeAndMax = Gen.Select(Gen.Int[1, 20_000], Gen.Int[1, 1024]);

    [Fact]
    public void BlocksCoverTheDimensionExactlyOnceInOrder() =>
        SizeAndMax.Sample(t =>
        {
            var blocks = TileSplitting.Split(t.Size, t.Max);
            int next = 0;
            foreach (var block in blocks)
            {
                Assert.Equal(next, block.Start);
                Assert.True(block.Size > 0);
                next = block.End;
            }
            Assert.Equal(t.Size, next);
        }, iter: 5000);

    [Fact]
    public void BlockSizesDifferByAtMostOneAndFitTheTile() =>
        SizeAndMax.Sample(t =>
        {
            var sizes = TileSplitting.Split(t.Size, t.Max).Select(b => b.Size).ToArray();
            Assert.True(sizes.Max() - sizes.Min() <= 1);
            Assert.True(sizes.Max() <= t.Max);
            // The larger blocks come first.
            Assert.True(sizes.SequenceEqual(sizes.OrderByDescending(s => s)));
        }, iter: 5000);

    [Fact]
    public void BlockCountIsCeilingOfSizeOverMax() =>
        SizeAndMax.Sample(t =>
            Assert.Equal((int)Math.Ceiling(t.Size / (double)t.Max), TileSplitting.Split(t.Size, t.Max).Length), iter: 5000);

    [Theory]
    [InlineData(768, 512, new[] { 384, 384 })]
    [InlineData(3072, 512, new[] { 512, 512, 512, 512, 512, 512 })]
    [InlineData(1000, 512, new[] { 500, 500 })]
    [InlineData(1025, 512, new[] { 342, 342, 341 })]
    [InlineData(384, 512, new[] { 384 })]
    [InlineData(1536, 256, new[] { 256, 256, 256, 256, 256, 256 })]
    public void KnownSplitsAreBalancedNotGreedy(int size, int max, int[] expected) =>
        Assert.Equal(expected, TileSplitting.Split(size, max).Select(b => b.Size).ToArray());

    [Theory]
    [InlineData(0, 512)]
    [InlineData(-3, 512)]
    [InlineData(10, 0)]
    public void NonPositiveSizesAreRejectedWithTheValue(int size, int max)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TileSplitting.Split(size, max));
        Assert.Contains(size <= 0 ? size.ToString() : max.ToString(), error.Message);
    }
}
