using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using Ahwa.Simulator;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Training;

/// <summary>The AHWA-LoRA recipe's defaults: Adam, lr 2e-4 decaying linearly to 0, no warm-up, no weight
/// decay, batch 32, 15 epochs, the default seed (full AHWA uses lr 5e-5).</summary>
public sealed record TrainingOptions(
    double LearningRate = 2e-4,
    int BatchSize = TrainingOptions.DefaultBatchSize,
    int Epochs = 15,
    ulong Seed = Ahwa.Hardware.Seeds.Default,
    TrainingRegime Regime = TrainingRegime.AhwaLora,
    AnalogExecution Execution = AnalogExecution.HardwareAware)
{
    /// <summary>Items per forward and backward pass (0: the whole batch). A batch in several passes accumulates their
    /// gradients, each pass's loss weighted by its share of the batch, before one optimiser step: the same gradient as
    /// one pass up to rounding for a loss that is the mean over the batch's items, with the activations of only one pass
    /// alive. Each pass draws its own training-time noise and dropout, so the numbers are not those of one pass.</summary>
    public int MicroBatchSize { get; init; }

    public const int DefaultBatchSize = 32;

    /// <summary>Optimiser steps in one epoch of <paramref name="examples"/>: every example once, the last batch short.
    /// The one place this rule is written: the trainer, the progress bars and the reports all take it from here.</summary>
    public static int StepsPerEpoch(int examples, int batchSize) => (examples + batchSize - 1) / batchSize;

    /// <summary>Optimiser steps of a whole training on <paramref name="examples"/>.</summary>
    public int TotalSteps(int examples) => Epochs * StepsPerEpoch(examples, BatchSize);

    public void Validate()
    {
        if (MicroBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(MicroBatchSize), MicroBatchSize, "Micro-batch size must be 0 (the whole batch) or more.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Learning rate must be positive and finite.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
    }
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
public sealed class ImmediateProgress<T> : IProgress<T>
{
    readonly Action<T> report;

    public ImmediateProgress(Action<T> report) => this.report = report ?? throw new ArgumentNullException(nameof(report));

    public void Report(T value) => report(value);
}

/// <summary>One optimiser step, for progress display.</summary>
public sealed record TrainingStep(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate, TimeSpan Elapsed)
{
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? Step / Elapsed.TotalSeconds : 0;

    public TimeSpan Remaining => StepsPerSecond > 0 ? TimeSpan.FromSeconds((TotalSteps - Step) / StepsPerSecond) : TimeSpan.Zero;
}

/// <summary>
/// Trains the chosen parameters (<see cref="TrainingRegime"/>) of a generated model. Gradients reach only the
/// trainable set: everything else has requires_grad off and is not given to the optimiser. Batches are drawn in a
/// seeded order; noise and dropout are seeded. Cancellation stops between steps; checkpoints are only written by
/// the caller at epoch ends, so a cancelled run leaves the last checkpoint as it was.
/// </summary>
public static class AhwaTrainer
{
    /// <param name="lossOf">The loss of a batch, given the indices of its examples.</param>
    /// <param name="epochEnd">Called after each epoch (for example to save adapters atomically).</param>
    public static IReadOnlyList<double> Train(AhwaModel model, int examples, Func<int[], Tensor> lossOf, TrainingOptions options,
        IProgress<TrainingStep>? progress = null, CancellationToken cancellation = default, Action<int>? epochEnd = null)
    {
        if (model is null) throw new ArgumentNullException(nameof(model));
        if (lossOf is null) throw new ArgumentNullException(nameof(lossOf));
        options.Validate();
        if (examples < 1) throw new ArgumentOutOfRangeException(nameof(examples), examples, "There must be at least one training example.");

        var trainable = model.ConfigureTraining(options.Regime);
        if (trainable.Count == 0) throw new InvalidOperationException($"Model '{model.ModelSpec.Name}' has nothing to train in regime {options.Regime}.");
        model.SetExecution(options.Execution);
        model.SeedNoise(options.Seed);
        lock (LayerFactory.GlobalGenerator) torch.random.manual_seed(unchecked((long)RandomStream.Derive(options.Seed, StreamPurpose.Dropout, 0)));
        model.train();

        int totalSteps = options.TotalSteps(examples);
        using var optimizer = new ScratchAdam(trainable, options.LearningRate); // optim.Adam's arithmetic, without its per-step allocations
        Func<int, double> decay = done => Math.Max(0.0, 1.0 - (double)done / totalSteps); // linear to zero, no warm-up
        var schedule = optim.lr_scheduler.LambdaLR(optimizer, decay);
        var losses = new List<double>();
        var clock = Stopwatch.StartNew();
        var order = new int[examples];
        int step = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            for (int i = 0; i < examples; i++) order[i] = i;
            var random = RandomStream.For(options.Seed, StreamPurpose.Shuffle, epoch);
            random.Shuffle(order.AsSpan(0, examples));
            for (int first = 0; first < examples; first += options.BatchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                var batch = order.AsSpan(first, Math.Min(options.BatchSize, examples - first)).ToArray();
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                double value = Backward(lossOf, batch, options.MicroBatchSize);
                optimizer.step();
                double lr = options.LearningRate * decay(step);
                schedule.step();
                if (!double.IsFinite(value)) throw new InvalidOperationException($"The loss became {value} at step {step + 1}; lower the learning rate.");
                losses.Add(value);
                step++;
                progress?.Report(new TrainingStep(step, totalSteps, epoch + 1, value, lr, clock.Elapsed));
            }
            epochEnd?.Invoke(epoch + 1);
        }
        model.eval();
        return losses;
    }

    /// <summary>The batch's gradients, in passes of <paramref name="microBatch"/> items (0: one pass); returns the loss.</summary>
    static double Backward(Func<int[], Tensor> lossOf, int[] batch, int microBatch)
    {
        if (microBatch == 0 || microBatch >= batch.Length)
        {
            var loss = lossOf(batch);
            loss.backward();
            return loss.item<float>();
        }
        double total = 0;
        for (int first = 0; first < batch.Length; first += microBatch)
        {
            using var pass = NewDisposeScope(); // this pass's activations go before the next pass runs
            var items = batch.AsSpan(first, Math.Min(microBatch, batch.Length - first)).ToArray();
            double share = (double)items.Length / batch.Length;
            var loss = lossOf(items);
            loss.mul(share).backward();
            total += share * loss.item<float>();
        }
        return total;
    }
}
