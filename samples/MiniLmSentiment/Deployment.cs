using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Deployment;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Kernels;
using Ahwa.Lab.Pipeline;
using Spectre.Console;

namespace MiniLmSentiment;

/// <summary>What deployment wrote and checked.</summary>
public sealed record DeploymentSummary(string Folder, int ArtifactFiles, int TilesUsed, int Tiles, double TileUtilisation, int CheckedLayers, int Kernels,
    long CheckedElements, long Differences, int MaxL1Bytes, int PipelineTokens, double PipelineNs, double AllAnalogNs, IReadOnlyList<string> Plots);

/// <summary>Deploys the adapted model: generated kernels, tile map and Makefile; every adapted layer's kernel checked
/// bit for bit on the host compiler with that layer's own adapter; the pipeline report of the hybrid layers.</summary>
public static class Deployment
{
    public const int PipelineTokens = 128, CheckTokens = 8;

    public static DeploymentSummary Run(MiniLm model, string output, ulong seed)
    {
        string folder = Path.Combine(output, "deploy");
        var files = ArtifactWriter.Write(MiniLm.Artifacts, folder);

        var cases = ModelKernelCases.Create(model, CheckTokens, seed);
        var checks = KernelCrossCheck.Run(cases, MiniLm.Artifacts, KernelTarget.Host, Path.Combine(output, "work", "kernel-check"));
        long differences = checks.Sum(c => (long)c.Differences + c.NaiveDifferences);
        if (differences != 0)
        {
            var bad = checks.First(c => c.Differences + c.NaiveDifferences != 0);
            throw new InvalidOperationException($"Kernel cross-check failed: {differences} output elements differ from the managed reference " +
                                                $"(first: layer '{bad.Case.Kernel.LayerName}', kernel {bad.Case.Kernel.Symbol}, element {bad.FirstDifference}).");
        }

        var report = DeploymentReport.Build(MiniLm.Spec, MiniLm.Plan, PipelineTokens);
        AtomicFile.WriteText(Path.Combine(output, "pipeline.md"), report.ToMarkdown() + "\n" + DeploymentReport.PaperComparison(PipelineTokens));
        AtomicFile.WriteText(Path.Combine(output, "pipeline.json"), report.ToJson());
        var plots = ReportPlots.Write(MiniLm.Spec, Path.Combine(output, "plots")).ToList();
        foreach (var encoder in new[] { EncoderShape.MiniLm, EncoderShape.MobileBert })
            plots.AddRange(DesignSpace.Plots(encoder, ClusterTiming.Paper, Path.Combine(output, "plots"), PipelineTokens));

        var summary = new DeploymentSummary(folder, files.Count, report.TileMap.TilesUsed, report.TileMap.Geometry.Tiles, report.TileMap.Utilisation,
            checks.Count, checks.Select(c => c.Case.Kernel.Symbol).Distinct().Count(), checks.Sum(c => (long)c.Elements), differences,
            report.Layers.Max(l => l.L1Bytes), PipelineTokens, report.TotalNs, report.AllAnalogNs, plots.Select(p => Path.GetRelativePath(output, p)).ToList());
        AnsiConsole.MarkupLine($"Deployment: {files.Count} files in {Markup.Escape(folder)}; kernel cross-check on the host: {summary.CheckedLayers} layers " +
                               $"({summary.Kernels} kernels), {summary.CheckedElements:N0} outputs, {summary.Differences} differences; pipeline at {PipelineTokens} tokens " +
                               $"{Experiment.Format(summary.PipelineNs / 1000, "0.0")} us against {Experiment.Format(summary.AllAnalogNs / 1000, "0.0")} us all-analog " +
                               $"({Experiment.Format((summary.PipelineNs / summary.AllAnalogNs - 1) * 100, "0.0")} % overhead).");
        return summary;
    }
}
