using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Ahwa.Runtime.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>ScratchAdam is TorchSharp's Adam bit for bit: the same parameters, moments and step counts after every
/// step, under the trainers' linear LambdaLR schedule.</summary>
public class ScratchAdamTests
{
    /// <summary>The word embedding's shape (30522 x 384, the allocation that costs page faults), a square matrix,
    /// a bias, and lengths that are not a multiple of any vector width.</summary>
    static readonly long[][] Shapes = { new long[] { 30522, 384 }, new long[] { 384, 384 }, new long[] { 384 }, new long[] { 7 }, new long[] { 13, 3 } };

    [Theory]
    [InlineData(false, 0.0, false)]
    [InlineData(true, 0.01, true)]
    public void StepsAreBitwiseTorchSharpsAdam(bool amsgrad, double weightDecay, bool maximize)
    {
        const int Steps = 5;
        const double Lr = 5e-3;
        var init = new Generator(11);
        var initial = Shapes.Select(s => randn(s, generator: init)).ToArray();
        var theirs = initial.Select(t => new Parameter(t.clone())).ToArray();
        var ours = initial.Select(t => new Parameter(t.clone())).ToArray();
        using var reference = optim.Adam(theirs, Lr, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        using var candidate = new ScratchAdam(ours, Lr, weight_decay: weightDecay, amsgrad: amsgrad, maximize: maximize);
        Func<int, double> decay = done => Math.Max(0.0, 1.0 - (double)done / Steps);
        var referenceSchedule = optim.lr_scheduler.LambdaLR(reference, decay);
        var candidateSchedule = optim.lr_scheduler.LambdaLR(candidate, decay);
        Assert.Equal(reference.Betas, candidate.Betas);

        var gradients = new Generator(12);
        for (int step = 0; step < Steps; step++)
        {
            using var scope = NewDisposeScope();
            reference.zero_grad();
            candidate.zero_grad();
            for (int i = 0; i < Shapes.Length; i++)
            {
                // Gradients of a loss sum(g * p): exactly g, the same in both copies.
                var g = randn(Shapes[i], generator: gradients);
                theirs[i].mul(g).sum().backward();
                ours[i].mul(g).sum().backward();
            }
            reference.step();
            candidate.step();
            referenceSchedule.step();
            candidateSchedule.step();

            Assert.Equal(reference.ParamGroups.Single().LearningRate, candidate.ParamGroups.Single().LearningRate);
            for (int i = 0; i < Shapes.Length; i++) AssertBitwise(theirs[i], ours[i], $"parameter {i} after step {step + 1}");
            var theirStates = reference.state_dict().State.Cast<Adam.State>().ToArray();
            var ourStates = candidate.state_dict().State.Cast<Adam.State>().ToArray();
            for (int i = 0; i < Shapes.Length; i++)
            {
                Assert.Equal(step + 1, ourStates[i].step);
                Assert.Equal(theirStates[i].step, ourStates[i].step);
                AssertBitwise(theirStates[i].exp_avg, ourStates[i].exp_avg, $"exp_avg {i} after step {step + 1}");
                AssertBitwise(theirStates[i].exp_avg_sq, ourStates[i].exp_avg_sq, $"exp_avg_sq {i} after step {step + 1}");
                if (amsgrad) AssertBitwise(theirStates[i].max_exp_avg_sq, ourStates[i].max_exp_avg_sq, $"max_exp_avg_sq {i} after step {step + 1}");
            }
        }
        Assert.False(theirs[0].detach().eq(initial[0]).all().item<bool>()); // it did train
    }

    /// <summary>Full AHWA on the generated model with hardware-aware noise (the trainer's loop): every weight the same
    /// bits after a few steps with either optimiser.</summary>
    [Fact]
    public void FullAhwaTrainingIsBitwiseTheSame()
    {
        float[][] Train(bool scratch)
        {
            using var model = new TinyClassifier(seed: 1);
            var trainable = model.ConfigureTraining(TrainingRegime.FullAhwa);
            model.SetExecution(AnalogExecution.HardwareAware);
            model.SeedNoise(3);
            model.train();
            using var optimizer = scratch ? new ScratchAdam(trainable, 1e-2) : optim.Adam(trainable, 1e-2);
            var schedule = optim.lr_scheduler.LambdaLR(optimizer, done => Math.Max(0.0, 1.0 - done / 4.0));
            var x = randn(new long[] { 64, 48 }, generator: new Generator(5));
            var labels = x.sum(1).gt(0).to_type(ScalarType.Int64);
            for (int step = 0; step < 4; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.Forward(x), labels).backward();
                optimizer.step();
                schedule.step();
            }
            return trainable.Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();
        }

        var reference = Train(scratch: false);
        var candidate = Train(scratch: true);
        Assert.Equal(reference.Length, candidate.Length);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(MemoryMarshal.Cast<float, int>(reference[i]).SequenceEqual(MemoryMarshal.Cast<float, int>(candidate[i])), $"parameter {i} differs");
    }

    static void AssertBitwise(Tensor expected, Tensor actual, string what)
    {
        var a = expected.detach().cpu().data<float>().ToArray();
        var b = actual.detach().cpu().data<float>().ToArray();
        Assert.Equal(a.Length, b.Length);
        var ai = MemoryMarshal.Cast<float, int>(a);
        var bi = MemoryMarshal.Cast<float, int>(b);
        if (ai.SequenceEqual(bi)) return;
        int first = 0;
        while (ai[first] == bi[first]) first++;
        Assert.Fail($"{what}: element {first} is {b[first]:R} (0x{bi[first]:X8}), expected {a[first]:R} (0x{ai[first]:X8}).");
    }
}
