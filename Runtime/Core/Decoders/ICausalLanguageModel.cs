using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Decoders;

/// <summary>A decoder-only language model as the decoder workflows (instruction tuning, GRPO, evaluation) see it.</summary>
public interface ICausalLanguageModel
{
    /// <summary>Vocabulary size: the last dimension of the logits.</summary>
    long Vocabulary { get; }

    /// <summary>Layers whose keys and values a <see cref="KeyValueCache"/> holds.</summary>
    int Layers { get; }

    /// <summary>Next-token logits [batch, tokens, vocabulary] for token ids [batch, tokens] (int64). Causal: position t
    /// sees tokens 0..t only, so right padding never changes the logits of the tokens before it.</summary>
    Tensor Logits(Tensor inputIds);

    /// <summary>Logits [batch, new, vocabulary] of <paramref name="inputIds"/>, which follow the tokens already in
    /// <paramref name="cache"/>; their keys and values are appended and the cache advances by their count.</summary>
    Tensor Logits(Tensor inputIds, KeyValueCache cache);
}
