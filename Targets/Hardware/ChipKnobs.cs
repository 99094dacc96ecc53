using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Ahwa.Hardware;

/// <summary>
/// Changes to a chip's numeric knobs written as text, <c>WeightNoise=0.03,WeightClipSigma=0</c>, each named as
/// <see cref="Ahwa.Dsl.AnalogChipAttribute"/> names it: for experiments that vary one knob at a time without editing
/// the model. The changed chip is held to <see cref="HardwareRules"/> like a declared one.
/// </summary>
public static class ChipKnobs
{
    static readonly IReadOnlyDictionary<string, Func<ChipSpec, double, ChipSpec>> Setters = new Dictionary<string, Func<ChipSpec, double, ChipSpec>>(StringComparer.Ordinal)
    {
        [nameof(ChipSpec.WeightNoise)] = (c, v) => c with { WeightNoise = v },
        [nameof(ChipSpec.OutputNoise)] = (c, v) => c with { OutputNoise = v },
        [nameof(ChipSpec.WeightClipSigma)] = (c, v) => c with { WeightClipSigma = v },
        [nameof(ChipSpec.OutputBound)] = (c, v) => c with { OutputBound = v },
        [nameof(ChipSpec.BoundManagementLimit)] = (c, v) => c with { BoundManagementLimit = v },
        [nameof(ChipSpec.GMaxMicroSiemens)] = (c, v) => c with { GMaxMicroSiemens = v },
        [nameof(ChipSpec.DacBits)] = (c, v) => c with { DacBits = (int)v },
        [nameof(ChipSpec.AdcBits)] = (c, v) => c with { AdcBits = (int)v },
    };

    static readonly HashSet<string> Integers = new(StringComparer.Ordinal) { nameof(ChipSpec.DacBits), nameof(ChipSpec.AdcBits) };

    /// <summary>The knobs that can be changed, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } = Setters.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

    /// <summary><paramref name="chip"/> with the <paramref name="assignments"/> made; an unknown knob, a value that is
    /// not a number or a value the rules refuse throws an <see cref="ArgumentException"/> naming the knob and value.</summary>
    public static ChipSpec Apply(ChipSpec chip, string assignments)
    {
        if (chip is null) throw new ArgumentNullException(nameof(chip));
        var changed = TryApply(chip, assignments, out string? problem);
        return problem is null ? changed : throw new ArgumentException(problem, nameof(assignments));
    }

    /// <summary>What is wrong with <paramref name="assignments"/> for <paramref name="chip"/>, or null.</summary>
    public static string? Problem(ChipSpec chip, string assignments)
    {
        if (chip is null) throw new ArgumentNullException(nameof(chip));
        TryApply(chip, assignments, out string? problem);
        return problem;
    }

    static ChipSpec TryApply(ChipSpec chip, string assignments, out string? problem)
    {
        problem = null;
        if (assignments is null || assignments.Trim().Length == 0)
        {
            problem = "No chip knob given; write Name=Value[,Name=Value], Name one of " + string.Join(", ", Names) + ".";
            return chip;
        }
        foreach (var raw in assignments.Split(','))
        {
            string part = raw.Trim();
            int equals = part.IndexOf('=');
            string name = equals < 0 ? part : part.Substring(0, equals).Trim(), text = equals < 0 ? "" : part.Substring(equals + 1).Trim();
            if (equals < 0 || name.Length == 0) problem = $"Chip knob '{part}' is not Name=Value.";
            else if (!Setters.TryGetValue(name, out var set)) problem = $"Chip knob '{name}' is not one of {string.Join(", ", Names)}.";
            else if (Integers.Contains(name))
            {
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int whole)) chip = set(chip, whole);
                else problem = $"Chip knob {name}: '{text}' is not a whole number.";
            }
            else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) chip = set(chip, value);
            else problem = $"Chip knob {name}: '{text}' is not a number.";
            if (problem is not null) return chip;
        }
        if (HardwareRules.Check(chip).FirstOrDefault() is { } violation) problem = "Chip knob " + violation.Message;
        return chip;
    }
}
