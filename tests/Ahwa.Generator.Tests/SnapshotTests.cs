using System.Linq;

namespace Ahwa.Generator.Tests;

/// <summary>Every generated file of the sample models and of a BERT-base description, against baselines;
/// and every diagnostics-free output compiles with no error and no warning.</summary>
public class SnapshotTests
{
    public static TheoryData<string, string> Models => new()
    {
        { "TinyEncoder", "samples/HelloAnalog/TinyEncoder.cs" },
        { "MiniLm", "samples/MiniLmSentiment/MiniLm.cs" },
        { "BertBase", "tests/Ahwa.Generator.Tests/Models/BertBase.cs" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedFilesMatchBaselines(string name, string path)
    {
        var run = Harness.Generate(Harness.ReadRepoFile(path));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.NotEmpty(run.Result.GeneratedSources);
        foreach (var source in run.Result.GeneratedSources.OrderBy(s => s.HintName, System.StringComparer.Ordinal))
            Baseline.Match(name + "/" + source.HintName, source.SourceText.ToString());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GeneratedCodeCompilesWithoutWarnings(string name, string path)
    {
        var run = Harness.Generate(Harness.ReadRepoFile(path));
        var problems = Harness.CompileProblems(run.Output);
        Assert.True(problems.Count == 0, name + ":\n" + string.Join("\n", problems));
    }

    [Fact]
    public void OutputIsIdenticalAcrossRunsAndCultures()
    {
        var source = Harness.ReadRepoFile("tests/Ahwa.Generator.Tests/Models/BertBase.cs");
        string Texts() => string.Join("\n", Harness.Generate(source).Result.GeneratedSources.Select(s => s.HintName + "\n" + s.SourceText));
        var invariant = Texts();
        var previous = System.Threading.Thread.CurrentThread.CurrentCulture;
        try
        {
            System.Threading.Thread.CurrentThread.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("fi-FI");
            Assert.Equal(invariant, Texts());
        }
        finally
        {
            System.Threading.Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
