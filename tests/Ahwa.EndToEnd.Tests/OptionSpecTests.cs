using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Ahwa.Hardware;
using Ahwa.Lab.CommandLine;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Ahwa.EndToEnd.Tests;

/// <summary>Issue 30, part 3: each option's default and range is declared once (<see cref="ValueOptionAttribute"/>), and
/// --help, validation and the run all read that declaration. These fail when a default is restated by hand again.</summary>
public sealed class OptionSpecTests
{
    /// <summary>Every settings class of the ahwa command and of the samples.</summary>
    static readonly Type[] SettingsTypes = new[]
        {
            typeof(AhwaCli).Assembly, typeof(HelloAnalog.HelloSettings).Assembly, typeof(MiniLmSentiment.ExperimentSettings).Assembly,
            typeof(DecoderArithmetic.DemoSettings).Assembly,
        }
        .SelectMany(a => a.GetTypes()).Where(t => typeof(CommandSettings).IsAssignableFrom(t) && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null)
        .ToArray();

    static IEnumerable<(Type Type, PropertyInfo Property, ValueOptionAttribute Spec)> Specs() =>
        from type in SettingsTypes
        from property in type.GetProperties()
        let spec = property.GetCustomAttribute<ValueOptionAttribute>()
        where spec is not null
        select (type, property, spec);

    static object With(Type type, PropertyInfo property, string? text)
    {
        var settings = Activator.CreateInstance(type)!;
        property.SetValue(settings, text);
        return settings;
    }

    [Fact]
    public void EverySettingsClassIsFound()
    {
        foreach (var name in new[] { "TrainSettings", "EvaluateSettings", "DeploySettings", "ExportSettings", "InspectSettings", "ReportSettings",
                     "HelloSettings", "ExperimentSettings", "DemoSettings" })
            Assert.Contains(SettingsTypes, t => t.Name == name);
        Assert.True(Specs().Count() >= 15, $"only {Specs().Count()} declared options");
    }

    /// <summary>A number in a plain description is a default written by hand, beside the one the code uses.</summary>
    [Fact]
    public void NoDescriptionStatesANumericDefaultByHand()
    {
        var restated = (from type in SettingsTypes
                        from property in type.GetProperties()
                        let description = property.GetCustomAttribute<DescriptionAttribute>()
                        where description is not null && description is not ValueOptionAttribute && Regex.IsMatch(description.Description, @"\(default [-+0-9.]")
                        select $"{type.Name}.{property.Name}: {description.Description}").ToList();
        Assert.Empty(restated);
    }

    [Fact]
    public void EverySeedOptionDefaultsToTheOneSeed()
    {
        var seeds = SettingsTypes.SelectMany(type => type.GetProperties().Select(property => (type, property)))
            .Where(p => p.property.GetCustomAttribute<CommandOptionAttribute>()?.LongNames.Contains("seed") == true).ToList();
        Assert.NotEmpty(seeds);
        foreach (var (type, property) in seeds)
        {
            Assert.IsType<SeedOptionAttribute>(property.GetCustomAttribute<ValueOptionAttribute>());
            Assert.Null(OptionValues.Read(With(type, property, null), property.Name, out ulong seed));
            Assert.Equal(Seeds.Default, seed);
        }
    }

    /// <summary>Left out, an option reads as its declared default, and the help text shows that same value.</summary>
    [Fact]
    public void HelpShowsTheDefaultThatIsRead()
    {
        foreach (var (type, property, spec) in Specs().Where(s => s.Spec.DefaultValue is not null))
        {
            Assert.Null(OptionValues.Read(With(type, property, null), property.Name, out object? value));
            Assert.Equal(spec.DefaultValue, value);
            Assert.EndsWith($"(default {ValueOptionAttribute.Format(value!)})", spec.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("[", spec.Description, StringComparison.Ordinal); // Spectre reads descriptions as markup
        }
    }

    /// <summary>Validation refuses just past the declared bound, naming the option and the value, and the run's reader
    /// takes the bound itself: one range for both.</summary>
    [Fact]
    public void ValidationAndTheRunShareTheDeclaredRange()
    {
        foreach (var (type, property, spec) in Specs().Where(s => s.Spec is PositiveIntOptionAttribute))
        {
            int max = ((PositiveIntOptionAttribute)spec).Max;
            string name = OptionValues.Name(property);
            string over = (max + 1L).ToString(CultureInfo.InvariantCulture);
            var refused = ((CommandSettings)With(type, property, over)).Validate();
            Assert.False(refused.Successful, $"{type.Name} {name} {over}");
            Assert.Contains($"{name} must be at most {max.ToString(CultureInfo.InvariantCulture)}, got '{over}'.", refused.Message, StringComparison.Ordinal);
            Assert.Null(OptionValues.Read(With(type, property, max.ToString(CultureInfo.InvariantCulture)), property.Name, out object? value));
            Assert.Equal(max, value);
            Assert.Contains("must be a positive integer, got '0'", OptionValues.Read(With(type, property, "0"), property.Name, out object? _), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("train", typeof(TrainSettings))]
    [InlineData("evaluate", typeof(EvaluateSettings))]
    [InlineData("inspect", typeof(InspectSettings))]
    [InlineData("report", typeof(ReportSettings))]
    [InlineData("deploy", typeof(DeploySettings))]
    [InlineData("export pytorch", typeof(ExportSettings))]
    public void CommandHelpShowsEachDeclaredDefault(string command, Type settings)
    {
        var console = new StringWriter();
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No, Out = new AnsiConsoleOutput(console) });
        ansi.Profile.Width = 250;
        Assert.Equal(0, AhwaCli.Run([.. command.Split(' '), "--help"], console: ansi, output: new StringWriter(), error: new StringWriter()));
        var declared = settings.GetProperties().Select(p => p.GetCustomAttribute<ValueOptionAttribute>()).Where(s => s?.DefaultValue is not null).ToList();
        Assert.NotEmpty(declared);
        foreach (var spec in declared) Assert.Contains(spec!.Description, console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SamplesReadTheDeclaredDefaults()
    {
        var hello = HelloAnalog.HelloSettings.Parse([]).Options!;
        Assert.Equal(Seeds.Default, hello.Seed);
        Assert.Equal(typeof(HelloAnalog.HelloSettings).GetProperty(nameof(HelloAnalog.HelloSettings.Epochs))!.GetCustomAttribute<ValueOptionAttribute>()!.DefaultValue, hello.Epochs);
        var demo = DecoderArithmetic.DemoOptions.Parse([]).Options!;
        Assert.Equal((Seeds.Default, 1, DecoderArithmetic.DemoOptions.Full().Seeds), (demo.Seed, demo.Threads, demo.Seeds));
        Assert.Equal("Option --threads is given twice. Run with --help for the options.", DecoderArithmetic.DemoOptions.Parse(["--threads", "2", "--threads", "3"]).Error);
        Assert.Equal("--threads must be a positive integer, got 'x'. Run with --help for the options.", DecoderArithmetic.DemoOptions.Parse(["--threads", "x"]).Error);
    }
}
