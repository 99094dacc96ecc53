using System;
using Ahwa.Hardware;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>A linear layer that stays digital (task heads). Trained in full under AHWA-LoRA unless it carries an adapter.</summary>
public sealed class DigitalLinear : AhwaLinear
{
    public DigitalLinear(LayerSpec spec, Generator generator) : base(nameof(DigitalLinear), Checked(spec), generator, weightTrainable: true)
    {
    }

    static LayerSpec Checked(LayerSpec spec)
    {
        if (spec is null) throw new ArgumentNullException(nameof(spec));
        if (spec.IsAnalog) throw new ArgumentException($"Layer '{spec.Name}' is analog, not digital.", nameof(spec));
        HardwareRules.Require(HardwareRules.Check(spec));
        return spec;
    }

    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        return AddBiasAndLora(nn.functional.linear(input, weight), input).MoveToOuterDisposeScope();
    }
}
