using System;
using System.IO;
using System.Linq;
using DecoderArithmetic;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The offline decoder demonstration's pipeline at its tiny size (one-digit operands, a few steps): pretraining,
/// instruction tuning, GRPO, the three evaluations and the report, and a rerun that reads the cached pretraining.</summary>
public class DecoderArithmeticTests
{
    [Fact]
    public void TheSplitIsSeededAndDisjoint()
    {
        var (train, test) = Arithmetic.Split(2, 300, null, 42);
        Assert.Equal(20000 - 300, train.Count);
        Assert.Equal(300, test.Count);
        Assert.Empty(train.Select(p => p.Prompt).Intersect(test.Select(p => p.Prompt)));
        Assert.Equal(test, Arithmetic.Split(2, 300, null, 42).Test);
        Assert.NotEqual(test, Arithmetic.Split(2, 300, null, 43).Test);
        Assert.Equal("07-58=", new ArithmeticProblem(7, '-', 58, 2).Prompt);
        Assert.Equal("-51", new ArithmeticProblem(7, '-', 58, 2).Response);
        Assert.Throws<ArgumentOutOfRangeException>(() => Arithmetic.Split(1, 200, null, 1));
    }

    [Fact]
    public void TheTinyPipelinePretrainsTunesReportsAndRepeatsFromTheCache()
    {
        var folder = Directory.CreateTempSubdirectory("ahwa-decoder-").FullName;
        // As the program runs (--threads 1): LibTorch's threads on these tiny matrices only spin against other work.
        int threads = TorchSharp.torch.get_num_threads();
        TorchSharp.torch.set_num_threads(1);
        try
        {
            var o = DemoOptions.Tiny(folder);
            var first = Demo.Run(o, _ => { });
            Assert.False(first.Pretraining.Cached);
            Assert.True(first.Pretraining.LastEpochLoss < 0.8 * first.Pretraining.FirstEpochLoss,
                $"pretraining loss {first.Pretraining.FirstEpochLoss} -> {first.Pretraining.LastEpochLoss}");
            Assert.Equal(new[] { Demo.NoAdaptation, Demo.Sft, Demo.Grpo }, first.Methods.Select(m => m.Method));
            Assert.Equal(2 + o.Times.Count, first.Conditions.Count);
            foreach (var m in first.Methods)
            {
                Assert.Equal(m.Method == Demo.NoAdaptation ? 1 : o.Seeds, m.Seeds.Count);
                var counts = new[] { 1, o.NoiseDraws }.Concat(o.Times.Select(_ => o.Programmings)).ToArray();
                for (int c = 0; c < counts.Length; c++)
                {
                    Assert.Equal(m.Seeds.Count, m.Values[c].Count);
                    Assert.All(m.Values[c], run => Assert.Equal(counts[c], run.Count));
                    Assert.All(m.Values[c], run => Assert.All(run, v => Assert.InRange(v, 0, 1)));
                }
            }

            var report = File.ReadAllLines(Report.Write(first));
            var header = report.Single(l => l.StartsWith("| method | digital |", StringComparison.Ordinal));
            int at = Array.IndexOf(report, header);
            Assert.Equal(first.Conditions.Count + 2, header.Split('|').Length - 1);
            for (int row = 0; row < first.Methods.Count; row++)
            {
                var cells = report[at + 2 + row].Split('|', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();
                Assert.StartsWith(first.Methods[row].Method, cells[0]);
                Assert.All(cells.Skip(1), c => Assert.Matches(@"^\d+\.\d ± \d+\.\d$", c));
            }
            Assert.Contains(report, l => l.StartsWith("Run time: ", StringComparison.Ordinal));

            // The same seed reads the cached pretraining and gives the same numbers.
            var second = Demo.Run(o, _ => { });
            Assert.True(second.Pretraining.Cached);
            for (int m = 0; m < first.Methods.Count; m++)
                for (int c = 0; c < first.Conditions.Count; c++)
                    Assert.Equal(first.Methods[m].Values[c].SelectMany(v => v), second.Methods[m].Values[c].SelectMany(v => v));
        }
        finally
        {
            TorchSharp.torch.set_num_threads(threads);
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        Assert.Contains("--bogus", DemoOptions.Parse(new[] { "--bogus" }).Error);
        Assert.Contains("--seeds", DemoOptions.Parse(new[] { "--seeds", "0" }).Error);
        Assert.Contains("--seed", DemoOptions.Parse(new[] { "--seed" }).Error);
        var quick = DemoOptions.Parse(new[] { "--quick", "--seed", "7", "--out", "x" }).Options!;
        Assert.Equal(("quick", 7UL, "x"), (quick.Preset, quick.Seed, quick.Output));
    }
}
