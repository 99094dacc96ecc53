using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Ahwa.EndToEnd.Tests;

/// <summary>The MiniLM experiment's --quick preset runs end to end: pretrained import, npm data, four methods,
/// drift sweeps on programmed tiles, adapters, results.json.</summary>
public class MiniLmExperimentTests
{
    [Fact]
    public async System.Threading.Tasks.Task TheQuickExperimentProducesResultsForEveryMethodAndTime()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MiniLmSentiment.dll");
        var folder = Directory.CreateTempSubdirectory("ahwa-minilm-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", $"\"{dll}\" --quick --out \"{folder}\"") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr + output[^Math.Min(output.Length, 3000)..]);

            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
            var methods = results.RootElement.EnumerateArray().ToList();
            Assert.Equal(new[] { "Digital LoRA (upper bound)", "Digital LoRA on analog hardware (no adaptation)", "AHWA-LoRA", "Full AHWA" },
                methods.Select(m => m.GetProperty("method").GetString()));
            foreach (var method in methods)
            {
                var points = method.GetProperty("points").GetProperty("points").EnumerateArray().ToList();
                Assert.Equal(new[] { "0 s", "1 h", "1 year", "10 years" }, points.Select(p => p.GetProperty("label").GetString()));
                Assert.All(points, p => Assert.InRange(p.GetProperty("mean").GetDouble(), 0, 1));
            }
            // AHWA-LoRA trains about 1.5 % of the parameters, full AHWA all of them.
            Assert.True(methods[2].GetProperty("trainable").GetInt64() * 50 < methods[3].GetProperty("trainable").GetInt64());
            Assert.True(File.Exists(Path.Combine(folder, "adapters", "sentiment", "adapter_model.safetensors")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
