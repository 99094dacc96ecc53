using System.Linq;
using MiniLmSentiment;
using TorchSharp;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The layers a user makes in OnLayersCreated (MiniLM's embeddings) come from the model's seed, not from
/// whatever state LibTorch's global generator was left in: two digital LoRA trainings of a fresh random MiniLM with
/// one seed differed in their first loss before this.</summary>
public class SeededModelTests
{
    [Fact]
    public void ASeedGivesTheSameModelWhateverRanBefore()
    {
        using var first = new MiniLm(seed: 3);
        torch.random.manual_seed(2);
        torch.rand(100);
        using var second = new MiniLm(seed: 3);
        using var other = new MiniLm(seed: 4);
        var a = first.state_dict();
        var b = second.state_dict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, tensor) in a) Assert.True(tensor.eq(b[name]).all().item<bool>(), $"{name} differs between two models of seed 3");
        Assert.False(a["embeddings.word_embeddings.weight"].eq(other.state_dict()["embeddings.word_embeddings.weight"]).all().item<bool>());
    }
}
