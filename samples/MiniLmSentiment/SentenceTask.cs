using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Lab.Tasks;
using Ahwa.Runtime;
using Microsoft.ML.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment;

/// <summary>A sentence classification task, tokenised once: the model's shared head has <see cref="MiniLm.Classes"/>
/// outputs and a task with fewer classes reads the first <see cref="Classes"/> of them.</summary>
public sealed class SentenceTask : IModelTask
{
    public const int EvaluationBatch = 64;

    sealed record Encoded(long[] Ids, int Label);

    readonly IReadOnlyList<Encoded> train, test;

    SentenceTask(string name, IReadOnlyList<string> classNames, IReadOnlyList<Encoded> train, IReadOnlyList<Encoded> test)
    {
        Name = name;
        ClassNames = classNames;
        this.train = train;
        // Sorted by length so evaluation batches carry little padding (the analog simulator pays for every token).
        this.test = test.OrderBy(e => e.Ids.Length).ToList();
    }

    public string Name { get; }
    public Type ModelType => typeof(IEncoderModel);
    public IReadOnlyList<string> ClassNames { get; }
    public int Classes => ClassNames.Count;
    public string Metric => "accuracy";
    public string Items => "sentences";
    public int Examples => train.Count;

    public string TrainingData
    {
        get
        {
            using var digest = new TrainingDigest();
            foreach (var item in train) digest.Add(item.Ids).Add(item.Label);
            return digest.Hex();
        }
    }
    public int TestCount => test.Count;
    public double MeanTestTokens => test.Average(e => e.Ids.Length);

    public static SentenceTask Create(string name, IReadOnlyList<string> classNames, BertTokenizer tokenizer, int maxTokens,
        IEnumerable<LabeledSentence> train, IEnumerable<LabeledSentence> test)
    {
        if (classNames.Count < 2 || classNames.Count > MiniLm.Classes)
            throw new ArgumentOutOfRangeException(nameof(classNames), classNames.Count, $"Task '{name}' has {classNames.Count} classes; the head has room for 2 to {MiniLm.Classes}.");
        if (maxTokens < 3) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "At least 3 tokens are needed ([CLS], a word piece, [SEP]).");
        List<Encoded> Encode(IEnumerable<LabeledSentence> items, string part)
        {
            var encoded = new List<Encoded>();
            foreach (var s in items)
            {
                if (s.Label < 0 || s.Label >= classNames.Count)
                    throw new System.IO.InvalidDataException($"'{s.Source}': task '{name}': the {part} sentence \"{s.Text}\" has label {s.Label}; expected 0 to {classNames.Count - 1}.");
                var ids = tokenizer.EncodeToIds(s.Text).Select(i => (long)i).ToList();
                if (ids.Count > maxTokens) ids = ids.Take(maxTokens - 1).Append(ids[^1]).ToList(); // keep [SEP]
                encoded.Add(new Encoded(ids.ToArray(), s.Label));
            }
            if (encoded.Count == 0) throw new System.IO.InvalidDataException($"Task '{name}' has no {part} sentences.");
            return encoded;
        }
        return new SentenceTask(name, classNames, Encode(train, "training"), Encode(test, "test"));
    }

    /// <summary>Cross-entropy of one training batch (indices into the training sentences).</summary>
    public Tensor Loss(AhwaModel model, int[] batch)
    {
        using var scope = NewDisposeScope();
        var (ids, mask, labels) = Batch(train, batch);
        return nn.functional.cross_entropy(Logits(model, ids, mask), labels).MoveToOuterDisposeScope();
    }

    /// <summary>Test accuracy of the model as it now is (its execution mode decides digital, noisy or programmed).</summary>
    public double Accuracy(AhwaModel model, Action<int>? sentencesDone = null) => Evaluate(model, sentencesDone).Metrics[Metric];

    /// <summary>Accuracy and the predicted class of every test sentence (in the sorted test order).</summary>
    public ProbeEvaluation Evaluate(AhwaModel model, Action<int>? itemsDone = null)
    {
        using var noGrad = no_grad();
        model.eval();
        int correct = 0;
        var predicted = new float[test.Count];
        for (int first = 0; first < test.Count; first += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(EvaluationBatch, test.Count - first);
            var (ids, mask, labels) = Batch(test, Enumerable.Range(first, count).ToList());
            var classes = Logits(model, ids, mask).argmax(1);
            correct += (int)classes.eq(labels).sum().item<long>();
            var values = classes.data<long>().ToArray();
            for (int b = 0; b < count; b++) predicted[first + b] = values[b];
            itemsDone?.Invoke(count);
        }
        return new ProbeEvaluation(new Dictionary<string, double> { [Metric] = (double)correct / test.Count }, predicted);
    }

    public SubsetMetric SubsetMetric => subsetMetric ??= SubsetMetrics.Accuracy(test.Select(e => e.Label).ToList());

    SubsetMetric? subsetMetric;

    /// <summary>The training or test sentences as one padded block of token ids, mask and labels (for the PyTorch export).</summary>
    public (Tensor Ids, Tensor Mask, Tensor Labels) All(bool training)
    {
        var items = training ? train : test;
        return Batch(items, Enumerable.Range(0, items.Count).ToList());
    }

    Tensor Logits(AhwaModel model, Tensor ids, Tensor mask) => EncoderTasks.Model(model, Name, Classes).Classify(ids, mask).narrow(1, 0, Classes);

    static (Tensor Ids, Tensor Mask, Tensor Labels) Batch(IReadOnlyList<Encoded> items, IReadOnlyList<int> indices)
    {
        var chosen = indices.Select(i => items[i]).ToList();
        int length = chosen.Max(c => c.Ids.Length);
        var ids = new long[chosen.Count * length];
        var mask = new long[chosen.Count * length];
        for (int b = 0; b < chosen.Count; b++)
            for (int t = 0; t < chosen[b].Ids.Length; t++) { ids[b * length + t] = chosen[b].Ids[t]; mask[b * length + t] = 1; }
        return (tensor(ids, new long[] { chosen.Count, length }), tensor(mask, new long[] { chosen.Count, length }), tensor(chosen.Select(c => (long)c.Label).ToArray()));
    }
}
