using System;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>How an analog layer computes its analog part.</summary>
public enum AnalogExecution
{
    /// <summary>Plain floating point: W x, the digital upper bound.</summary>
    Digital = 0,
    /// <summary>Training-time hardware noise (weight noise, DAC, ADC, output noise, bound management).</summary>
    HardwareAware = 1,
    /// <summary>The programmed chip: the reference simulator with programmed, drifted conductances.</summary>
    Programmed = 2,
}

/// <summary>
/// An analog-stationary linear layer with an optional digital LoRA branch. Parameters, named as PEFT and
/// Hugging Face do: <c>weight</c> (out x in, the meta-weight, frozen unless full AHWA training),
/// <c>bias</c> (digital), <c>output_scale</c> (per-column, learned in full AHWA, starts at 1),
/// <c>lora_A.weight</c>, <c>lora_B.weight</c>. Output = analog(x) + bias + s B(A(dropout(x))).
/// </summary>
public sealed class AnalogLinear : AhwaLinear
{
    readonly Block[] inputBlocks;
    readonly Block[] outputBlocks;
    ulong noiseSeed;
    long noiseCalls;
    AnalogLayerSimulator? simulator;
    Tensor? programmedWeight;
    /// <summary>The output scale at the last Program or DriftTo, for <see cref="ProgrammedWeight"/>.</summary>
    float[]? programmedScale;
    ulong evaluationSeed;
    long evaluationCalls;

    public AnalogLinear(LayerSpec spec, Generator generator, ChipSpec? chip = null) : base(nameof(AnalogLinear), Checked(spec), generator, weightTrainable: false)
    {
        Chip = chip ?? ChipSpec.Default;
        HardwareRules.Require(HardwareRules.Check(Chip));
        inputBlocks = TileSplitting.Split(spec.InFeatures, Chip.TileRows);
        outputBlocks = TileSplitting.Split(spec.OutFeatures, Chip.TileCols);
        noiseSeed = RandomStream.Derive(LayerFactory.DefaultSeed, StreamPurpose.WeightNoise, 0);
        output_scale = nn.Parameter(ones(spec.OutFeatures), requires_grad: false);
        register_parameter("output_scale", output_scale);
    }

    static LayerSpec Checked(LayerSpec spec)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        if (!spec.IsAnalog) throw new ArgumentException($"Layer '{spec.Name}' is {spec.Kind}, not analog.", nameof(spec));
        HardwareRules.Require(HardwareRules.Check(spec));
        return spec;
    }

    /// <summary>The chip's converters, noise and tile geometry.</summary>
    public ChipSpec Chip { get; set; }

    public AnalogExecution Execution { get; set; } = AnalogExecution.Digital;

    /// <summary>The programmed tiles, once <see cref="Program"/> ran.</summary>
    public AnalogLayerSimulator? Simulator => simulator;

#pragma warning disable IDE1006 // PyTorch naming, so state_dict keys match Hugging Face and PEFT.
    public Parameter output_scale { get; }
#pragma warning restore IDE1006

    /// <summary>Seeds the training-time noise (weight and output noise draws); forward n after it draws under the key
    /// (seed, WeightNoise, n).</summary>
    public void SeedNoise(ulong seed)
    {
        noiseSeed = seed;
        noiseCalls = 0;
    }

    /// <summary>Where the training-time noise stream stands (its seed and the forwards drawn from it), so an evaluation in
    /// the middle of a training can put it back and leave the training's draws as they would have been.</summary>
    public (ulong Seed, long Calls) NoiseState
    {
        get => (noiseSeed, noiseCalls);
        set => (noiseSeed, noiseCalls) = value;
    }

    /// <summary>Programs the clipped meta-weights onto tiles with <paramref name="device"/>. Until the next
    /// <see cref="DriftTo"/> the tiles hold the programmed conductances.</summary>
    public void Program(IDeviceModel device, ulong seed)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var clipped = HardwareAwareForward.Clip(weight, Chip).contiguous().data<float>().ToArray();
        var scales = output_scale.contiguous().data<float>().ToArray();
        simulator = new AnalogLayerSimulator(Spec with { Bias = false }, Chip, clipped, default, scales);
        simulator.Program(device, seed);
        RefreshProgrammedWeight();
        evaluationSeed = seed;
        evaluationCalls = 0;
    }

    /// <summary>Forgets the programmed tiles; programmed execution needs <see cref="Program"/> again.</summary>
    public void ReleaseProgramming()
    {
        programmedWeight?.Dispose();
        programmedWeight = null;
        programmedScale = null;
        simulator = null;
    }

    /// <summary>New DAC and ADC resolutions for training-time noise and, if programmed, for the programmed tiles,
    /// whose conductances stay as they are.</summary>
    public void ChangeConverters(int dacBits, int adcBits)
    {
        HardwareRules.Require(nameof(dacBits), dacBits, HardwareRules.ConverterBits(dacBits));
        HardwareRules.Require(nameof(adcBits), adcBits, HardwareRules.ConverterBits(adcBits));
        var chip = Chip with { DacBits = dacBits, AdcBits = adcBits };
        simulator?.ChangePeriphery(AnalogTileSettings.From(chip));
        Chip = chip;
    }

    /// <summary>Drift and read noise for <paramref name="seconds"/> after programming, and drift compensation.</summary>
    public void DriftTo(double seconds, ulong seed)
    {
        var tiles = simulator ?? throw new InvalidOperationException($"Layer '{Spec.Name}' is not programmed; call Program first.");
        tiles.DriftTo(seconds, seed);
        RefreshProgrammedWeight();
        evaluationSeed = seed;
        evaluationCalls = 0;
    }

    /// <summary>Forgets the straight-through weight of the previous state; <see cref="ProgrammedWeight"/> builds the new
    /// one when a backward needs it. An evaluation-only sweep never does, so it does not pay for a copy of every
    /// weight at each programming and drift time.</summary>
    void RefreshProgrammedWeight()
    {
        programmedWeight?.Dispose();
        programmedWeight = null;
        programmedScale = output_scale.detach().contiguous().data<float>().ToArray();
    }

    /// <summary>W_eff x output scale x compensation, for the straight-through backward of programmed execution.</summary>
    Tensor ProgrammedWeight()
    {
        if (programmedWeight is not null) return programmedWeight;
        var effective = simulator!.EffectiveWeights();
        var compensation = simulator.CompensationFactors;
        int ins = Spec.InFeatures;
        for (int j = 0; j < Spec.OutFeatures; j++)
            for (int i = 0; i < ins; i++) effective[j * ins + i] *= programmedScale![j] * compensation[j];
        // Kept across forwards until the next Program or DriftTo, so not owned by the caller's dispose scope.
        programmedWeight = tensor(effective, new long[] { Spec.OutFeatures, ins }).DetachFromDisposeScope();
        return programmedWeight;
    }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        var y = Execution switch
        {
            AnalogExecution.HardwareAware => HardwareAwareForward.Forward(input, weight, output_scale, Chip, inputBlocks, outputBlocks,
                RandomStream.Derive(noiseSeed, StreamPurpose.WeightNoise, ++noiseCalls)),
            AnalogExecution.Programmed => ProgrammedForward(input),
            _ => nn.functional.linear(input, weight).mul(output_scale),
        };
        return AddBiasAndLora(y, input).MoveToOuterDisposeScope();
    }

    /// <summary>The simulator seed of the <paramref name="call"/>-th forward after Program or DriftTo with <paramref name="seed"/>.</summary>
    public static ulong EvaluationSeed(ulong seed, long call) => RandomStream.Derive(seed, StreamPurpose.Evaluation, call);

    /// <summary>The simulator computes the value; the backward pass is that of the linear map with the programmed
    /// weights (straight through the converters and noise), so adapters can be trained on programmed hardware.</summary>
    Tensor ProgrammedForward(Tensor input)
    {
        var tiles = simulator ?? throw new InvalidOperationException($"Layer '{Spec.Name}' runs as programmed hardware but is not programmed; call Program first.");
        var x = input.reshape(-1, Spec.InFeatures).detach().to_type(ScalarType.Float32).contiguous();
        int tokens = (int)x.shape[0];
        var shape = (long[])input.shape.Clone();
        shape[^1] = Spec.OutFeatures;
        var simulated = empty(shape, ScalarType.Float32);
        ulong seed = EvaluationSeed(evaluationSeed, ++evaluationCalls);
        // The simulator reads and writes tensor memory in place: no managed copies of activations.
        unsafe
        {
            tiles.Forward(new ReadOnlySpan<float>(TensorMemory.Floats(x), tokens * Spec.InFeatures), tokens,
                new Span<float>(TensorMemory.Floats(simulated), tokens * Spec.OutFeatures), seed);
        }
        // Without a gradient path into the input the straight-through product is dead weight (evaluation).
        if (!is_grad_enabled() || !input.requires_grad) return simulated;
        var linear = nn.functional.linear(input, ProgrammedWeight());
        return simulated.add(linear.sub(linear.detach()));
    }
}
