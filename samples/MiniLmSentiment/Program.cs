using System;
using System.Globalization;
using System.Linq;
using MiniLmSentiment;

// The MiniLM experiment (issue 7, in progress): --quick for a small run; --out DIR, --epochs N, --seed N, --repetitions N.
string Option(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    if (at < 0) return fallback;
    if (at + 1 >= args.Length) throw new ArgumentException($"Option {name} needs a value.");
    return args[at + 1];
}
foreach (var arg in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
    if (arg is not ("--quick" or "--out" or "--epochs" or "--seed" or "--repetitions"))
    {
        Console.Error.WriteLine($"Unknown option '{arg}'. Options: --quick, --out DIR, --epochs N, --seed N, --repetitions N.");
        return 2;
    }
int Positive(string name, int fallback) =>
    int.TryParse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v
        : throw new ArgumentException($"{name} must be a positive integer, got '{Option(name, "")}'.");
string output = Option("--out", "out/minilm");
var options = args.Contains("--quick") ? ExperimentOptions.Quick(output) : ExperimentOptions.Default(output);
options = options with
{
    Epochs = Positive("--epochs", options.Epochs),
    Repetitions = Positive("--repetitions", options.Repetitions),
    Seed = ulong.Parse(Option("--seed", options.Seed.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
};
Experiment.Run(options);
return 0;
