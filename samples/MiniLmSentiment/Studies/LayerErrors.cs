using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Runtime;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment.Studies;

/// <summary>One way of computing an analog layer that the study compares with the digital layer.</summary>
/// <param name="Name">As the table heads its column.</param>
/// <param name="Chip">For training-time noise: the chip the layer runs with (a knob switched off, say); null for programmed tiles.</param>
/// <param name="Seconds">For programmed tiles: the drift time.</param>
public sealed record LayerMode(string Name, Func<ChipSpec, ChipSpec>? Chip, double Seconds = 0)
{
    public bool IsProgrammed => Chip is null;

    /// <summary>The training-time noise model with every knob as the chip declares it, its parts one at a time, and
    /// programmed tiles at 0 s, 1 year and 10 years.</summary>
    public static IReadOnlyList<LayerMode> Standard { get; } = new LayerMode[]
    {
        new("training noise", c => c),
        new("  weight noise only", c => c with { OutputNoise = 0, DacBits = 0, AdcBits = 0 }),
        new("  output noise only", c => c with { WeightNoise = 0, DacBits = 0, AdcBits = 0 }),
        new("  DAC/ADC only", c => c with { WeightNoise = 0, OutputNoise = 0 }),
        new("  clipping only", c => c with { WeightNoise = 0, OutputNoise = 0, DacBits = 0, AdcBits = 0 }),
        new("  DAC/ADC, no clipping", c => c with { WeightNoise = 0, OutputNoise = 0, WeightClipSigma = 0 }),
        new("chip, 0 s", null, 0),
        new("chip, 1 year", null, 31536000),
        new("chip, 10 years", null, 315360000),
    };
}

/// <summary>One layer's relative output error under each mode: mean and spread over draws (training noise) or
/// programmings (chip).</summary>
public sealed record LayerError(string Layer, int Tokens, IReadOnlyList<double> Mean, IReadOnlyList<double> Std);

/// <summary>
/// Issue 32's second question: is the training-time noise model at least as hard as the programmed chip? For each
/// analog layer of the model, its inputs are recorded from a digital forward of real test items; then the layer's
/// output in each <see cref="LayerMode"/> is compared with its digital output on those same inputs. The error is
/// ||y_mode − y_digital|| / ||W x|| over every recorded token (bias and LoRA cancel in the difference).
/// </summary>
public static class LayerErrors
{
    /// <param name="forward">A digital forward of the items whose activations the layers see (e.g. the task's evaluation).</param>
    /// <param name="draws">Noise draws (training noise) and programmings (chip) per mode.</param>
    public static IReadOnlyList<LayerError> Measure(AhwaModel model, Action forward, IReadOnlyList<LayerMode> modes, IDeviceModel device, int draws, ulong seed,
        int maxTokens = 2048)
    {
        if (draws < 1) throw new ArgumentOutOfRangeException(nameof(draws), draws, "At least one draw is needed.");
        var layers = model.AnalogLayers;
        var inputs = RecordInputs(model, forward, maxTokens);
        try
        {
            // errors[layer][mode] over draws
            var errors = layers.Select(_ => modes.Select(_ => new List<double>()).ToArray()).ToArray();
            using var noGrad = no_grad();
            model.eval();
            var digital = new Tensor[layers.Count];
            var reference = new double[layers.Count];
            model.SetExecution(AnalogExecution.Digital);
            for (int l = 0; l < layers.Count; l++)
            {
                digital[l] = layers[l].forward(inputs[l]).detach();
                reference[l] = nn.functional.linear(inputs[l], layers[l].weight).norm().item<float>();
            }
            var chips = layers.Select(l => l.Chip).ToList();
            for (int d = 0; d < draws; d++)
            {
                ulong drawSeed = RandomStream.Derive(seed, StreamPurpose.Evaluation, d);
                // Training noise: each mode with its own chip, the same draws for every mode.
                for (int m = 0; m < modes.Count; m++)
                {
                    if (modes[m].IsProgrammed) continue;
                    model.SeedNoise(drawSeed);
                    model.SetExecution(AnalogExecution.HardwareAware);
                    for (int l = 0; l < layers.Count; l++)
                    {
                        layers[l].Chip = modes[m].Chip!(chips[l]);
                        errors[l][m].Add(RelativeError(layers[l].forward(inputs[l]), digital[l], reference[l]));
                        layers[l].Chip = chips[l];
                    }
                }
                // The chip: one programming per draw, drifted to each mode's time.
                var programmed = Enumerable.Range(0, modes.Count).Where(m => modes[m].IsProgrammed).ToList();
                if (programmed.Count == 0) continue;
                model.Program(device, drawSeed);
                model.SetExecution(AnalogExecution.Programmed);
                foreach (int m in programmed)
                {
                    model.DriftTo(modes[m].Seconds, RandomStream.Derive(drawSeed, StreamPurpose.Drift, m));
                    for (int l = 0; l < layers.Count; l++) errors[l][m].Add(RelativeError(layers[l].forward(inputs[l]), digital[l], reference[l]));
                }
            }
            model.SetExecution(AnalogExecution.Digital);
            foreach (var t in digital) t.Dispose();
            return layers.Select((layer, l) => new LayerError(layer.Spec.Name, (int)inputs[l].shape[0],
                errors[l].Select(e => e.Average()).ToList(), errors[l].Select(e => Ahwa.Lab.Evaluation.SampleStatistics.MeanAndStd(e).Std).ToList())).ToList();
        }
        finally
        {
            foreach (var t in inputs) t.Dispose();
        }
    }

    static double RelativeError(Tensor y, Tensor digital, double reference)
    {
        using var scope = NewDisposeScope();
        return y.sub(digital).norm().item<float>() / reference;
    }

    /// <summary>Each analog layer's input tokens ([tokens, in], at most <paramref name="maxTokens"/>, the first seen)
    /// during <paramref name="forward"/> in digital execution.</summary>
    static Tensor[] RecordInputs(AhwaModel model, Action forward, int maxTokens)
    {
        var layers = model.AnalogLayers;
        var recorded = layers.Select(_ => new List<Tensor>()).ToArray();
        var counts = new int[layers.Count];
        var removers = layers.Select((layer, l) => layer.register_forward_pre_hook((_, x) =>
        {
            if (counts[l] >= maxTokens) return x;
            var rows = x.detach().reshape(-1, x.shape[^1]);
            int take = (int)Math.Min(rows.shape[0], maxTokens - counts[l]);
            recorded[l].Add(rows.narrow(0, 0, take).clone().DetachFromDisposeScope());
            counts[l] += take;
            return x;
        })).ToList();
        try
        {
            model.SetExecution(AnalogExecution.Digital);
            forward();
        }
        finally
        {
            foreach (var remover in removers) remover.remove();
        }
        return recorded.Select(r =>
        {
            var all = cat(r, 0).DetachFromDisposeScope();
            foreach (var t in r) t.Dispose();
            return all;
        }).ToArray();
    }
}
