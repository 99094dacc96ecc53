using System;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Ahwa.Hardware;
using Spectre.Console.Cli;

namespace Ahwa.Lab.CommandLine;

/// <summary>An option's help text, default and range, declared once on its property. It is the property's
/// <see cref="DescriptionAttribute"/> (Spectre.Console.Cli finds a derived one), so the "(default N)" that --help shows
/// is the value that <see cref="OptionValues.Read{T}(object, string, out T)"/> gives validation and the run alike.
/// The property stays text: the library's own conversion error names neither the option nor the value.</summary>
[AttributeUsage(AttributeTargets.Property)]
public abstract class ValueOptionAttribute : DescriptionAttribute
{
    protected ValueOptionAttribute(string text) : base(text) { }

    /// <summary>The value when the option is not given; null where the program supplies it (a preset's).</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>Help text; spec descriptions are Spectre markup, so no brackets in the text.</summary>
    public override string Description => DefaultValue is null ? DescriptionValue : $"{DescriptionValue} (default {Format(DefaultValue)})";

    /// <summary>Reads the option's text (<paramref name="text"/> null: <paramref name="fallback"/>); null, or the
    /// message naming <paramref name="name"/> and the value as given.</summary>
    public abstract string? Read(string name, string? text, object? fallback, out object? value);

    /// <summary>A default as help prints it (invariant culture).</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>An integer from 1 to <see cref="Max"/>; the bound keeps a typo such as <c>--repetitions 1000000</c> from
/// starting a run of days.</summary>
public sealed class PositiveIntOptionAttribute : ValueOptionAttribute
{
    readonly int? defaultValue;

    /// <summary>No default: left out, the option reads as the program's fallback (null when it has none).</summary>
    public PositiveIntOptionAttribute(string text, int max) : base(text) => Max = max;

    public PositiveIntOptionAttribute(string text, int @default, int max) : this(text, max)
    {
        if (@default <= 0 || @default > max) throw new ArgumentOutOfRangeException(nameof(@default), @default, $"A default outside 1..{max}.");
        defaultValue = @default;
    }

    public int Max { get; }

    public override object? DefaultValue => defaultValue;

    public override string? Read(string name, string? text, object? fallback, out object? value)
    {
        var problem = OptionValues.PositiveInt(name, text, fallback is int f ? f : 0, Max, out int parsed);
        value = text is null ? fallback : parsed;
        return problem;
    }
}

/// <summary>A seed: any non-negative 64-bit integer, by default <see cref="Seeds.Default"/>.</summary>
public sealed class SeedOptionAttribute : ValueOptionAttribute
{
    public SeedOptionAttribute(string text) : base(text) { }

    public override object? DefaultValue => Seeds.Default;

    public override string? Read(string name, string? text, object? fallback, out object? value)
    {
        var problem = OptionValues.Seed(name, text, fallback is ulong f ? f : Seeds.Default, out ulong parsed);
        value = parsed;
        return problem;
    }
}

/// <summary>A positive finite number (a learning rate).</summary>
public sealed class PositiveNumberOptionAttribute : ValueOptionAttribute
{
    readonly double? defaultValue;

    /// <summary>No default: the program supplies it (a preset's).</summary>
    public PositiveNumberOptionAttribute(string text) : base(text) { }

    public PositiveNumberOptionAttribute(string text, double @default) : base(text)
    {
        if (!(@default > 0) || double.IsInfinity(@default)) throw new ArgumentOutOfRangeException(nameof(@default), @default, "A default that is not a positive number.");
        defaultValue = @default;
    }

    public override object? DefaultValue => defaultValue;

    public override string? Read(string name, string? text, object? fallback, out object? value)
    {
        var problem = OptionValues.PositiveNumber(name, text, fallback is double f ? f : double.NaN, out double parsed);
        value = text is null ? fallback : parsed;
        return problem;
    }
}

public static partial class OptionValues
{
    /// <summary>Option <paramref name="property"/> of <paramref name="settings"/> (a <see cref="ValueOptionAttribute"/>
    /// property): its text read, or its declared default when not given. Null, or the message naming the option and value.</summary>
    public static string? Read<T>(object settings, string property, out T value) => Read(settings, property, useFallback: false, default(T), out value);

    /// <summary>As <see cref="Read{T}(object, string, out T)"/>, with the program's <paramref name="fallback"/> (a
    /// preset's value) instead of a declared default.</summary>
    public static string? Read<T>(object settings, string property, T fallback, out T value) => Read(settings, property, useFallback: true, fallback, out value);

    /// <summary>The value of an option that validation has accepted; a problem here is a bug (validation skipped).</summary>
    public static T Value<T>(object settings, string property) =>
        Read(settings, property, out T value) is string problem ? throw new InvalidOperationException("Unvalidated option: " + problem) : value;

    /// <summary>The first problem among the declared-default options of <paramref name="settings"/>, in declaration
    /// order (a derived class's options before its base's), or null.</summary>
    public static string? Problem(object settings) => settings.GetType().GetProperties()
        .Where(p => p.GetCustomAttribute<ValueOptionAttribute>() is { DefaultValue: not null })
        .Select(p => Read(settings, p.Name, out object? _))
        .FirstOrDefault(problem => problem is not null);

    /// <summary>The option's long name with its dashes (<c>--epochs</c>), from its <see cref="CommandOptionAttribute"/>.</summary>
    public static string Name(PropertyInfo property) =>
        "--" + (property.GetCustomAttribute<CommandOptionAttribute>()?.LongNames.FirstOrDefault()
                ?? throw new ArgumentException($"{property.DeclaringType?.Name}.{property.Name} is not a long command option."));

    static string? Read<T>(object settings, string property, bool useFallback, T? fallback, out T value)
    {
        var info = settings.GetType().GetProperty(property) ?? throw new ArgumentException($"{settings.GetType().Name} has no option property '{property}'.");
        var spec = info.GetCustomAttribute<ValueOptionAttribute>() ?? throw new ArgumentException($"{settings.GetType().Name}.{property} declares no value option.");
        var problem = spec.Read(Name(info), (string?)info.GetValue(settings), useFallback ? fallback : spec.DefaultValue, out object? read);
        value = read is null ? default! : (T)read;
        return problem;
    }
}
