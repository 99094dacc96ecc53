using System;
using System.Linq;
using Ahwa.Hardware;
using MiniLmSentiment;
using PaperModels;
using Xunit.Abstractions;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 14, item 3: the paper's models in the DSL at their real sizes (samples/PaperModels). Their layer specs,
/// with the embeddings and norms their classes declare, give the parameter counts Hugging Face publishes; MobileBERT's
/// analog share, adapter and multi-task count are set beside the paper's. The architectures themselves are checked in
/// tiny configurations against PyTorch references (Ahwa.Runtime.Tests, HuggingFaceImportTests).</summary>
public class PaperModelsTests(ITestOutputHelper output)
{
    /// <summary>Embeddings (words, positions, types and their norm) and every layer norm: what the layer spec leaves out.</summary>
    static long BertNonLinear(int hidden, int layers) => (30522L + 512 + 2 + 2) * hidden + layers * 2L * 2 * hidden;

    static long Linear(ModelSpec spec) => spec.Layers.Sum(l => l.BaseParameterCount);

    static long Lora(ModelSpec spec) => spec.Layers.Sum(l => l.LoraParameterCount);

    [Fact]
    public void BertSizesAreHuggingFacesWithoutThePoolerAndWithTheSpanHead()
    {
        // bert-base-uncased 109,482,240 and bert-large-uncased 335,141,888 parameters, each with a pooler (hidden^2 + hidden)
        // the QA model has not and without qa_outputs (2 hidden + 2).
        static long Qa(long published, int hidden) => published - ((long)hidden * hidden + hidden) + 2 * hidden + 2;
        Assert.Equal(Qa(109_482_240, 768), Linear(BertBase.Spec) + BertNonLinear(768, BertBase.LayerCount));
        Assert.Equal(Qa(335_141_888, 1024), Linear(BertLarge.Spec) + BertNonLinear(1024, BertLarge.LayerCount));
        Assert.Equal(12 * 6 + 1, BertBase.Spec.Layers.Count(l => l.Lora is not null));
        Assert.All(BertLarge.Spec.Layers, l => Assert.True(l.IsAnalog && l.Lora is not null, l.Name));
        output.WriteLine($"LoRA: BERT-base {Lora(BertBase.Spec):N0}, BERT-large {Lora(BertLarge.Spec):N0} (paper: 1.3 M and 3.5 M)");
        Assert.InRange(Lora(BertBase.Spec) / 1e6, 1.25, 1.35);
        Assert.InRange(Lora(BertLarge.Spec) / 1e6, 3.45, 3.55);
    }

    [Fact]
    public void MobileBertBesideThePaper()
    {
        var spec = MobileBert.Spec;
        Assert.Equal(24 * 15 + 2, spec.Layers.Count); // 15 linears a layer, the embedding transformation, qa_outputs
        Assert.All(spec.Layers, l => Assert.True(l.IsAnalog && l.Lora is not null, l.Name));
        using var model = new MobileBert(seed: 1);
        long total = model.parameters().Sum(p => p.numel());
        long lora = Lora(spec), analog = spec.Layers.Sum(l => l.WeightCount);
        long outputScales = spec.Layers.Sum(l => (long)l.OutFeatures);
        // The model is its layers, embeddings and NoNorms, LoRA and the analog layers' learned output scales.
        long embeddings = (long)MobileBert.Vocabulary * MobileBert.Embedding + (MobileBert.MaxPositions + MobileBert.TypeVocabulary + 2L) * MobileBertLayer.Hidden;
        long norms = MobileBert.LayerCount * (7L * 2 * MobileBertLayer.Bottleneck + 2 * MobileBertLayer.Hidden);
        Assert.Equal(Linear(spec) + embeddings + norms + lora + outputScales, total);
        long pretrained = total - lora - outputScales;
        var budget = AdapterBudget.Of(spec, pretrained + lora, PaperResults.MultiTaskAdapters);
        output.WriteLine($"MobileBERT: {pretrained:N0} pretrained parameters, {analog:N0} analog weights ({100.0 * analog / pretrained:0.0} %), LoRA {lora:N0} " +
                         $"({100.0 * lora / pretrained:0.0} %); 8 adapters on one programming {budget.OneProgramming / 1e6:0.0} M, 8 programmed models {budget.Separate / 1e6:0.0} M");
        // The paper: 20.4 M weights (81 %) on AIMC, LoRA 1.6 M (6.6 %), eight adapters on one chip 38.1 M.
        Assert.InRange(analog / 1e6, 20.0, 20.8);
        Assert.InRange(lora / 1e6, 1.4, 1.8);
        Assert.InRange(budget.OneProgramming / PaperResults.MultiTaskOneChip, 0.95, 1.05);
    }
}
