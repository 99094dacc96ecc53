using Ahwa.Lab.Pipeline;
using Xunit.Abstractions;

namespace Ahwa.Runtime.Tests.Pipeline;

public class PaperShapesTests
{
    readonly ITestOutputHelper output;

    public PaperShapesTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void PrintsTheComparisonForEachParameterSet()
    {
        foreach (var (name, cluster) in new[] { ("paper", ClusterTiming.Paper), ("engine, cores de-scale", ClusterTiming.Paper with { TileDescales = false }), ("scalar", new ClusterTiming()) })
        {
            var table = PaperShapes.Comparison(cluster);
            output.WriteLine(name + "\n" + table);
            Assert.Equal(2 + 6, table.Split('\n', System.StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public void PrintsTheDesignSpaces()
    {
        foreach (var encoder in new[] { EncoderShape.MiniLm, EncoderShape.MobileBert })
            foreach (var (name, cluster) in new[] { ("paper", ClusterTiming.Paper), ("engine, cores de-scale", ClusterTiming.Paper with { TileDescales = false }) })
            {
                var text = DesignSpace.Markdown(encoder, cluster);
                output.WriteLine($"{encoder.Name}, {name}\n{text}");
                Assert.Contains("Cheapest configuration", text);
            }
    }

    [Fact]
    public void DocsPipelineHoldsTheModelsCurrentComparison()
    {
        var directory = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
        while (directory is not null && !System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "Compiler.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        var docs = System.IO.File.ReadAllText(System.IO.Path.Combine(directory!.FullName, "docs", "pipeline.md")).Replace("\r\n", "\n");
        Assert.Contains(DeploymentReport.PaperComparison(128), docs);
    }
}
