using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Ahwa.Lab.Deployment;
using Ahwa.Lab.Export;
using Ahwa.Lab.Formats;
using Ahwa.Lab.Kernels;
using Ahwa.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

public sealed class DeploySettings : ModelSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Output folder (default out/MODEL/deploy; with --all, one folder per model under DIR, default ahwa)")]
    public string? Output { get; init; }

    [CommandOption("--all")]
    [Description("Every model of the assembly, each in its own folder (what the build does)")]
    public bool All { get; init; }

    [CommandOption("--no-check")]
    [Description("Skip the cross-check of every layer's kernel on the host compiler")]
    public bool NoCheck { get; init; }

    [CommandOption("--with-pytorch")]
    [Description("Also write the PyTorch export (to pytorch/ in the model's folder) when the model has one")]
    public bool WithPyTorch { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the model's initial weights and the cross-check inputs")]
    public string? Seed { get; init; }

    public override ValidationResult Validate() =>
        (OptionValues.Problem(this) ?? (Output is null ? null : OptionValues.OutputFolder("--out", Output))
         ?? (All && Model is not null ? $"MODEL '{Model}' and --all exclude each other." : null)) is string e ? ValidationResult.Error(e) : ValidationResult.Success();
}

public sealed class DeployCommand(CliHost host) : AhwaCommand<DeploySettings>(host)
{
    const int CheckTokens = 4;
    /// <summary>Linear-layer weights above which the cross-check does not build the model (1 GiB of FP32).</summary>
    const long MaxBuiltParameters = 1L << 28;

    protected override int Run(DeploySettings settings, CancellationToken cancellation)
    {
        ulong seed = OptionValues.Value<ulong>(settings, nameof(settings.Seed));
        var assembly = Resolve.Assembly(Host, settings);
        var models = settings.All ? ModelRegistry.Of(assembly) : [Resolve.Model(assembly, settings.Model)];
        var results = new List<DeployResult>();
        foreach (var registered in models)
        {
            cancellation.ThrowIfCancellationRequested();
            string folder = settings.All ? Path.Combine(settings.Output ?? "ahwa", registered.Name) : settings.Output ?? Path.Combine("out", registered.Name, "deploy");
            var written = ChangedFiles.Write(folder, registered.Artifacts.Select(a => (a.Path, Encoding.UTF8.GetBytes(a.Text)))).ToList();
            AhwaModel? model = null;
            try
            {
                if (settings.WithPyTorch && registered.PyTorch is { IsAvailable: true } translation && registered.Create is not null)
                {
                    model = Resolve.Create(registered, seed);
                    var staging = Path.Combine(Path.GetTempPath(), "ahwa-export-" + Guid.NewGuid().ToString("N"));
                    try
                    {
                        PyTorchExport.Write(model, translation, staging, []);
                        written.AddRange(ChangedFiles.Copy(staging, Path.Combine(folder, "pytorch")));
                    }
                    finally
                    {
                        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
                    }
                }
                int checkedLayers = 0;
                long differences = 0;
                if (!settings.NoCheck)
                {
                    // A model too large to build here (LLaMA-3.1-8B: 32 GB of weights) has its shared kernels checked with
                    // seeded random operands from the plan; the others with their own layers' LoRA matrices and scales.
                    bool fromPlan = model is null && registered.Spec.Layers.Sum(l => l.BaseParameterCount) > MaxBuiltParameters;
                    if (!fromPlan) model ??= Resolve.Create(registered, seed);
                    var cases = fromPlan ? ModelKernelCases.FromPlan(registered.Spec, registered.Plan, CheckTokens, seed) : ModelKernelCases.Create(model!, CheckTokens, seed);
                    // The bench's build folder (objects, case files: megabytes a model) is scratch, gone when the check ends.
                    var work = Path.Combine(Path.GetTempPath(), "ahwa-kernel-check-" + Guid.NewGuid().ToString("N"));
                    IReadOnlyList<KernelCaseResult> checks;
                    try { checks = KernelCrossCheck.Run(cases, registered.Artifacts, KernelTarget.Host, work); }
                    finally { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
                    checkedLayers = checks.Count;
                    differences = checks.Sum(c => (long)c.Differences + c.NaiveDifferences);
                    if (differences != 0)
                    {
                        var bad = checks.First(c => c.Differences + c.NaiveDifferences != 0);
                        throw new InvalidOperationException($"Kernel cross-check of '{registered.Name}' failed: {differences} outputs differ from the managed reference " +
                                                            $"(first: layer '{bad.Case.Kernel.LayerName}', element {bad.FirstDifference}).");
                    }
                }
                results.Add(new DeployResult(registered.Name, folder, registered.Artifacts.Count, written.Count, checkedLayers, differences));
            }
            finally
            {
                model?.Dispose();
            }
        }
        if (settings.Json) Host.Output.WriteLine(JsonFiles.Write(results));
        else
            foreach (var r in results)
                Host.Console.WriteLine($"{r.Model}: {I(r.Files)} deployment files in {r.Folder} ({I(r.Written)} written, the rest unchanged)" +
                                       (settings.NoCheck ? "" : $"; kernel cross-check on the host: {I(r.CheckedLayers)} layers, {I(r.Differences)} differences"));
        return ExitCodes.Done;
    }

    sealed record DeployResult(string Model, string Folder, int Files, int Written, int CheckedLayers, long Differences);
}

public sealed class ExportSettings : ModelSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Export folder (default out/MODEL/pytorch); replaced as a whole")]
    public string? Output { get; init; }

    [CommandOption("--seed <N>")]
    [SeedOption("Seed of the exported initial weights")]
    public string? Seed { get; init; }

    [CommandOption("--adapter <DIR>")]
    [Description("Load these adapters into the model before exporting")]
    public string? Adapter { get; init; }

    public override ValidationResult Validate() =>
        (OptionValues.Problem(this) ?? (Output is null ? null : OptionValues.OutputFolder("--out", Output))) is string e
            ? ValidationResult.Error(e) : ValidationResult.Success();
}

public sealed class ExportPyTorchCommand(CliHost host) : AhwaCommand<ExportSettings>(host)
{
    protected override int Run(ExportSettings settings, CancellationToken cancellation)
    {
        ulong seed = OptionValues.Value<ulong>(settings, nameof(settings.Seed));
        var registered = Resolve.Model(Resolve.Assembly(Host, settings), settings.Model);
        var translation = registered.PyTorch ?? throw new InvalidOperationException($"Model '{registered.Name}' has no PyTorch member (the generator did not translate it).");
        using var model = Resolve.Create(registered, seed);
        if (settings.Adapter is string adapter) AdapterFiles.LoadInto(model, adapter);
        var result = PyTorchExport.Write(model, translation, settings.Output ?? Path.Combine("out", registered.Name, "pytorch"), []);
        if (settings.Json) Host.Output.WriteLine(JsonFiles.Write(result));
        else Host.Console.WriteLine($"{registered.Name}: PyTorch module {result.Module}, {I(result.Files.Count)} files in {result.Directory}; run launch.sh there");
        return ExitCodes.Done;
    }
}

public sealed class ScaffoldSettings : CommandSettings
{
    [CommandOption("--from <FILE>")]
    [Description("A Hugging Face config.json (model_type bert, mobilebert or llama)")]
    public string? From { get; init; }

    [CommandOption("--name <CLASS>")]
    [Description("The model class's name (default from model_type: Bert, MobileBert, Llama)")]
    public string? Name { get; init; }

    [CommandOption("--namespace <NS>")]
    [Description("The namespace of the classes (default none)")]
    public string? Namespace { get; init; }

    [CommandOption("--out <FILE>")]
    [Description("Where to write the class (default CLASS.cs in the current folder)")]
    public string? Output { get; init; }

    [CommandOption("--force")]
    [Description("Replace the output file if it exists")]
    public bool Force { get; init; }

    [CommandOption("--ideal-converters")]
    [Description("The paper's LLaMA chip: ideal DAC and ADC, no weight clipping (a tile map, no cluster kernels)")]
    public bool IdealConverters { get; init; }

    public override ValidationResult Validate()
    {
        var problem = OptionValues.ExistingFile("--from", From);
        if (problem is null && Name is not null && !IsIdentifier(Name)) problem = $"--name must be a C# identifier, got '{Name}'.";
        if (problem is null && Namespace is not null && !Namespace.Split('.').All(IsIdentifier)) problem = $"--namespace must be a dotted C# name, got '{Namespace}'.";
        return problem is null ? ValidationResult.Success() : ValidationResult.Error(problem);
    }

    static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
}

public sealed class ScaffoldCommand(CliHost host) : AhwaCommand<ScaffoldSettings>(host)
{
    protected override int Run(ScaffoldSettings settings, CancellationToken cancellation)
    {
        var model = Scaffold.Read(File.ReadAllText(settings.From!), settings.From!);
        string name = settings.Name ?? model.ModelType switch { "bert" => "Bert", "mobilebert" => "MobileBert", _ => "Llama" };
        string output = settings.Output ?? name + ".cs";
        if (File.Exists(output) && !settings.Force) throw new CommandLineException($"--out file '{output}' exists; pass --force to replace it.");
        AtomicFile.WriteText(output, Scaffold.Write(model, name, settings.Namespace, settings.IdealConverters));
        Host.Console.WriteLine($"Wrote {name} ({model.Summary}) to {output}");
        return ExitCodes.Done;
    }
}
