using System;
using System.Buffers;
using System.Linq;
using System.Numerics.Tensors;
using System.Threading.Tasks;
using Ahwa.Dsl;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>
/// The managed reference simulator of one analog linear layer W (out x in) on AIMC tiles.
/// <para>Mapping: each output column j is scaled by c_j = max_i |W[j, i]| so its weights lie in [-1, 1]
/// (column-wise scaling; c_j kept digitally); a normalised weight w is a differential pair
/// G+ = g_max max(w, 0), G- = g_max max(-w, 0). The layer is split into tiles by Targets' balanced splitting.</para>
/// <para>Forward, per token and tile: divide the token's input slice by its abs-max (noise management), DAC,
/// multiply by the tile's weights, add output noise, ADC; if an output clipped, halve the input scale and redo
/// (iterative bound management, up to the limit). Digitally: sum ADC code x ADC step x input scale over input
/// blocks, multiply by c_j, the learned output scale and drift compensation, add the bias.</para>
/// </summary>
public sealed class AnalogLayerSimulator
{
    /// <summary>Tokens one worker takes at a time: large enough that a tile's weights stream from cache few times,
    /// small enough that every core gets work. Results never depend on it.</summary>
    int TokenChunk(int tokens)
    {
        int perWorker = (tokens + 2 * Math.Max(1, MaxDegreeOfParallelism) - 1) / (2 * Math.Max(1, MaxDegreeOfParallelism));
        return Math.Clamp((perWorker + 7) / 8 * 8, 8, 64);
    }

    readonly Block[] inputBlocks;
    readonly Block[] outputBlocks;
    readonly Tile[] tiles;
    readonly float[] columnScale;
    readonly float[] outputScale;
    readonly float[]? bias;
    readonly float[] compensation;
    Quantizer dac;
    Quantizer adc;
    IDeviceModel? device;
    ReadOutResult? baseline;

    public AnalogLayerSimulator(LayerSpec layer, ChipSpec chip, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias = default, ReadOnlySpan<float> outputScale = default)
        : this(layer, chip.TileRows, chip.TileCols, AnalogTileSettings.From(chip), weight, bias, outputScale)
    {
    }

    public AnalogLayerSimulator(LayerSpec layer, int tileRows, int tileCols, AnalogTileSettings settings, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias = default, ReadOnlySpan<float> outputScale = default)
    {
        Layer = layer ?? throw new ArgumentNullException(nameof(layer));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        settings.Validate();
        if (layer.InFeatures <= 0 || layer.OutFeatures <= 0)
            throw new ArgumentException($"Layer '{layer.Name}' has shape {layer.OutFeatures} x {layer.InFeatures}; both dimensions must be positive.", nameof(layer));
        int outs = layer.OutFeatures, ins = layer.InFeatures;
        if (weight.Length != (long)outs * ins)
            throw new ArgumentException($"Layer '{layer.Name}' needs {outs} x {ins} = {(long)outs * ins} weights; got {weight.Length}.", nameof(weight));
        if (!bias.IsEmpty && bias.Length != outs) throw new ArgumentException($"Layer '{layer.Name}' needs {outs} biases; got {bias.Length}.", nameof(bias));
        if (!outputScale.IsEmpty && outputScale.Length != outs) throw new ArgumentException($"Layer '{layer.Name}' needs {outs} output scales; got {outputScale.Length}.", nameof(outputScale));
        CheckFinite(weight, layer.Name, "weight");
        CheckFinite(bias, layer.Name, "bias");
        CheckFinite(outputScale, layer.Name, "output scale");

        dac = new Quantizer(settings.DacBits, 1.0);
        adc = new Quantizer(settings.AdcBits, settings.OutputBound);
        inputBlocks = TileSplitting.Split(ins, tileRows);
        outputBlocks = TileSplitting.Split(outs, tileCols);
        this.bias = bias.IsEmpty ? null : bias.ToArray();
        this.outputScale = outputScale.IsEmpty ? Ones(outs) : outputScale.ToArray();
        compensation = Ones(outs);

        columnScale = new float[outs];
        for (int j = 0; j < outs; j++)
        {
            // MaxMagnitude returns the signed element of largest magnitude.
            float max = Math.Abs(TensorPrimitives.MaxMagnitude(weight.Slice(j * ins, ins)));
            columnScale[j] = max > 0 ? max : 1f;
        }

        tiles = new Tile[inputBlocks.Length * outputBlocks.Length];
        for (int bi = 0; bi < inputBlocks.Length; bi++)
            for (int bo = 0; bo < outputBlocks.Length; bo++)
            {
                var rows = inputBlocks[bi];
                var cols = outputBlocks[bo];
                var ideal = new float[rows.Size * cols.Size];
                for (int k = 0; k < rows.Size; k++)
                    for (int n = 0; n < cols.Size; n++)
                    {
                        int j = cols.Start + n;
                        ideal[k * cols.Size + n] = weight[j * ins + rows.Start + k] / columnScale[j];
                    }
                tiles[bi * outputBlocks.Length + bo] = new Tile(rows, cols, ideal);
            }
    }

    public LayerSpec Layer { get; }

    public AnalogTileSettings Settings { get; private set; }

    /// <summary>Changes the periphery (converters, output noise, bound and noise management) of the programmed tiles
    /// without touching the conductances: the hardware changes, the programming stays (re-adaptation).</summary>
    public void ChangePeriphery(AnalogTileSettings settings)
    {
        if (settings is null) throw new ArgumentNullException(nameof(settings));
        settings.Validate();
        var newDac = new Quantizer(settings.DacBits, 1.0);
        var newAdc = new Quantizer(settings.AdcBits, settings.OutputBound);
        (Settings, dac, adc) = (settings, newDac, newAdc);
    }

    public int TileCount => tiles.Length;

    public bool IsProgrammed => device is not null;

    /// <summary>Drift compensation applied to outputs (evaluation only); computed by <see cref="DriftTo"/>.</summary>
    public DriftCompensation Compensation { get; set; } = DriftCompensation.Global;

    /// <summary>Parallelism of <see cref="Forward"/> and programming; results never depend on it.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Per-column weight scale c_j (max |W[j, :]|).</summary>
    public ReadOnlySpan<float> ColumnScale => columnScale;

    /// <summary>Current drift-compensation factor of each output column (1 before programming).</summary>
    public ReadOnlySpan<float> CompensationFactors => compensation;

    /// <summary>Programs every device once: stores programmed conductances and drift exponents, and the
    /// calibration baseline of the programmed state: mean |output| of the fixed, seeded calibration batch (not
    /// aihwkit's identity read-out; see ReadOut).</summary>
    public void Program(IDeviceModel deviceModel, ulong seed)
    {
        device = deviceModel ?? throw new ArgumentNullException(nameof(deviceModel));
        float gMax = (float)deviceModel.GMax;
        foreach (var tile in tiles) tile.Allocate();
        // Rows of every tile in parallel: each row and polarity draws from its own stream, so the conductances do not
        // depend on scheduling, and a layer of one tile still uses every core.
        var rows = TileRows();
        Parallel.For(0, rows.Length, Options(), () => new float[outputBlocks.Max(b => b.Size)], (r, _, target) =>
        {
            var (index, k) = rows[r];
            var tile = tiles[index];
            int n = tile.Cols.Size;
            var ideal = tile.Ideal.AsSpan(k * n, n);
            for (int sign = 0; sign < 2; sign++)
            {
                for (int c = 0; c < n; c++) target[c] = gMax * Math.Max(sign == 0 ? ideal[c] : -ideal[c], 0f);
                var programmed = (sign == 0 ? tile.GPlus! : tile.GMinus!).AsSpan(k * n, n);
                var nu = (sign == 0 ? tile.NuPlus! : tile.NuMinus!).AsSpan(k * n, n);
                var random = RandomStream.For(seed, StreamPurpose.Programming, ((long)index << 24) | ((long)k << 1) | (long)sign);
                deviceModel.Program(target.AsSpan(0, n), programmed, nu, ref random);
            }
            for (int c = k * n; c < (k + 1) * n; c++) tile.Effective[c] = (tile.GPlus![c] - tile.GMinus![c]) / gMax;
            return target;
        }, _ => { });
        baseline = ReadOut();
        Array.Fill(compensation, 1f);
    }

    /// <summary>Sets the weights to their state <paramref name="seconds"/> after programming: drift from the
    /// stored exponents and fresh read noise from <paramref name="seed"/>; then updates drift compensation.</summary>
    public void DriftTo(double seconds, ulong seed)
    {
        if (!(seconds >= 0) || double.IsInfinity(seconds))
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Time since programming must be a finite number of seconds >= 0.");
        var model = device ?? throw new InvalidOperationException($"Layer '{Layer.Name}' is not programmed; call Program first.");
        float gMax = (float)model.GMax;
        var rows = TileRows();
        int widest = outputBlocks.Max(b => b.Size);
        Parallel.For(0, rows.Length, Options(), () => (new float[widest], new float[widest]), (r, _, buffers) =>
        {
            var (index, k) = rows[r];
            var tile = tiles[index];
            int n = tile.Cols.Size;
            Span<float> plus = buffers.Item1.AsSpan(0, n), minus = buffers.Item2.AsSpan(0, n);
            var random = RandomStream.For(seed, StreamPurpose.ReadNoise, ((long)index << 24) | (long)k);
            model.Read(tile.GPlus.AsSpan(k * n, n), tile.NuPlus.AsSpan(k * n, n), seconds, plus, ref random);
            model.Read(tile.GMinus.AsSpan(k * n, n), tile.NuMinus.AsSpan(k * n, n), seconds, minus, ref random);
            for (int c = 0; c < n; c++) tile.Effective[k * n + c] = (plus[c] - minus[c]) / gMax;
            return buffers;
        }, _ => { });
        var current = ReadOut();
        for (int j = 0; j < compensation.Length; j++)
            compensation[j] = Compensation switch
            {
                DriftCompensation.Global => (float)(baseline!.Global / Math.Max(current.Global, 1e-12)),
                DriftCompensation.PerColumn => (float)(baseline!.PerColumn[j] / Math.Max(current.PerColumn[j], 1e-12)),
                _ => 1f,
            };
    }

    /// <summary>Every (tile, row) of the layer: the unit of work of programming and drift, each with its own stream.</summary>
    (int Tile, int Row)[] TileRows() =>
        tiles.SelectMany((tile, index) => Enumerable.Range(0, tile.Rows.Size).Select(k => (index, k))).ToArray();

    sealed record ReadOutResult(double Global, double[] PerColumn);

    /// <summary>Calibration vectors: a fixed, seeded batch uniform in [-1, 1].</summary>
    internal const int CalibrationVectors = 64;
    internal const ulong CalibrationSeed = 0x5EED_CA11B;

    /// <summary>Mean |output| of the noise-free tiles for the fixed calibration batch: over the whole layer, and
    /// per output column. (aihwkit reads out with the identity; with the identity, devices programmed near zero
    /// conductance add their noise to every |w| instead of averaging out, which biases the factor by about 2 %.)</summary>
    ReadOutResult ReadOut()
    {
        int outs = Layer.OutFeatures, ins = Layer.InFeatures;
        var calibration = new float[CalibrationVectors * ins];
        var random = RandomStream.For(CalibrationSeed, StreamPurpose.Calibration, ins);
        for (int i = 0; i < calibration.Length; i++) calibration[i] = (float)(2 * random.NextOpenUnit() - 1);

        var sums = new float[CalibrationVectors * outs];
        var block = new float[CalibrationVectors * inputBlocks.Max(b => b.Size)];
        for (int bi = 0; bi < inputBlocks.Length; bi++)
        {
            var rows = inputBlocks[bi];
            for (int v = 0; v < CalibrationVectors; v++)
                calibration.AsSpan(v * ins + rows.Start, rows.Size).CopyTo(block.AsSpan(v * rows.Size, rows.Size));
            for (int bo = 0; bo < outputBlocks.Length; bo++)
            {
                var tile = tiles[bi * outputBlocks.Length + bo];
                int n = tile.Cols.Size;
                var products = new float[CalibrationVectors * n];
                TileMatMul.Multiply(block, CalibrationVectors, rows.Size, tile.Effective, n, products);
                for (int v = 0; v < CalibrationVectors; v++)
                    TensorPrimitives.Add(products.AsSpan(v * n, n), sums.AsSpan(v * outs + tile.Cols.Start, n), sums.AsSpan(v * outs + tile.Cols.Start, n));
            }
        }
        var perColumn = new double[outs];
        double total = 0;
        for (int v = 0; v < CalibrationVectors; v++)
            for (int j = 0; j < outs; j++)
            {
                double magnitude = Math.Abs(sums[v * outs + j]);
                perColumn[j] += magnitude / CalibrationVectors;
                total += magnitude;
            }
        return new ReadOutResult(total / ((double)CalibrationVectors * outs), perColumn);
    }

    /// <summary>The weights the tiles currently hold, de-normalised (out x in): c_j x (G+ - G-) / g_max, or the
    /// ideal weights before programming. Compensation and output scale are not included.</summary>
    public float[] EffectiveWeights()
    {
        int ins = Layer.InFeatures;
        var result = new float[Layer.OutFeatures * ins];
        foreach (var tile in tiles)
        {
            int n = tile.Cols.Size;
            for (int k = 0; k < tile.Rows.Size; k++)
                for (int c = 0; c < n; c++)
                {
                    int j = tile.Cols.Start + c;
                    result[j * ins + tile.Rows.Start + k] = tile.Effective[k * n + c] * columnScale[j];
                }
        }
        return result;
    }

    /// <summary>Runs <paramref name="tokens"/> input vectors (tokens x in) through the analog layer into
    /// <paramref name="output"/> (tokens x out). Noise comes from <paramref name="seed"/>, per token.</summary>
    public void Forward(ReadOnlySpan<float> input, int tokens, Span<float> output, ulong seed)
    {
        int ins = Layer.InFeatures, outs = Layer.OutFeatures;
        if (tokens < 0) throw new ArgumentOutOfRangeException(nameof(tokens), tokens, "Token count must be >= 0.");
        if (input.Length != (long)tokens * ins)
            throw new ArgumentException($"Layer '{Layer.Name}' expects {tokens} x {ins} = {(long)tokens * ins} inputs; got {input.Length}.", nameof(input));
        if (output.Length != (long)tokens * outs)
            throw new ArgumentException($"Layer '{Layer.Name}' writes {tokens} x {outs} = {(long)tokens * outs} outputs; output has {output.Length}.", nameof(output));
        CheckFinite(input, Layer.Name, "input");
        if (tokens == 0) return;

        // Spans cannot enter the parallel lambda; copy once (not per token) into pooled arrays.
        var x = ArrayPool<float>.Shared.Rent(input.Length);
        var y = ArrayPool<float>.Shared.Rent(output.Length);
        try
        {
            input.CopyTo(x);
            int chunkSize = TokenChunk(tokens);
            int chunks = (tokens + chunkSize - 1) / chunkSize;
            Parallel.For(0, chunks, Options(), chunk =>
            {
                int first = chunk * chunkSize;
                int count = Math.Min(chunkSize, tokens - first);
                using var work = new Workspace(this, count);
                ForwardChunk(x, y, first, count, seed, work);
            });
            y.AsSpan(0, output.Length).CopyTo(output);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(x);
            ArrayPool<float>.Shared.Return(y);
        }
    }

    void ForwardChunk(float[] x, float[] y, int first, int count, ulong seed, Workspace work)
    {
        int ins = Layer.InFeatures, outs = Layer.OutFeatures;
        var accumulator = work.Accumulator.AsSpan(0, count * outs);
        accumulator.Clear();
        for (int t = 0; t < count; t++) work.Random[t] = new CounterStream(RandomStream.Derive(seed, StreamPurpose.OutputNoise, first + t));

        for (int bi = 0; bi < inputBlocks.Length; bi++)
        {
            var rows = inputBlocks[bi];
            int k = rows.Size;
            // Noise management and DAC for this input block.
            for (int t = 0; t < count; t++)
            {
                var slice = x.AsSpan((first + t) * ins + rows.Start, k);
                float scale = Settings.NoiseManagement == NoiseManagement.AbsMax ? Math.Abs(TensorPrimitives.MaxMagnitude(slice)) : 1f;
                scale = scale > 0 ? scale : 1f;
                work.InputScale[t] = scale;
                Dac(slice, scale, work.Quantized.AsSpan(t * k, k));
            }
            for (int bo = 0; bo < outputBlocks.Length; bo++)
            {
                var tile = tiles[bi * outputBlocks.Length + bo];
                int n = tile.Cols.Size;
                var products = work.Products.AsSpan(0, count * n);
                // Every token once; then bound management: the tokens that clipped halve their input scale and are
                // redone together (one blocked product for all of them, not one streaming of the tile per token), until
                // they fit or reach the limit. Each token draws its noise from its own stream in the same order as one by one.
                bool iterative = Settings.BoundManagement == BoundManagement.Iterative;
                for (int t = 0; t < count; t++) (work.Pending[t], work.Reduction[t]) = (t, 1f);
                Span<float> quantized = work.Quantized.AsSpan(0, count * k), results = products;
                int pending = count;
                while (true)
                {
                    TileMatMul.Multiply(quantized, pending, k, tile.Effective, n, results);
                    int still = 0;
                    for (int p = 0; p < pending; p++)
                    {
                        int t = work.Pending[p];
                        var row = results.Slice(p * n, n);
                        bool clipped = AddNoiseAndConvert(row, ref work.Random[t], work.Noise);
                        if (clipped && iterative && work.Reduction[t] < Settings.BoundManagementLimit) work.Pending[still++] = t;
                        else Accumulate(row, work.InputScale[t] * work.Reduction[t], accumulator.Slice(t * outs + tile.Cols.Start, n));
                    }
                    if ((pending = still) == 0) break;
                    quantized = work.Quantized.AsSpan(count * k, pending * k);
                    results = work.Redone.AsSpan(0, pending * n);
                    for (int p = 0; p < pending; p++)
                    {
                        int t = work.Pending[p];
                        work.Reduction[t] *= 2f;
                        Dac(x.AsSpan((first + t) * ins + rows.Start, k), work.InputScale[t] * work.Reduction[t], quantized.Slice(p * k, k));
                    }
                }
            }
        }

        for (int t = 0; t < count; t++)
        {
            var acc = accumulator.Slice(t * outs, outs);
            var result = y.AsSpan((first + t) * outs, outs);
            TensorPrimitives.Multiply(acc, columnScale, result);
            TensorPrimitives.Multiply(result, outputScale, result);
            TensorPrimitives.Multiply(result, compensation, result);
            if (bias is not null) TensorPrimitives.Add(result, bias, result);
        }
    }

    void Dac(ReadOnlySpan<float> input, float scale, Span<float> quantized) => dac.Quantize(input, 1f / scale, quantized);

    /// <summary>De-scale and sum over input blocks: ADC value (code x step) x input scale x bound-management reduction.</summary>
    static void Accumulate(ReadOnlySpan<float> row, float scale, Span<float> accumulator) =>
        TensorPrimitives.MultiplyAdd(row, scale, accumulator, accumulator);

    /// <summary>Adds output noise and applies the ADC in place; true when any output was beyond the bound.</summary>
    bool AddNoiseAndConvert(Span<float> row, ref CounterStream random, float[] noise)
    {
        if (Settings.OutputNoise > 0)
        {
            var draws = noise.AsSpan(0, row.Length);
            random.FillNormal(draws);
            TensorPrimitives.MultiplyAdd(draws, (float)Settings.OutputNoise, row, row);
        }
        bool clipped = Math.Abs(TensorPrimitives.MaxMagnitude(row)) > adc.Bound;
        adc.Quantize(row, 1f, row);
        return clipped;
    }

    ParallelOptions Options() => new() { MaxDegreeOfParallelism = Math.Max(1, MaxDegreeOfParallelism) };

    static float[] Ones(int n)
    {
        var ones = new float[n];
        Array.Fill(ones, 1f);
        return ones;
    }

    static void CheckFinite(ReadOnlySpan<float> values, string layer, string what)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Layer '{layer}': {what} element {i} is {values[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}; values must be finite.", what);
    }

    /// <summary>One crossbar: its rows (input block), columns (output block) and weights stored in x out.</summary>
    sealed class Tile
    {
        public Tile(Block rows, Block cols, float[] ideal)
        {
            Rows = rows;
            Cols = cols;
            Ideal = ideal;
            Effective = (float[])ideal.Clone();
        }

        public Block Rows { get; }
        public Block Cols { get; }
        public float[] Ideal { get; }
        /// <summary>Normalised weights the crossbar computes with, k x n.</summary>
        public float[] Effective { get; }
        public float[]? GPlus, GMinus, NuPlus, NuMinus;

        public void Allocate()
        {
            GPlus ??= new float[Ideal.Length];
            GMinus ??= new float[Ideal.Length];
            NuPlus ??= new float[Ideal.Length];
            NuMinus ??= new float[Ideal.Length];
        }
    }

    /// <summary>Scratch buffers of one worker for one chunk of tokens, rented once per chunk.</summary>
    sealed class Workspace : IDisposable
    {
        public Workspace(AnalogLayerSimulator layer, int count)
        {
            int maxK = layer.inputBlocks[0].Size, maxN = layer.outputBlocks[0].Size;
            Accumulator = ArrayPool<float>.Shared.Rent(count * layer.Layer.OutFeatures);
            // The chunk's DAC outputs, then room for the tokens bound management redoes.
            Quantized = ArrayPool<float>.Shared.Rent(2 * count * maxK);
            Products = ArrayPool<float>.Shared.Rent(count * maxN);
            Redone = ArrayPool<float>.Shared.Rent(count * maxN);
            Noise = ArrayPool<float>.Shared.Rent(maxN);
            InputScale = ArrayPool<float>.Shared.Rent(count);
            Reduction = ArrayPool<float>.Shared.Rent(count);
            Pending = ArrayPool<int>.Shared.Rent(count);
            Random = new CounterStream[count];
        }

        public float[] Accumulator, Quantized, Products, Redone, Noise, InputScale, Reduction;
        public int[] Pending;
        public CounterStream[] Random;

        public void Dispose()
        {
            foreach (var buffer in new[] { Accumulator, Quantized, Products, Redone, Noise, InputScale, Reduction }) ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<int>.Shared.Return(Pending);
        }
    }
}
