using System;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;

namespace Ahwa.Runtime;

/// <summary>Creates a model's layers from its spec by full name. One seeded generator initialises every
/// layer in creation order, so the same seed gives the same weights.</summary>
public sealed class LayerFactory
{
    /// <summary>Seed 42, the AHWA-LoRA recipe's.</summary>
    public const long DefaultSeed = 42;

    readonly ModelSpec spec;
    readonly torch.Generator generator;

    public LayerFactory(ModelSpec spec, long seed)
    {
        this.spec = spec ?? throw new ArgumentNullException(nameof(spec));
        generator = new torch.Generator(RandomStream.Derive(unchecked((ulong)seed), StreamPurpose.Initialisation, 0));
    }

    public AnalogLinear Analog(string name) => new AnalogLinear(spec.Layer(name), generator, spec.Chip);

    public DigitalLinear Digital(string name) => new DigitalLinear(spec.Layer(name), generator);
}
