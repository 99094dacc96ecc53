using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Import;
using Ahwa.Runtime.Tests.Training;

namespace Ahwa.Runtime.Tests.Formats;

/// <summary>Issue 18, finding 16: loading a checkpoint accounts for every model parameter and every tensor.</summary>
public class CheckpointTests
{
    /// <summary>What a pretrained checkpoint of the model would hold: everything but LoRA, output scales and heads.</summary>
    static Dictionary<string, NamedTensor> Pretrained(TinyClassifier model)
    {
        var optional = BertCheckpoint.MayStayUnloaded(model);
        return model.named_parameters().Where(p => !optional.Contains(p.name))
            .ToDictionary(p => p.name, p => new NamedTensor(p.name, p.parameter.shape, p.parameter.detach().contiguous().data<float>().ToArray()));
    }

    [Fact]
    public void AMatchingCheckpointLoadsEveryPretrainedParameter()
    {
        using var model = new TinyClassifier(seed: 1);
        using var other = new TinyClassifier(seed: 2);
        var loaded = BertCheckpoint.LoadInto(other, Pretrained(model), "ckpt");
        Assert.Equal(new[] { "encoder.dense.weight", "encoder.output.weight" }, loaded.Where(n => n.EndsWith(".weight", StringComparison.Ordinal)).Order());
        Assert.DoesNotContain(loaded, n => n.Contains("lora_", StringComparison.Ordinal) || n.StartsWith("classifier", StringComparison.Ordinal));
    }

    [Fact]
    public void UnexpectedPrefixLoadsNothingAndSaysWhy()
    {
        using var model = new TinyClassifier(seed: 1);
        var prefixed = Pretrained(model).ToDictionary(p => "roberta." + p.Key, p => p.Value);
        var error = Assert.Throws<InvalidDataException>(() => BertCheckpoint.LoadInto(model, prefixed, "ckpt"));
        Assert.StartsWith("ckpt: ", error.Message);
        Assert.Contains("parameters of model 'TinyClassifier' are not in it ('encoder.dense.weight'", error.Message);
        Assert.Contains("tensors have no parameter in the model ('roberta.encoder.dense", error.Message);
    }

    [Fact]
    public void ExtraLayersInTheCheckpointAreNamed()
    {
        using var model = new TinyClassifier(seed: 1);
        var checkpoint = Pretrained(model);
        checkpoint["encoder.layer.6.attention.self.query.weight"] = new NamedTensor("encoder.layer.6.attention.self.query.weight", [1], [0f]);
        checkpoint["pooler.dense.weight"] = new NamedTensor("pooler.dense.weight", [1], [0f]); // may stay unused
        var error = Assert.Throws<InvalidDataException>(() => BertCheckpoint.LoadInto(model, checkpoint, "ckpt"));
        Assert.Equal("ckpt: 1 of its tensors have no parameter in the model ('encoder.layer.6.attention.self.query.weight'). " +
            "Only LoRA, output scales and task heads may stay unloaded.", error.Message);
    }
}
