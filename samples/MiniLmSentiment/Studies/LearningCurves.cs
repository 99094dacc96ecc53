using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using Ahwa.Simulator;

namespace MiniLmSentiment.Studies;

/// <summary>The test metric at one point of a training: after <see cref="Step"/> optimiser steps, evaluated digitally,
/// under the training-time noise model (one draw) and on the programmed chip at 0 s (one programming).</summary>
public sealed record CurvePoint(int Step, double Digital, double TrainingNoise, double Chip);

/// <summary>One training's curve.</summary>
public sealed record LearningCurve(string Method, AnalogExecution Execution, double LearningRate, int Steps, IReadOnlyList<CurvePoint> Points);

/// <summary>
/// Issue 32's first question: does AHWA-LoRA converge later than the digital LoRA, or to a lower point? Each method
/// trains once from the same untrained adapter with the same data order, seed and schedule; at evenly spaced steps it
/// is evaluated three ways. The evaluations do not disturb the training: the noise streams are saved and restored
/// around them and the programming is made once, before training (LoRA training leaves the meta-weights as they are).
/// </summary>
public static class LearningCurves
{
    /// <param name="checkpoints">Evaluations per training, evenly spaced, the last at the final step; step 0 is added.</param>
    public static LearningCurve Train(MiniLm model, IModelTask task, Adapter untrained, string method, AnalogExecution execution,
        TrainingOptions options, int checkpoints, IDeviceModel device, ulong programmingSeed, Action<string>? log = null,
        System.Threading.CancellationToken cancellation = default)
    {
        if (checkpoints < 1) throw new ArgumentOutOfRangeException(nameof(checkpoints), checkpoints, "At least one checkpoint is needed.");
        int total = options.TotalSteps(task.Examples);
        var at = Enumerable.Range(1, checkpoints).Select(i => (int)Math.Round((double)i * total / checkpoints)).ToHashSet();
        AdapterFiles.Apply(model, untrained);
        model.Program(device, programmingSeed);
        model.DriftTo(0, RandomStream.Derive(programmingSeed, StreamPurpose.Drift, 0));
        var points = new List<CurvePoint> { Evaluate(model, task, 0, execution, options.Seed) };
        log?.Invoke($"{method}: {Describe(points[^1])}");
        var progress = new ImmediateProgress<TrainingStep>(step =>
        {
            if (!at.Contains(step.Step)) return;
            points.Add(Evaluate(model, task, step.Step, execution, options.Seed));
            log?.Invoke($"{method}: {Describe(points[^1])}, loss {step.Loss.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}");
        });
        AhwaTrainer.Train(model, task.Examples, batch => task.Loss(model, batch), options with { Execution = execution }, progress, cancellation);
        return new LearningCurve(method, execution, options.LearningRate, total, points);
    }

    static string Describe(CurvePoint p) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"step {p.Step}: digital {100 * p.Digital:0.0}, training noise {100 * p.TrainingNoise:0.0}, chip 0 s {100 * p.Chip:0.0}");

    /// <summary>The three evaluations, leaving the model as training left it (its execution, train mode, noise streams).</summary>
    static CurvePoint Evaluate(MiniLm model, IModelTask task, int step, AnalogExecution training, ulong seed)
    {
        var noise = model.AnalogLayers.Select(l => l.NoiseState).ToList();
        bool wasTraining = model.training;
        try
        {
            model.SetExecution(AnalogExecution.Digital);
            double digital = task.Score(model);
            model.SetExecution(AnalogExecution.HardwareAware);
            // Its own draws, set layer by layer: the model's SeedNoise would also restart the LoRA dropout masks.
            ulong evaluation = RandomStream.Derive(seed, StreamPurpose.Evaluation, step);
            for (int l = 0; l < noise.Count; l++) model.AnalogLayers[l].NoiseState = (RandomStream.Derive(evaluation, StreamPurpose.WeightNoise, l), 0);
            double noisy = task.Score(model);
            model.SetExecution(AnalogExecution.Programmed);
            double chip = task.Score(model);
            return new CurvePoint(step, digital, noisy, chip);
        }
        finally
        {
            for (int l = 0; l < noise.Count; l++) model.AnalogLayers[l].NoiseState = noise[l];
            model.SetExecution(training);
            model.train(wasTraining);
        }
    }
}
