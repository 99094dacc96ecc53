using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Ahwa.Runtime;
using Ahwa.Runtime.Data;
using Ahwa.Runtime.Import;
using Ahwa.Runtime.Simulation;
using Ahwa.Runtime.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace MiniLmSentiment
{
    /// <summary>What one run does; <see cref="Quick"/> is a small preset for tests.</summary>
    public sealed record ExperimentOptions(int Epochs, ulong Seed, int Repetitions, string Output, int TrainLimit, int TestLimit, int MaxTokens,
        IReadOnlyList<(double Seconds, string Label)> Times)
    {
        public static ExperimentOptions Default(string output) => new(3, 42, 3, output, int.MaxValue, 300, 48, DriftSweep.PaperTimes);

        public static ExperimentOptions Quick(string output) => new(2, 42, 2, output, 480, 96, 32,
            new[] { (0.0, "0 s"), (3600.0, "1 h"), (31536000.0, "1 year"), (315360000.0, "10 years") });
    }

    /// <summary>One method's accuracy over drift times.</summary>
    public sealed record MethodResult(string Method, long TrainableParameters, IReadOnlyList<DriftPoint> Points);

    /// <summary>
    /// The paper's experiment on the UCI sentiment sentences with the pretrained MiniLM: a digital LoRA (upper bound),
    /// that model deployed unchanged on programmed PCM tiles (no adaptation), AHWA-LoRA and full AHWA training, each
    /// evaluated at the drift times over repeated programmings.
    /// </summary>
    public static class Experiment
    {
        sealed record Encoded(long[] Ids, int Label);

        public static IReadOnlyList<MethodResult> Run(ExperimentOptions o)
        {
            Directory.CreateDirectory(o.Output);
            var cache = Environment.GetEnvironmentVariable("AHWA_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ahwa");
            var sentences = SentimentSentences.Load(SentimentSentences.Install(cache));
            var split = DataSplit.Create(sentences, o.Seed);
            var pretrained = Pretrained.Load();
            var tokenizer = pretrained.Tokenizer();
            List<Encoded> Encode(IEnumerable<LabeledSentence> items) =>
                items.Select(s => new Encoded(tokenizer.EncodeToIds(s.Text).Take(o.MaxTokens).Select(i => (long)i).ToArray(), s.Label)).ToList();
            var train = Encode(split.Train.Take(o.TrainLimit));
            var test = Encode(split.Test.Take(o.TestLimit));
            AnsiConsole.MarkupLine($"Data: {train.Count} training and {test.Count} test sentences (Amazon, IMDB, Yelp reviews; seed {o.Seed}).");

            using var model = new MiniLm((long)o.Seed);
            var checkpoint = BertCheckpoint.FromOnnx(pretrained.Onnx());
            BertCheckpoint.LoadInto(model, checkpoint, pretrained.Source);
            var untrained = AdapterFiles.Capture(model, "untrained");

            (Tensor Ids, Tensor Mask, Tensor Labels) Batch(IReadOnlyList<Encoded> items, IEnumerable<int> indices)
            {
                var chosen = indices.Select(i => items[i]).ToList();
                int length = chosen.Max(c => c.Ids.Length);
                var ids = new long[chosen.Count * length];
                var mask = new long[chosen.Count * length];
                for (int b = 0; b < chosen.Count; b++)
                    for (int t = 0; t < chosen[b].Ids.Length; t++) { ids[b * length + t] = chosen[b].Ids[t]; mask[b * length + t] = 1; }
                return (tensor(ids, new long[] { chosen.Count, length }), tensor(mask, new long[] { chosen.Count, length }), tensor(chosen.Select(c => (long)c.Label).ToArray()));
            }
            double Accuracy()
            {
                using var noGrad = no_grad();
                int correct = 0;
                for (int first = 0; first < test.Count; first += 64)
                {
                    using var scope = NewDisposeScope();
                    var (ids, mask, labels) = Batch(test, Enumerable.Range(first, Math.Min(64, test.Count - first)));
                    correct += (int)model.Classify(ids, mask).argmax(1).eq(labels).sum().item<long>();
                }
                return (double)correct / test.Count;
            }
            IReadOnlyList<double> Train(string label, TrainingOptions options)
            {
                IReadOnlyList<double> losses = Array.Empty<double>();
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .Start(context =>
                    {
                        var task = context.AddTask(label, maxValue: 1);
                        var progress = new ImmediateProgress<TrainingStep>(step =>
                        {
                            task.MaxValue = step.TotalSteps;
                            task.Value = step.Step;
                            task.Description = $"{label}: loss {step.Loss.ToString("0.000", CultureInfo.InvariantCulture)}, {step.StepsPerSecond.ToString("0.00", CultureInfo.InvariantCulture)} steps/s";
                        });
                        losses = AhwaTrainer.Train(model, train.Count, batch =>
                        {
                            var (ids, mask, labels) = Batch(train, batch);
                            return nn.functional.cross_entropy(model.Classify(ids, mask), labels);
                        }, options, progress);
                    });
                return losses;
            }
            IReadOnlyList<DriftPoint> Sweep() =>
                DriftSweep.Run(model, new PcmLikeDevice(), Accuracy, o.Repetitions, o.Seed, o.Times);
            long Trainable() => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

            var results = new List<MethodResult>();
            // 1. Digital LoRA: the upper bound, no hardware at all.
            var digitalOptions = new TrainingOptions(Epochs: o.Epochs, Seed: o.Seed, Execution: AnalogExecution.Digital);
            Train("digital LoRA", digitalOptions);
            long loraTrainable = Trainable();
            model.SetExecution(AnalogExecution.Digital);
            double digital = Accuracy();
            results.Add(new MethodResult("Digital LoRA (upper bound)", loraTrainable, o.Times.Select(t => new DriftPoint(t.Seconds, t.Label, digital, 0, new[] { digital })).ToList()));
            // 2. That model deployed unchanged on programmed analog tiles.
            results.Add(new MethodResult("Digital LoRA on analog hardware (no adaptation)", loraTrainable, Sweep()));
            // 3. AHWA-LoRA.
            AdapterFiles.Apply(model, untrained);
            Train("AHWA-LoRA", new TrainingOptions(Epochs: o.Epochs, Seed: o.Seed));
            var ahwaLora = AdapterFiles.Capture(model, "sentiment");
            AdapterFiles.Save(model, Path.Combine(o.Output, "adapters", "sentiment"), "sentiment", "SEQ_CLS");
            results.Add(new MethodResult("AHWA-LoRA", Trainable(), Sweep()));
            // 4. Full AHWA: every weight trains under the same noise (lr 5e-5), then the base weights come back.
            AdapterFiles.Apply(model, untrained);
            Train("full AHWA", new TrainingOptions(LearningRate: 5e-5, Epochs: o.Epochs, Seed: o.Seed, Regime: TrainingRegime.FullAhwa));
            results.Add(new MethodResult("Full AHWA", Trainable(), Sweep()));
            BertCheckpoint.LoadInto(model, checkpoint, pretrained.Source);
            AdapterFiles.Apply(model, ahwaLora);

            File.WriteAllText(Path.Combine(o.Output, "results.json"), Json(results));
            AnsiConsole.Write(Table(results));
            return results;
        }

        static Table Table(IReadOnlyList<MethodResult> results)
        {
            var table = new Table().Title("Test accuracy (mean +- std over programmings)").AddColumn("method").AddColumn("trainable");
            foreach (var p in results[0].Points) table.AddColumn(p.Label);
            foreach (var r in results)
                table.AddRow(new[] { r.Method, r.TrainableParameters.ToString(CultureInfo.InvariantCulture) }
                    .Concat(r.Points.Select(p => $"{(100 * p.Mean).ToString("0.0", CultureInfo.InvariantCulture)} +- {(100 * p.Std).ToString("0.0", CultureInfo.InvariantCulture)}")).ToArray());
            return table;
        }

        static string Json(IReadOnlyList<MethodResult> results) =>
            "[\n" + string.Join(",\n", results.Select(r => $"{{ \"method\": \"{r.Method}\", \"trainable\": {r.TrainableParameters}, \"points\": {DriftSweep.ToJson("accuracy", r.Points).TrimEnd()} }}")) + "\n]\n";
    }
}
