using System;
using System.Linq;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Ahwa.Simulator;

namespace Ahwa.Runtime.Tests.Simulation;

public class AnalogLayerSimulatorTests
{
    static readonly AnalogTileSettings Paper = AnalogTileSettings.From(ChipSpec.Default);

    /// <summary>Converters fine enough and noise off, so the simulator must reproduce W x + b.</summary>
    static readonly AnalogTileSettings NearIdeal = new(16, 16, 100.0, 0.0, BoundManagement.None, 1, NoiseManagement.AbsMax);

    static float[] Random(int count, ulong seed, float scale = 1f)
    {
        var values = new float[count];
        var random = new RandomStream(seed, 99);
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextGaussian() * scale);
        return values;
    }

    static LayerSpec Layer(int ins, int outs) => new("layer", LayerKind.Analog, ins, outs, true, null);

    static double[] Reference(float[] w, float[] b, float[] x, int tokens, int ins, int outs)
    {
        var y = new double[tokens * outs];
        for (int t = 0; t < tokens; t++)
            for (int j = 0; j < outs; j++)
            {
                double sum = b[j];
                for (int i = 0; i < ins; i++) sum += (double)w[j * ins + i] * x[t * ins + i];
                y[t * outs + j] = sum;
            }
        return y;
    }

    [Theory]
    [InlineData(40, 24, 64, 64, 1)]
    [InlineData(700, 300, 256, 128, 5)]      // 3 x 3 tiles, uneven blocks
    [InlineData(513, 1025, 512, 512, 17)]    // 2 x 3 tiles
    public void WithoutNoiseASplitLayerComputesWxPlusB(int ins, int outs, int tileRows, int tileCols, int tokens)
    {
        var w = Random(ins * outs, 1, 0.05f);
        var b = Random(outs, 2);
        var x = Random(tokens * ins, 3);
        var sim = new AnalogLayerSimulator(Layer(ins, outs), tileRows, tileCols, NearIdeal, w, b);
        Assert.Equal(TileSplitting.BlockCount(ins, tileRows) * TileSplitting.BlockCount(outs, tileCols), sim.TileCount);
        var y = new float[tokens * outs];
        sim.Forward(x, tokens, y, seed: 4);
        var expected = Reference(w, b, x, tokens, ins, outs);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(y[i] - expected[i]) <= 2e-3 * scale, $"element {i}: {y[i]} vs {expected[i]}");
    }

    [Fact]
    public void OutputNoiseAndConvertersPerturbButDoNotBias()
    {
        const int ins = 256, outs = 64, tokens = 256;
        var w = Random(ins * outs, 5, 0.05f);
        var b = new float[outs];
        var x = Random(tokens * ins, 6);
        var sim = new AnalogLayerSimulator(Layer(ins, outs), 512, 512, Paper, w, b);
        var y = new float[tokens * outs];
        sim.Forward(x, tokens, y, seed: 7);
        var expected = Reference(w, b, x, tokens, ins, outs);
        var errors = y.Select((v, i) => v - expected[i]).ToArray();
        double rms = Math.Sqrt(expected.Average(e => e * e));
        double errorRms = Math.Sqrt(errors.Average(e => e * e));
        Assert.True(errorRms > 0.005 * rms && errorRms < 0.3 * rms, $"error rms {errorRms} vs signal rms {rms}");
        Assert.True(Math.Abs(errors.Average()) < 0.1 * errorRms, $"mean error {errors.Average()}");
    }

    [Fact]
    public void BoundManagementRerunsAClippingInputUntilNothingClips()
    {
        // Every output is the sum of 512 inputs of 1 with weight 1: 512, far beyond the bound of 12.
        const int ins = 512, outs = 8;
        var w = Enumerable.Repeat(1f, ins * outs).ToArray();
        var x = Enumerable.Repeat(1f, ins).ToArray();
        var noiseless = Paper with { OutputNoise = 0 };
        var y = new float[outs];

        new AnalogLayerSimulator(Layer(ins, outs), 512, 512, noiseless with { BoundManagement = BoundManagement.None }, w).Forward(x, 1, y, 1);
        Assert.All(y, v => Assert.Equal(12f, v));

        // Iterative: halved 6 times to 1/64 (512/64 = 8 < 12), so nothing clips; the ADC's rounding, 64 times larger, remains.
        new AnalogLayerSimulator(Layer(ins, outs), 512, 512, noiseless, w).Forward(x, 1, y, 1);
        float step = new Quantizer(8, 12.0).Step;
        Assert.All(y, v => Assert.Equal(MathF.Round(8f / step) * step * 64f, v, 1e-3f));

        // Negative outputs clip too.
        var negative = w.Select(v => -v).ToArray();
        new AnalogLayerSimulator(Layer(ins, outs), 512, 512, noiseless, negative).Forward(x, 1, y, 1);
        Assert.All(y, v => Assert.Equal(-MathF.Round(8f / step) * step * 64f, v, 1e-3f));

        // A limit of 4 stops at 1/4: still clipped at 12 x 4.
        new AnalogLayerSimulator(Layer(ins, outs), 512, 512, noiseless with { BoundManagementLimit = 4 }, w).Forward(x, 1, y, 1);
        Assert.All(y, v => Assert.Equal(48f, v));
    }

    /// <summary>Bound management redoes a chunk's clipping tokens together, in rounds: a token's result must not depend
    /// on which other tokens clipped beside it, nor how often (noise off, so each token alone is the reference).</summary>
    [Fact]
    public void TokensRedoneTogetherGiveWhatEachGivesAlone()
    {
        const int ins = 300, outs = 70, tokens = 41;
        var w = Random(ins * outs, 21, 0.05f);
        var x = Random(tokens * ins, 22);
        // Every third token all ones, scaled by 1..4: they clip and need one to several halvings; the rest do not.
        for (int t = 0; t < tokens; t += 3)
            for (int i = 0; i < ins; i++) x[t * ins + i] = 1f + t % 4 * 0.2f * MathF.Sign(w[i]);
        var noiseless = Paper with { OutputNoise = 0 };
        var sim = new AnalogLayerSimulator(Layer(ins, outs), 128, 32, noiseless, w);
        var together = new float[tokens * outs];
        sim.Forward(x, tokens, together, 5);
        var withoutBoundManagement = new float[tokens * outs];
        new AnalogLayerSimulator(Layer(ins, outs), 128, 32, noiseless with { BoundManagement = BoundManagement.None }, w).Forward(x, tokens, withoutBoundManagement, 5);
        Assert.NotEqual(withoutBoundManagement, together); // some tokens did clip
        for (int t = 0; t < tokens; t++)
        {
            var alone = new float[outs];
            sim.Forward(x.AsSpan(t * ins, ins), 1, alone, 5);
            Assert.Equal(alone, together.AsSpan(t * outs, outs).ToArray());
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameBitsWhateverTheThreadCount()
    {
        const int ins = 600, outs = 300, tokens = 37;
        var w = Random(ins * outs, 8, 0.05f);
        var x = Random(tokens * ins, 9);
        float[] Run(int threads, ulong seed)
        {
            var sim = new AnalogLayerSimulator(Layer(ins, outs), 256, 256, Paper, w, Random(outs, 10)) { MaxDegreeOfParallelism = threads };
            sim.Program(new PcmLikeDevice(), 11);
            sim.DriftTo(86400, 12);
            var y = new float[tokens * outs];
            sim.Forward(x, tokens, y, seed);
            return y;
        }
        var single = Run(1, 13);
        Assert.Equal(single, Run(2, 13));
        Assert.Equal(single, Run(8, 13));
        Assert.NotEqual(single, Run(2, 14));
    }

    // Shapes that reach every path: 8- and 4-token blocks and single tokens, 32-column strips (AVX-512 machines),
    // 16- and 8-column strips and scalar columns.
    [Theory]
    [InlineData(37, 53, 9)]
    [InlineData(64, 101, 13)]
    [InlineData(5, 32, 8)]
    [InlineData(19, 7, 3)]
    public void TileMatMulIsIndependentOfTokenGrouping(int k, int n, int tokens)
    {
        var w = Random(k * n, 15);
        var x = Random(tokens * k, 16);
        var all = new float[tokens * n];
        TileMatMul.Multiply(x, tokens, k, w, n, all);
        for (int t = 0; t < tokens; t++)
        {
            var one = new float[n];
            TileMatMul.Multiply(x.AsSpan(t * k, k), 1, k, w, n, one);
            Assert.Equal(all.AsSpan(t * n, n).ToArray(), one);
            for (int j = 0; j < n; j++)
            {
                float acc = 0;
                for (int i = 0; i < k; i++) acc = MathF.FusedMultiplyAdd(x[t * k + i], w[i * n + j], acc);
                Assert.Equal(acc, one[j]);
            }
        }
    }

    [Fact]
    public void GlobalDriftCompensationRestoresTheMeanOutputAfterOneYear()
    {
        const int size = 512, tokens = 64;
        var w = Random(size * size, 17, 0.05f);
        var x = Random(tokens * size, 18);
        var sim = new AnalogLayerSimulator(Layer(size, size), 512, 512, Paper with { OutputNoise = 0 }, w);
        sim.Program(new PcmLikeDevice(), 19);
        double MeanAbsOutput()
        {
            var y = new float[tokens * size];
            sim.Forward(x, tokens, y, 20);
            return y.Average(v => Math.Abs(v));
        }
        sim.DriftTo(0, 21);
        double baseline = MeanAbsOutput();
        sim.Compensation = DriftCompensation.None;
        sim.DriftTo(365 * 86400.0, 22);
        double uncompensated = MeanAbsOutput();
        sim.Compensation = DriftCompensation.Global;
        sim.DriftTo(365 * 86400.0, 22);
        double compensated = MeanAbsOutput();
        Assert.True(uncompensated < 0.8 * baseline, $"drift should shrink outputs: {uncompensated} vs {baseline}");
        Assert.True(Math.Abs(compensated / baseline - 1) < 0.01, $"compensated {compensated} vs baseline {baseline}");
        Assert.True(sim.CompensationFactors[0] > 1.2f);
    }

    [Fact]
    public void PerColumnCompensationGivesEachColumnItsOwnFactor()
    {
        var w = Random(128 * 16, 23, 0.05f);
        var sim = new AnalogLayerSimulator(Layer(128, 16), 512, 512, Paper, w) { Compensation = DriftCompensation.PerColumn };
        sim.Program(new PcmLikeDevice(), 24);
        sim.DriftTo(1e7, 25);
        var factors = sim.CompensationFactors.ToArray();
        Assert.All(factors, f => Assert.True(f > 1f));
        Assert.True(factors.Distinct().Count() > 8);
    }

    [Fact]
    public void EffectiveWeightsAreIdealBeforeProgrammingAndNoisyAfter()
    {
        var w = Random(64 * 32, 26, 0.1f);
        var sim = new AnalogLayerSimulator(Layer(64, 32), 512, 512, Paper, w);
        var ideal = sim.EffectiveWeights();
        for (int i = 0; i < w.Length; i++) Assert.Equal(w[i], ideal[i], 1e-6f);
        sim.Program(new PcmLikeDevice(), 27);
        var programmed = sim.EffectiveWeights();
        double error = Math.Sqrt(programmed.Select((v, i) => (v - w[i]) * (double)(v - w[i])).Average());
        Assert.True(error > 1e-3 && error < 0.1, $"programming error rms {error}");
    }

    [Fact]
    public void BadInputsAreRejectedWithTheOffendingValue()
    {
        var w = Random(8 * 4, 28);
        var sim = new AnalogLayerSimulator(Layer(8, 4), 512, 512, Paper, w);
        var y = new float[4];

        var nan = new float[8];
        nan[3] = float.NaN;
        Assert.Contains("input element 3 is NaN", Assert.Throws<ArgumentException>(() => sim.Forward(nan, 1, y, 1)).Message);
        var infinite = new float[8];
        infinite[5] = float.PositiveInfinity;
        Assert.Contains("input element 5 is Infinity", Assert.Throws<ArgumentException>(() => sim.Forward(infinite, 1, y, 1)).Message);
        Assert.Contains("expects 2 x 8 = 16 inputs; got 8", Assert.Throws<ArgumentException>(() => sim.Forward(new float[8], 2, new float[8], 1)).Message);
        Assert.Contains("writes 1 x 4 = 4 outputs; output has 3", Assert.Throws<ArgumentException>(() => sim.Forward(new float[8], 1, new float[3], 1)).Message);
        Assert.Contains("needs 4 x 8 = 32 weights; got 31", Assert.Throws<ArgumentException>(() => new AnalogLayerSimulator(Layer(8, 4), 512, 512, Paper, new float[31])).Message);
        Assert.Contains("shape 4 x 0", Assert.Throws<ArgumentException>(() => new AnalogLayerSimulator(Layer(0, 4), 512, 512, Paper, Array.Empty<float>())).Message);
        Assert.Contains("not programmed", Assert.Throws<InvalidOperationException>(() => sim.DriftTo(10, 1)).Message);
        sim.Program(new PcmLikeDevice(), 1);
        Assert.Contains("-3", Assert.Throws<ArgumentOutOfRangeException>(() => sim.DriftTo(-3, 1)).Message);
        Assert.Contains("17", Assert.Throws<ArgumentOutOfRangeException>(() => new AnalogLayerSimulator(Layer(8, 4), 512, 512, Paper with { AdcBits = 17 }, w)).Message);
        Assert.Contains("-1", Assert.Throws<ArgumentOutOfRangeException>(() => new AnalogLayerSimulator(Layer(8, 4), 512, 512, Paper with { DacBits = -1 }, w)).Message);
    }
}
