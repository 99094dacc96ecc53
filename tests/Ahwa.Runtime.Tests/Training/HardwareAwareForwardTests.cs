using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>
/// The fused hardware-aware forward against the formula written the plain way: tensor operations under autograd,
/// converters as straight-through estimators (forward the quantised value, backward the clamp's gradient), the
/// bound-management loop redoing clipping tokens, and the same counter-based noise drawn by index. Values must agree
/// bit for bit, gradients (whose summation order differs) to float rounding.
/// </summary>
public class HardwareAwareForwardTests
{
    static readonly ChipSpec SmallTiles = ChipSpec.Default with { TileRows = 32, TileCols = 24, OutputBound = 3 };

    public static IEnumerable<object[]> Chips() => new[]
    {
        new object[] { "default converters, iterative bound management", SmallTiles },
        new object[] { "coarse converters, clipping kept", SmallTiles with { DacBits = 4, AdcBits = 5, BoundManagement = BoundManagement.None, OutputBound = 2 } },
        new object[] { "no noise management", SmallTiles with { NoiseManagement = NoiseManagement.None, OutputBound = 6 } },
        new object[] { "bound-management limit reached", SmallTiles with { BoundManagementLimit = 2, OutputBound = 1 } },
        new object[] { "ideal converters, no weight clipping (the paper's LLaMA runs)", SmallTiles with { DacBits = 0, AdcBits = 0, WeightClipSigma = 0, WeightNoise = 0.03 } },
    };

    [Fact]
    public void IdealConvertersWithoutNoiseOrClippingGiveTheExactProduct()
    {
        var chip = SmallTiles with { DacBits = 0, AdcBits = 0, WeightClipSigma = 0, WeightNoise = 0, OutputNoise = 0, OutputBound = 1000 };
        var x = randn(new long[] { 9, 70 }, generator: new torch.Generator(3));
        var weight = randn(new long[] { 50, 70 }, generator: new torch.Generator(4)).mul(0.2f);
        weight[0, 0] = tensor(25f); // an outlier 3-sigma clipping would cut
        var call = new HardwareAwareCall(chip, TileSplitting.Split(70, chip.TileRows), TileSplitting.Split(50, chip.TileCols), 77);
        var y = HardwareAwareMvm.apply(x, weight, ones(50), call);
        float error = y.sub(x.matmul(weight.t())).abs().max().item<float>();
        Assert.True(error < 1e-4f, $"ideal chip differs from the exact product by {error}");
        var clipped = HardwareAwareMvm.apply(x, weight, ones(50), new HardwareAwareCall(chip with { WeightClipSigma = 3 }, call.InputBlocks, call.OutputBlocks, 77));
        Assert.True(clipped.sub(x.matmul(weight.t())).abs().max().item<float>() > 1f, "3-sigma clipping should cut the outlier");
    }

    [Theory]
    [MemberData(nameof(Chips))]
    public void ValuesAndGradientsAreThoseOfTheUnfusedFormula(string name, ChipSpec chip)
    {
        const int tokens = 37, ins = 70, outs = 50;
        var x = randn(new long[] { tokens, ins }, generator: new torch.Generator(3)).mul(1.5f);
        var weight = randn(new long[] { outs, ins }, generator: new torch.Generator(4)).mul(0.2f);
        var scale = rand(new long[] { outs }, generator: new torch.Generator(5)).add(0.5f);
        var upstream = randn(new long[] { tokens, outs }, generator: new torch.Generator(6));
        var inputBlocks = TileSplitting.Split(ins, chip.TileRows);
        var outputBlocks = TileSplitting.Split(outs, chip.TileCols);
        var call = new HardwareAwareCall(chip, inputBlocks, outputBlocks, 77);

        var (fused, fusedGrads) = Run(x, weight, scale, upstream, (a, w, s) => HardwareAwareMvm.apply(a, w, s, call));
        var (reference, referenceGrads) = Run(x, weight, scale, upstream, (a, w, s) => Reference(a, w, s, call));

        // An ADC snaps both paths' sums to the same code, so they agree exactly; an ideal ADC passes the float sums
        // through, whose last bit depends on how the BLAS splits the product (its thread count): a rounding's worth.
        float largest = fused.sub(reference).abs().max().item<float>();
        if (chip.AdcBits == Converters.IdealBits)
            Assert.True(largest <= 1e-6f * reference.abs().max().item<float>(), $"{name}: values differ by up to {largest}");
        else
            Assert.True(fused.eq(reference).all().item<bool>(), $"{name}: values differ by up to {largest}");
        for (int i = 0; i < 3; i++)
        {
            Assert.True(fusedGrads[i] is not null, $"{name}: the fused forward gave no gradient {i}");
            Assert.True(referenceGrads[i] is not null, $"{name}: the reference gave no gradient {i}");
            float error = fusedGrads[i]!.sub(referenceGrads[i]!).abs().max().item<float>() / referenceGrads[i]!.abs().max().item<float>();
            Assert.True(error < 1e-5f, $"{name}: gradient {i} differs by {error} (relative to its largest element)");
        }
    }

    [Fact]
    public void OnlyTheTokensThatClipAreRedoneAndTheInputGradientIsTheNoisyWeights()
    {
        var chip = SmallTiles with { OutputBound = 4, OutputNoise = 0, WeightNoise = 0 };
        var x = randn(new long[] { 64, 32 }, generator: new torch.Generator(8));
        using (no_grad()) x[..8].mul_(0.01f).add_(1f); // eight tokens of nearly equal inputs: their outputs add up and clip
        var weight = ones(20, 32);
        var call = new HardwareAwareCall(chip, TileSplitting.Split(32, chip.TileRows), TileSplitting.Split(20, chip.TileCols), 5);
        var input = x.clone().requires_grad_(true);
        var y = HardwareAwareMvm.apply(input, weight, ones(20), call);
        y.sum().backward();
        // The redone tokens came back inside the bound, at the scale of the digital product (32 x ~1).
        var digital = x.matmul(weight.t());
        Assert.True(y[..8].sub(digital[..8]).abs().max().item<float>() < 0.1f * 32);
        // With every output inside the bound the gradient is that of the noisy weights: all ones here.
        Assert.True(input.grad!.sub(20f).abs().max().item<float>() < 1e-2f);
    }

    [Fact]
    public void SameKeySameDrawsAnotherKeyOthers()
    {
        var x = randn(new long[] { 16, 40 }, generator: new torch.Generator(1));
        var weight = randn(new long[] { 30, 40 }, generator: new torch.Generator(2));
        HardwareAwareCall Call(ulong key) => new(SmallTiles, TileSplitting.Split(40, 32), TileSplitting.Split(30, 24), key);
        using var first = HardwareAwareMvm.apply(x, weight, ones(30), Call(1));
        using var again = HardwareAwareMvm.apply(x, weight, ones(30), Call(1));
        using var other = HardwareAwareMvm.apply(x, weight, ones(30), Call(2));
        Assert.True(first.eq(again).all().item<bool>());
        Assert.False(first.eq(other).all().item<bool>());
    }

    static (Tensor Value, Tensor?[] Grads) Run(Tensor x, Tensor weight, Tensor scale, Tensor upstream, Func<Tensor, Tensor, Tensor, Tensor> forward)
    {
        var a = x.clone().requires_grad_(true);
        var w = weight.clone().requires_grad_(true);
        var s = scale.clone().requires_grad_(true);
        var y = forward(a, w, s);
        y.mul(upstream).sum().backward();
        return (y.detach(), new[] { a.grad, w.grad, s.grad });
    }

    /// <summary>The converter as the simulator's quantiser computes it, with the clamp's gradient.</summary>
    static Tensor Converter(Tensor value, int bits, double bound)
    {
        var q = new Quantizer(bits, bound);
        if (q.Ideal) return value.clamp(-bound, bound);
        Tensor quantised;
        using (no_grad())
        {
            var codes = q.Steps == 1
                ? value.ge(0).to_type(ScalarType.Float32).sub(0.5f)
                : value.mul((float)(q.Steps / (2.0 * bound))).round().clamp(-(q.Steps / 2), q.Steps / 2);
            quantised = codes.mul(q.Step);
        }
        var clamped = value.clamp(-bound, bound);
        return quantised.add(clamped.sub(clamped.detach()));
    }

    static Tensor Normals(ulong key, Func<int, long> start, int rows, int count)
    {
        var values = new float[rows * count];
        for (int r = 0; r < rows; r++) CounterRandom.FillNormal(key, start(r), values.AsSpan(r * count, count));
        return tensor(values, new long[] { rows, count });
    }

    static Tensor Reference(Tensor x, Tensor weight, Tensor outputScale, HardwareAwareCall call)
    {
        var chip = call.Chip;
        int tokens = (int)x.shape[0], ins = (int)x.shape[1], outs = (int)weight.shape[0];
        float limit = HardwareAwareForward.ClipLimit(weight, chip);
        var clipped = weight.clamp(-limit, limit);
        var columnScale = clipped.detach().abs().amax(new long[] { 1 }, keepdim: true).clamp_min(1e-12f);
        var normalised = clipped.div(columnScale);
        var weightNoise = Normals(call.WeightNoiseKey, j => HardwareAwareCall.WeightNoiseIndex(ins, j, 0), outs, ins);
        Tensor Tile(Block cols, Block rows)
        {
            var tile = normalised.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size);
            float std = tile.detach().abs().max().item<float>() * (float)chip.WeightNoise;
            return tile.add(weightNoise.narrow(0, cols.Start, cols.Size).narrow(1, rows.Start, rows.Size).mul(std));
        }
        var sum = zeros(tokens, outs);
        for (int b = 0; b < call.InputBlocks.Length; b++)
        {
            var rows = call.InputBlocks[b];
            var xb = x.narrow(1, rows.Start, rows.Size);
            var s = chip.NoiseManagement == NoiseManagement.AbsMax ? xb.detach().abs().amax(new long[] { 1 }, keepdim: true) : ones(tokens, 1);
            s = where(s.gt(0), s, ones_like(s));
            var tiles = call.OutputBlocks.Select(cols => Tile(cols, rows)).ToArray();
            var fullRow = cat(tiles, 0);
            var first = Converter(xb.mul(ones_like(s).div(s)), chip.DacBits, 1.0).matmul(fullRow.t());
            var parts = new List<Tensor>();
            for (int c = 0; c < call.OutputBlocks.Length; c++)
            {
                var cols = call.OutputBlocks[c];
                int round = 0;
                Tensor Noise(long[] ids) => Normals(call.OutputNoiseKey, r => call.OutputNoiseIndex(round, b, tokens, outs, (int)ids[r], cols.Start), ids.Length, cols.Size);
                var all = Enumerable.Range(0, tokens).Select(t => (long)t).ToArray();
                var y = first.narrow(1, cols.Start, cols.Size).add(Noise(all).mul((float)chip.OutputNoise));
                var reduction = ones(tokens, 1);
                while (chip.BoundManagement == BoundManagement.Iterative)
                {
                    var clip = y.detach().abs().amax(new long[] { 1 }).gt((float)chip.OutputBound).logical_and(reduction.squeeze(1).lt((float)chip.BoundManagementLimit));
                    var redo = clip.nonzero().squeeze(1);
                    if (redo.shape[0] == 0) break;
                    round++;
                    reduction = reduction.index_put_(reduction.index_select(0, redo).mul(2f), redo);
                    var scaleRedo = s.index_select(0, redo).mul(reduction.index_select(0, redo));
                    var q = Converter(xb.index_select(0, redo).mul(ones_like(scaleRedo).div(scaleRedo)), chip.DacBits, 1.0);
                    var ids = redo.data<long>().ToArray();
                    y = y.index_copy(0, redo, q.matmul(tiles[c].t()).add(Noise(ids).mul((float)chip.OutputNoise)));
                }
                parts.Add(Converter(y, chip.AdcBits, chip.OutputBound).mul(s.mul(reduction)));
            }
            sum = b == 0 ? cat(parts, 1) : sum.add(cat(parts, 1));
        }
        return sum.mul(columnScale.t().mul(outputScale));
    }
}
