using Ahwa.Dsl;
using Ahwa.Runtime.Decoders;
using Ahwa.Simulator;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Decoding;

/// <summary>The decoder workflows' test model: each position sees its own token and the one before it (two embeddings,
/// the second shifted by one), then an analog mixing layer and an analog LM head, both with LoRA, on 16 x 16 tiles so
/// the training-time noise applies. The key-value cache holds the shifted embedding of the tokens so far.</summary>
[AnalogModel]
[AnalogChip(TileRows = 16, TileCols = 16, Tiles = 64)]
[LoraDefaults(Rank = 4, Alpha = 8, Dropout = 0.0)]
public partial class TinyCausalLm
{
    public const int Tokens = 20, Width = 24;

    [AnalogLinear(Width, 32, Name = "model.mix")]
    public partial AnalogLinear Mix { get; }

    [AnalogLinear(32, Tokens, Name = "lm_head")]
    public partial AnalogLinear Head { get; }

    protected Embedding words = null!;
    protected Embedding previous = null!;

    partial void OnLayersCreated()
    {
        words = nn.Embedding(Tokens, Width);
        RegisterLayer("model.embed_tokens", words);
        previous = nn.Embedding(Tokens, Width);
        RegisterLayer("model.embed_previous", previous);
    }

    /// <summary>Logits [batch, tokens, vocabulary]; the mask is unused (the model is causal, padding sits on the right).</summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        long tokens = inputIds.shape[1];
        // Row t of the shift matrix picks position t - 1: a causal look at the previous token.
        var shift = ones(tokens, tokens).tril(-1).sub(ones(tokens, tokens).tril(-2));
        var h = words.call(inputIds).add(shift.matmul(previous.call(inputIds)));
        return Head.call(nn.functional.gelu(Mix.call(h))).MoveToOuterDisposeScope();
    }
}

/// <summary><see cref="TinyCausalLm"/> as a causal LM; the key-value cache holds the second embedding of the tokens so far.
/// (The PyTorch target translates the model class only, and the cache has no PyTorch counterpart yet.)</summary>
public sealed class TinyCausalDecoder : TinyCausalLm, ICausalLanguageModel
{
    public TinyCausalDecoder(long seed) : base(seed)
    {
        // nn.Embedding draws from LibTorch's global generator; redraw both from the model's seed so runs repeat.
        using var noGrad = no_grad();
        int index = 0;
        foreach (var table in new[] { words, previous })
        {
            var values = new float[Tokens * Width];
            var stream = RandomStream.For((ulong)seed, StreamPurpose.Initialisation, 1000 + index++);
            stream.FillGaussian(values);
            table.weight!.copy_(tensor(values, new long[] { Tokens, Width }));
        }
    }

    public long Vocabulary => Tokens;

    public int Layers => 1;

    public Tensor Logits(Tensor inputIds) => Forward(inputIds, ones_like(inputIds));

    public Tensor Logits(Tensor inputIds, KeyValueCache cache)
    {
        using var scope = NewDisposeScope();
        long batch = inputIds.shape[0], tokens = inputIds.shape[1];
        var keys = previous.call(inputIds).unsqueeze(1);
        var (all, _) = cache.Append(0, keys, keys);
        cache.Advance(tokens);
        // The previous token of each new one: the cached ones before it, zero for the very first position.
        long held = all.shape[2];
        var shifted = cat(new[] { zeros(batch, 1, Width), all.squeeze(1).narrow(1, 0, held - 1) }, 1);
        var h = words.call(inputIds).add(shifted.narrow(1, held - tokens, tokens));
        return Head.call(nn.functional.gelu(Mix.call(h))).MoveToOuterDisposeScope();
    }
}
