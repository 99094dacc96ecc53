namespace Ahwa.Lab.Formats;

/// <summary>Writes a plot as a PNG atomically: a failed save never leaves a half-written image.</summary>
public static class PlotFiles
{
    public static string Save(ScottPlot.Plot plot, string path, int width = 800, int height = 500)
    {
        AtomicFile.Write(path, temporary => plot.SavePng(temporary, width, height));
        return path;
    }
}
