using System;
using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;
using CsCheck;

namespace Ahwa.Hardware.Tests;

public class Fp16Tests
{
    [Fact]
    public void EveryHalfWidensExactlyAndNarrowsBack()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            ushort h = (ushort)bits;
            float f = Fp16.ToSingle(h);
            bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
            if (nan)
            {
                Assert.Equal(Fp16.CanonicalNaN32, Fp16.Bits(f));
                Assert.Equal(Fp16.CanonicalNaN, Fp16.FromSingle(f));
                continue;
            }
            Assert.Equal((float)BitConverter.UInt16BitsToHalf(h), f);
            Assert.Equal(h, Fp16.FromSingle(f));
        }
    }

    [Fact]
    public void NarrowingRoundsToNearestEvenLikeSystemHalf() =>
        Gen.UInt.Sample(bits =>
        {
            float f = BitConverter.UInt32BitsToSingle(bits);
            if (float.IsNaN(f)) Assert.Equal(Fp16.CanonicalNaN, Fp16.FromSingle(f));
            else Assert.Equal(BitConverter.HalfToUInt16Bits((Half)f), Fp16.FromSingle(f));
        }, iter: 200_000);

    [Theory]
    [InlineData(65504f, 0x7BFF)]
    [InlineData(65519.99f, 0x7BFF)]
    [InlineData(65520f, 0x7C00)]
    [InlineData(-1e9f, 0xFC00)]
    [InlineData(5.9604645e-8f, 0x0001)]   // smallest subnormal
    [InlineData(2.9802322e-8f, 0x0000)]   // exactly half of it: ties to even, 0
    [InlineData(-0f, 0x8000)]
    public void EdgeCases(float value, int expected) => Assert.Equal((ushort)expected, Fp16.FromSingle(value));
}

public class CLiteralTests
{
    [Theory]
    [InlineData(1f, "0x1.000000p+0f")]
    [InlineData(4f, "0x1.000000p+2f")]
    [InlineData(-0.5f, "-0x1.000000p-1f")]
    [InlineData(0f, "0.0f")]
    public void FloatsAreExactHex(float value, string expected) => Assert.Equal(expected, CLiterals.Float(value));

    [Fact]
    public void HexLiteralsRoundTrip() =>
        Gen.Float.Where(f => float.IsFinite(f)).Sample(f =>
        {
            var text = CLiterals.Float(f);
            Assert.Equal(f, ParseHexFloat(text));
        }, iter: 10_000);

    static float ParseHexFloat(string text)
    {
        if (text == "0.0f") return 0f;
        if (text == "-0.0f") return -0f;
        bool negative = text.StartsWith('-');
        var body = text.TrimStart('-').Substring(2).TrimEnd('f');
        var parts = body.Split('p');
        var mantissa = parts[0].Split('.');
        double value = Convert.ToInt64(mantissa[0], 16) + Convert.ToInt64(mantissa[1], 16) / Math.Pow(16, mantissa[1].Length);
        value *= Math.Pow(2, int.Parse(parts[1]));
        return (float)(negative ? -value : value);
    }
}

public class MemoryPlannerTests
{
    static LayerSpec Layer(int ins, int outs, int rank) => new("l", LayerKind.Analog, ins, outs, true, new LoraSpec(rank, 16, 0));

    [Fact]
    public void TheTokenTileIsTheLargestThatFits()
    {
        var plan = MemoryPlanner.Plan(Layer(384, 1536, 8), ChipSpec.Default, ClusterSpec.Default);
        var kernel = plan.Kernel!;
        Assert.True(kernel.L1Used <= 128 * 1024);
        // Doubling the tile would not fit.
        var bigger = MemoryPlanner.Plan(Layer(384, 1536, 8), ChipSpec.Default, ClusterSpec.Default with { L1KiB = (kernel.L1Used * 2 + 1023) / 1024 - 1 });
        Assert.True(bigger.Kernel!.TokenTile <= kernel.TokenTile * 2);
        Assert.Equal(4, kernel.TokenTile);
        Assert.Equal(1, kernel.InputBlocks);
    }

    [Fact]
    public void BuffersDoNotOverlap() =>
        Gen.Select(Gen.Int[1, 1536], Gen.Int[1, 1536], Gen.Int[1, 32]).Sample(t =>
        {
            var plan = MemoryPlanner.Plan(Layer(t.Item1, t.Item2, Math.Min(t.Item3, Math.Min(t.Item1, t.Item2))), ChipSpec.Default, ClusterSpec.Default with { L1KiB = 8192 });
            var buffers = plan.Kernel!.Buffers.OrderBy(b => b.Offset).ToList();
            for (int i = 1; i < buffers.Count; i++) Assert.True(buffers[i - 1].Offset + buffers[i - 1].Bytes <= buffers[i].Offset);
            Assert.All(buffers, b => Assert.Equal(0, b.Offset % 8));
        }, iter: 500);

    [Fact]
    public void ALayerThatCannotFitReportsTheBytesNeeded()
    {
        var plan = MemoryPlanner.Plan(Layer(1024, 1024, 8), ChipSpec.Default, ClusterSpec.Default with { L1KiB = 16 });
        Assert.Null(plan.Kernel);
        Assert.Equal(16 * 1024, plan.BytesAvailable);
        // A and s B in FP32 (2 x 32768), bias and column scales (2 x 4096), then for one token double-buffered
        // x (2 x 2048), codes of 2 input blocks (2 x 4096), input scales (16), h (32) and y (2048).
        Assert.Equal(32768 + 32768 + 4096 + 4096 + 4096 + 8192 + 16 + 32 + 2048, plan.BytesNeeded);
    }

    [Fact]
    public void LayersOfTheSameShapeShareAKernel()
    {
        var layers = Enumerable.Range(0, 3).SelectMany(i => new[]
        {
            new LayerSpec($"encoder.layer.{i}.q", LayerKind.Analog, 384, 384, true, LoraSpec.Default),
            new LayerSpec($"encoder.layer.{i}.ffn", LayerKind.Analog, 384, 1536, true, LoraSpec.Default),
        }).ToEquatableArray();
        var model = new ModelSpec("M", ChipSpec.Default, LoraSpec.Default, ClusterSpec.Default, layers);
        var plan = DeploymentPlanner.Plan(model).Plan!;
        Assert.Equal(6, plan.Layers.Count);
        Assert.Equal(new[] { "ahwa_384x384_r8", "ahwa_384x1536_r8" }, plan.Kernels.Select(k => k.Symbol));
        Assert.Equal(new[] { "ahwa_384x384_r8", "ahwa_384x1536_r8" }, plan.Layers.Select(l => l.Kernel).Distinct());
        Assert.Equal("encoder.layer.0.ffn", plan.KernelOf("encoder.layer.2.ffn").LayerName);
        var files = KernelArtifacts.Build(model, plan).Select(a => a.Path).ToList();
        Assert.Contains("ahwa_384x1536_r8.c", files);
        Assert.Contains("manifest.json", files);
        Assert.Contains("tile_map.h", files);
    }
}
