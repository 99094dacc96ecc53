using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Ahwa.Dsl;
using Ahwa.Hardware;

namespace Ahwa.Simulator.Tests;

/// <summary>Issue 30, part 1: the PyTorch package's shared values are generated from the C# (ahwa/_generated.py), and
/// a fixture of C# answers (rules and messages at boundary values, device formulas, the drift sweep's seeds) lets the
/// Python tests fail when the two sides disagree. Both checked-in files must be what the C# writes now.
/// AHWA_UPDATE_BASELINES=1 rewrites them locally, never when CI=true.</summary>
public class PythonFactsTests
{
    const string FixturePath = "Runtime/Python/tests/fixtures/csharp_facts.json";

    [Fact]
    public void TheCheckedInPythonModuleIsWhatTheCSharpWritesNow() => Match(PythonFacts.RelativePath, PythonFacts.Module());

    [Fact]
    public void TheCheckedInCrossLanguageFixtureIsWhatTheCSharpComputesNow() => Match(FixturePath, Fixture());

    [Fact]
    public void TheModuleIsTheSameTextInAnotherCulture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fi-FI");
            Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, PythonFacts.RelativePath)), PythonFacts.Module());
            Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, FixturePath)), Fixture());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void EveryFieldOfTheSpecsHasANamedRule()
    {
        var chip = PythonFacts.ChipFields();
        Assert.Equal(14, chip.Count);
        Assert.Equal(("tile_rows", "positive"), (chip[0].Python, chip[0].Rule));
        Assert.Equal(("dac_bits", "converter_bits"), (chip[3].Python, chip[3].Rule));
        Assert.Equal(("g_max_micro_siemens", "greater_than_zero"), (chip[13].Python, chip[13].Rule));
        Assert.Equal("defined", chip.Single(f => f.Python == "device").Rule);
        Assert.Equal(new[] { "lora_rank", "greater_than_zero", "lora_dropout" }, PythonFacts.LoraFields().Select(f => f.Rule));
    }

    /// <summary>C#'s answers to the questions the Python tests ask (tests/test_shared.py).</summary>
    static string Fixture()
    {
        var rules = new List<object>();
        void Probe(string spec, PythonFacts.Field field, object value, IEnumerable<RuleViolation> violations)
        {
            var violation = violations.FirstOrDefault(v => v.Name == field.CSharp);
            string text = value is int i ? HardwareRules.Format(i) : HardwareRules.Format((double)value);
            rules.Add(new { spec, python = field.Python, csharp = field.CSharp, type = field.Type == typeof(int) ? "int" : "float", value = text, message = violation?.Message });
        }
        int[] ints = { -1, 0, 1, 16, 17 };
        double[] doubles = { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -1.5, -1e-7, 0, 0.5, 0.999999, 1, 1e30 };
        foreach (var field in PythonFacts.ChipFields().Where(f => !f.Type.IsEnum))
            foreach (var value in field.Type == typeof(int) ? ints.Cast<object>() : doubles.Cast<object>())
                Probe("chip", field, value, HardwareRules.Check(With(ChipSpec.Default, field.CSharp, value)));
        foreach (var field in PythonFacts.LoraFields())
            foreach (var value in field.Type == typeof(int) ? ints.Cast<object>() : doubles.Cast<object>())
                Probe("lora", field, value, HardwareRules.Check(With(LoraSpec.Default, field.CSharp, value)));

        double[] g = { 0.0, 1e-9, 0.01, 1.25, 5.0, 12.5, 20.0, 25.0 };
        double[] seconds = { 0.0, 3600.0, 31536000.0, 315360000.0 };
        var formulas = new[] { 25.0, 10.0 }.Select(gMax =>
        {
            var pcm = new PcmLikeDevice(gMax);
            return new
            {
                g_max = gMax,
                g,
                t = seconds,
                programming_std = g.Select(pcm.ProgrammingNoiseStd).ToArray(),
                drift_mean = g.Select(pcm.DriftMean).ToArray(),
                drift_std = g.Select(pcm.DriftStd).ToArray(),
                read_noise_std = g.Select(x => seconds.Select(t => pcm.ReadNoiseStd(x, t)).ToArray()).ToArray(),
            };
        }).ToArray();

        // The drift sweep's protocol (DriftSweep.RunMetrics): repetition r programs with Derive(seed, Repetition, r),
        // time t draws with Derive(that, Drift, t).
        var sweeps = new ulong[] { 0, 42, ulong.MaxValue }.Select(seed =>
        {
            var programming = Enumerable.Range(0, 3).Select(r => RandomStream.Derive(seed, StreamPurpose.Repetition, r)).ToArray();
            return new { seed, programming, drift = programming.Select(p => Enumerable.Range(0, DriftTimes.Paper.Count).Select(t => RandomStream.Derive(p, StreamPurpose.Drift, t)).ToArray()).ToArray() };
        }).ToArray();
        var derive = Enum.GetValues<StreamPurpose>().Select(p => new { seed = 7UL, purpose = (int)p, index = 3L, value = RandomStream.Derive(7, p, 3) }).ToArray();

        var unknown = (DeviceModel)9;
        string unknownMessage = Assert.Throws<ArgumentOutOfRangeException>(() => DeviceModels.For(unknown, 25)).Message;
        var document = new
        {
            rules,
            formulas,
            seeds = new { derive, sweeps },
            devices = new { known = DeviceModels.Known.Select(d => d.ToString()).ToArray(), unknown = (int)unknown, unknown_message = unknownMessage.Split(" (Parameter")[0] },
        };
        var options = new JsonSerializerOptions { WriteIndented = true, NewLine = "\n" };
        return JsonSerializer.Serialize(document, options) + "\n";
    }

    /// <summary>A copy of the record with one constructor argument changed.</summary>
    static T With<T>(T record, string name, object value) where T : class
    {
        var constructor = typeof(T).GetConstructors().Single(c => c.GetParameters().All(p => p.ParameterType != typeof(T)));
        var args = constructor.GetParameters().Select(p => p.Name == name ? value : typeof(T).GetProperty(p.Name!)!.GetValue(record)).ToArray();
        return (T)constructor.Invoke(args);
    }

    static bool Updating =>
        Environment.GetEnvironmentVariable("AHWA_UPDATE_BASELINES") == "1" &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    static void Match(string relative, string actual)
    {
        var path = Path.Combine(RepoRoot, relative);
        if (Updating)
        {
            // Atomically: a reader (pytest running beside) sees the old file or the new one, never half.
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, actual, new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
            return;
        }
        Assert.True(File.Exists(path), $"'{relative}' is missing; run the Simulator tests with AHWA_UPDATE_BASELINES=1 to write it.");
        var expected = File.ReadAllText(path);
        if (expected == actual) return;
        var lines = (expected.Split('\n'), actual.Split('\n'));
        int first = Enumerable.Range(0, Math.Min(lines.Item1.Length, lines.Item2.Length)).FirstOrDefault(i => lines.Item1[i] != lines.Item2[i], Math.Min(lines.Item1.Length, lines.Item2.Length));
        Assert.Fail($"'{relative}' is not what the C# writes now (first difference at line {first + 1}):\n" +
                    $"- {lines.Item1.ElementAtOrDefault(first)}\n+ {lines.Item2.ElementAtOrDefault(first)}\n" +
                    "The C# is the source: rerun the Simulator tests with AHWA_UPDATE_BASELINES=1 and commit the file.");
    }

    static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return dir.FullName;
            throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

/// <summary>The one device registry: the declared device and g_max decide the model, an unknown device is an error
/// naming it and the known ones.</summary>
public class DeviceRegistryTests
{
    [Fact]
    public void TheDeclaredDeviceAndGMaxChooseTheModel()
    {
        var pcm = Assert.IsType<PcmLikeDevice>(DeviceModels.For(ChipSpec.Default));
        Assert.Equal(PcmLikeDevice.DefaultGMax, pcm.GMax);
        Assert.Equal(10.0, Assert.IsType<PcmLikeDevice>(DeviceModels.For(ChipSpec.Default with { GMaxMicroSiemens = 10 })).GMax);
        Assert.Equal(40.0, Assert.IsType<GaussianDevice>(DeviceModels.For(ChipSpec.Default with { Device = DeviceModel.Gaussian, GMaxMicroSiemens = 40 })).GMax);
        Assert.Equal(Enum.GetValues<DeviceModel>(), DeviceModels.Known);
    }

    [Fact]
    public void AnUnknownDeviceIsAnErrorNamingItAndTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DeviceModels.For((DeviceModel)9, 25));
        Assert.StartsWith("Device model 9 is unknown; the known device models are PcmLike, Gaussian.", error.Message);
    }

    [Fact]
    public void ADifferentGMaxProgramsDifferentConductances()
    {
        // The same relative targets on two chips: the programmed conductance is g_max times the target plus noise
        // whose std depends on g / g_max, so relative to g_max the smaller chip is noisier.
        var relative = Enumerable.Range(0, 4096).Select(i => (float)((i % 17) / 16.0)).ToArray();
        double[] Spread(double gMax)
        {
            var device = DeviceModels.For(ChipSpec.Default with { GMaxMicroSiemens = gMax });
            var target = relative.Select(r => (float)(r * gMax)).ToArray();
            var programmed = new float[target.Length];
            var nu = new float[target.Length];
            var random = new RandomStream(5, 0);
            device.Program(target, programmed, nu, ref random);
            return programmed.Select((g, i) => (g - target[i]) / gMax).ToArray();
        }
        double Rms(double[] v) => Math.Sqrt(v.Average(x => x * x));
        Assert.True(Rms(Spread(10)) > 2 * Rms(Spread(25)));
    }
}
