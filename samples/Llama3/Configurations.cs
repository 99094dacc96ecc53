using Ahwa.Lab.Import;

namespace Llama3;

/// <summary>TinyLlama's sizes, in one place: the model and its layer use these constants, and import checks a folder's
/// config.json against <see cref="Expected"/>.</summary>
public static class TinyLlamaConfig
{
    public const int Hidden = 128, Layers = 4, Heads = 4, KeyValueHeads = 2, HeadSize = Hidden / Heads, Intermediate = 384, Vocabulary = 128;
    public const double RmsEpsilon = 1e-5, RopeTheta = 10000;
    // No rope scaling (factor 1): a short context.
    public const double RopeFactor = 1, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalPositions = 8192;

    public static LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,
        Scaling: null, TiedEmbeddings: true);
}

/// <summary>LLaMA-3.1-8B's config.json (meta-llama/Llama-3.1-8B) as constants.</summary>
public static class Llama31_8BConfig
{
    public const int Hidden = 4096, Layers = 32, Heads = 32, KeyValueHeads = 8, HeadSize = Hidden / Heads, Intermediate = 14336, Vocabulary = 128256;
    public const double RmsEpsilon = 1e-5, RopeTheta = 500000;
    public const double RopeFactor = 8, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalPositions = 8192;

    public static LlamaConfig Expected { get; } = new(Hidden, Layers, Heads, KeyValueHeads, HeadSize, Intermediate, Vocabulary, RmsEpsilon, RopeTheta,
        new RopeScaling(RopeFactor, LowFrequencyFactor, HighFrequencyFactor, OriginalPositions), TiedEmbeddings: false);
}
