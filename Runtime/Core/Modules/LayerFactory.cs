using System;
using Ahwa.Hardware;
using Ahwa.Simulator;
using TorchSharp;

namespace Ahwa.Runtime;

/// <summary>Creates a model's layers from its spec by full name. One seeded generator initialises every
/// layer in creation order, so the same seed gives the same weights.</summary>
public sealed class LayerFactory
{
    /// <summary><see cref="Seeds.Default"/> as the <c>long</c> that generated constructors take.</summary>
    public const long DefaultSeed = (long)Seeds.Default;

    readonly ModelSpec spec;
    readonly torch.Generator generator;
    readonly ulong seed;
    long userLayerCalls;

    public LayerFactory(ModelSpec spec, long seed)
    {
        this.spec = spec ?? throw new ArgumentNullException(nameof(spec));
        this.seed = unchecked((ulong)seed);
        generator = new torch.Generator(RandomStream.Derive(this.seed, StreamPurpose.Initialisation, 0));
    }

    /// <summary>Runs a model's or block's <c>OnLayersCreated</c>. The layers a user makes there (embeddings, norms)
    /// initialise from LibTorch's global generator, which has no seed of the model's: it is seeded from the model's seed
    /// (call n of this factory: stream (seed, Initialisation, n)) for the hook and put back afterwards, so the same seed
    /// gives the same model whatever ran before, and the caller's random state is left as it was. The generator is the
    /// process's: models made on two threads at once take turns.</summary>
    public void CreateUserLayers(Action onLayersCreated)
    {
        if (onLayersCreated is null) throw new ArgumentNullException(nameof(onLayersCreated));
        lock (GlobalGenerator) CreateUserLayersAlone(onLayersCreated);
    }

    /// <summary>Held by everything in Ahwa that seeds or draws from LibTorch's process-wide generator (this hook, the
    /// default initialisation of the LoRA matrices' nn.Linear before they are re-initialised, the trainer's seeding), so
    /// a model made on one thread gets the same layers while another thread builds or trains a model.</summary>
    internal static readonly object GlobalGenerator = new();

    void CreateUserLayersAlone(Action onLayersCreated)
    {
        using var saved = torch.random.get_rng_state();
        torch.random.manual_seed(unchecked((long)RandomStream.Derive(seed, StreamPurpose.Initialisation, ++userLayerCalls)));
        try
        {
            onLayersCreated();
        }
        finally
        {
            torch.random.set_rng_state(saved);
        }
    }

    public AnalogLinear Analog(string name) => new AnalogLinear(spec.Layer(name), generator, spec.Chip);

    public DigitalLinear Digital(string name) => new DigitalLinear(spec.Layer(name), generator);
}
