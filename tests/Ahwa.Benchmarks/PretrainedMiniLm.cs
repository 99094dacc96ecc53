using Ahwa.Lab.Import;
using MiniLmSentiment;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Benchmarks;

/// <summary>What the whole-model benchmarks share: the main job's pretrained MiniLM, and batches of random token ids
/// framed as sentences (timing does not depend on meaning).</summary>
static class PretrainedMiniLm
{
    public static MiniLm Load()
    {
        torch.set_num_threads(System.Environment.ProcessorCount);
        var pretrained = Pretrained.Load();
        var model = new MiniLm(42);
        BertCheckpoint.LoadInto(model, BertCheckpoint.FromOnnx(pretrained.Onnx()), pretrained.Source);
        return model;
    }

    /// <summary>Token ids of <paramref name="batch"/> sentences of <paramref name="tokens"/> tokens: [CLS] ... [SEP].</summary>
    public static Tensor Sentences(int batch, int tokens, torch.Generator generator)
    {
        var ids = randint(1000, 29000, new long[] { batch, tokens }, generator: generator);
        ids[TensorIndex.Colon, 0] = 101;
        ids[TensorIndex.Colon, tokens - 1] = 102;
        return ids;
    }
}
