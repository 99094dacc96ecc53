using System.Collections.Generic;
using System.Linq;
using Ahwa.Codegen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Reads the Dsl attributes from symbols by metadata name. The names come from the Dsl types themselves
/// (the generator references Ahwa.Dsl and ships it beside itself), so a rename cannot leave a stale string; the
/// values are still read from Roslyn's AttributeData, because the user's attributes are never instantiated.</summary>
static class AttributeReader
{
    public static readonly string AnalogModel = typeof(Dsl.AnalogModelAttribute).FullName!;
    public static readonly string AnalogBlock = typeof(Dsl.AnalogBlockAttribute).FullName!;
    public static readonly string AnalogChip = typeof(Dsl.AnalogChipAttribute).FullName!;
    public static readonly string LoraDefaults = typeof(Dsl.LoraDefaultsAttribute).FullName!;
    public static readonly string RiscVCluster = typeof(Dsl.RiscVClusterAttribute).FullName!;
    public static readonly string AnalogLinear = typeof(Dsl.AnalogLinearAttribute).FullName!;
    public static readonly string DigitalLinear = typeof(Dsl.DigitalLinearAttribute).FullName!;
    public static readonly string Lora = typeof(Dsl.LoraAttribute).FullName!;
    public static readonly string Blocks = typeof(Dsl.BlocksAttribute).FullName!;

    public static AttributeData? Find(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == metadataName);

    public static bool Has(ISymbol symbol, string metadataName) => Find(symbol, metadataName) is not null;

    /// <summary>True when the compiler already reports an error in the attribute (an argument of the wrong type, an
    /// unknown name): Roslyn then hands over a fallback value, so Ahwa reports nothing about it.</summary>
    public static bool HasCompilerErrors(AttributeData attribute, Compilation compilation)
    {
        if (HasInvalidConstants(attribute)) return true;
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax) return false;
        var model = compilation.GetSemanticModel(syntax.SyntaxTree);
        return model.GetDiagnostics(syntax.Span).Any(d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>The cheap part of <see cref="HasCompilerErrors"/>: an unbound attribute or an argument without a constant.
    /// The full check binds the attribute, so it runs only before a diagnostic about the attribute is reported.</summary>
    public static bool HasInvalidConstants(AttributeData attribute) =>
        attribute.AttributeClass is null or IErrorTypeSymbol || attribute.AttributeConstructor is null
        || attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
        || attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    /// <summary>A named argument's value if it was written, else null.</summary>
    public static object? Named(AttributeData attribute, string name)
    {
        foreach (var pair in attribute.NamedArguments)
            if (pair.Key == name) return pair.Value.Value;
        return null;
    }

    public static int Int(AttributeData attribute, string name, int fallback) => Named(attribute, name) is int v ? v : fallback;

    public static double Double(AttributeData attribute, string name, double fallback) => Named(attribute, name) switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => fallback,
    };

    public static bool Bool(AttributeData attribute, string name, bool fallback) => Named(attribute, name) is bool b ? b : fallback;

    public static string? String(AttributeData attribute, string name) => Named(attribute, name) as string;

    public static LocationInfo? Location(AttributeData? attribute) => LocationInfo.From(attribute?.ApplicationSyntaxReference);

    /// <summary>The location of one named argument, or of the whole attribute when it cannot be found.</summary>
    public static LocationInfo? ArgumentLocation(AttributeData attribute, string name)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax && syntax.ArgumentList is not null)
        {
            foreach (var argument in syntax.ArgumentList.Arguments)
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                    return LocationInfo.From(argument.GetLocation());
        }
        return Location(attribute);
    }

    /// <summary>The location of the constructor argument at <paramref name="index"/>, or of the attribute.</summary>
    public static LocationInfo? ConstructorArgumentLocation(AttributeData attribute, int index)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax syntax && syntax.ArgumentList is not null)
        {
            var positional = syntax.ArgumentList.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
            if (index < positional.Count) return LocationInfo.From(positional[index].GetLocation());
        }
        return Location(attribute);
    }

    public static IEnumerable<AttributeData> LayerAttributes(ISymbol symbol) =>
        symbol.GetAttributes().Where(a =>
        {
            var name = a.AttributeClass?.ToDisplayString();
            return name == AnalogLinear || name == DigitalLinear || name == Blocks;
        });
}
