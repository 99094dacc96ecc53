using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator;

/// <summary>A [Lora] override; null fields keep the model's default.</summary>
sealed record LoraOverride(int? Rank, double? Alpha, double? Dropout, bool Disabled, LocationInfo? Location);

/// <summary>One annotated property with everything needed to expand it into layers.</summary>
sealed record ParsedMember(
    MemberDeclaration Declaration,
    int InFeatures,
    int OutFeatures,
    bool Bias,
    LoraOverride? Lora,
    LocationInfo? Location,
    INamedTypeSymbol? BlockType);

/// <summary>Turns the annotated properties of a model or block into member declarations, checking each.</summary>
static class MemberParser
{
    const string AnalogLinearType = "global::Ahwa.Runtime.AnalogLinear";
    const string DigitalLinearType = "global::Ahwa.Runtime.DigitalLinear";

    /// <summary>The layer members of <paramref name="type"/>; <paramref name="ok"/> turns false when one of them cannot
    /// be generated, with a diagnostic or because the compiler already reports an error in its attributes.</summary>
    public static List<ParsedMember> Parse(INamedTypeSymbol type, bool insideBlock, Compilation compilation, List<DiagnosticInfo> diagnostics, ref bool ok,
        CancellationToken cancellation)
    {
        var members = new List<ParsedMember>();
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            cancellation.ThrowIfCancellationRequested();
            var parsed = ParseProperty(property, insideBlock, compilation, diagnostics, ref ok);
            if (parsed is not null) members.Add(parsed);
        }
        return members;
    }

    /// <summary>Parses one property. When the compiler already reports an error in its attributes, Roslyn hands over
    /// fallback values, so any Ahwa diagnostic about them would quote a value the user did not write: it is dropped.</summary>
    static ParsedMember? ParseProperty(IPropertySymbol property, bool insideBlock, Compilation compilation, List<DiagnosticInfo> diagnostics, ref bool memberOk)
    {
        var attributes = AttributeReader.LayerAttributes(property).ToList();
        if (AttributeReader.Find(property, AttributeReader.Lora) is { } loraAttribute) attributes.Add(loraAttribute);
        if (attributes.Any(AttributeReader.HasInvalidConstants))
        {
            memberOk = false;
            return null;
        }
        int before = diagnostics.Count;
        var parsed = ParseChecked(property, insideBlock, diagnostics, ref memberOk);
        if (diagnostics.Count > before && attributes.Any(a => AttributeReader.HasCompilerErrors(a, compilation)))
        {
            diagnostics.RemoveRange(before, diagnostics.Count - before);
            memberOk = false;
            return null;
        }
        return parsed;
    }

    static ParsedMember? ParseChecked(IPropertySymbol property, bool insideBlock, List<DiagnosticInfo> diagnostics, ref bool memberOk)
    {
        var layerAttributes = AttributeReader.LayerAttributes(property).ToList();
        var lora = AttributeReader.Find(property, AttributeReader.Lora);
        var location = LocationInfo.From(property.Locations.FirstOrDefault());
        string member = property.ContainingType.Name + "." + property.Name;

        if (layerAttributes.Count == 0)
        {
            if (lora is not null) diagnostics.Add(DiagnosticInfo.Create(Diagnostics.LoraOnNonLinear, AttributeReader.Location(lora), member));
            return null;
        }
        if (layerAttributes.Count > 1)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ConflictingLayerAttributes, location, member));
            memberOk = false;
            return null;
        }

        var attribute = layerAttributes[0];
        string attributeName = attribute.AttributeClass!.ToDisplayString();
        bool ok = true;
        if (attribute.ConstructorArguments.Length != 2)
        {
            memberOk = false; // malformed attribute: the compiler reports it
            return null;
        }

        MemberKind kind;
        string expectedType;
        int inFeatures = 0, outFeatures = 0;
        INamedTypeSymbol? blockType = null;
        int blockCount = 0;
        string layerName = AttributeReader.String(attribute, nameof(AnalogLinearAttribute.Name)) ?? LayerNaming.FromPropertyName(property.Name);

        if (attributeName == AttributeReader.Blocks)
        {
            kind = MemberKind.Blocks;
            if (lora is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.LoraOnNonLinear, AttributeReader.Location(lora), member));
                ok = false;
            }
            if (insideBlock)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BlocksInBlock, AttributeReader.Location(attribute), member));
                memberOk = false;
                return null;
            }
            blockType = attribute.ConstructorArguments[0].Value as INamedTypeSymbol;
            if (blockType is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotABlock, AttributeReader.ConstructorArgumentLocation(attribute, 0), member, "null"));
                memberOk = false;
                return null;
            }
            blockCount = attribute.ConstructorArguments[1].Value is int c ? c : 0;
            expectedType = "global::System.Collections.Generic.IReadOnlyList<" + blockType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ">";
            if (!AttributeReader.Has(blockType, AttributeReader.AnalogBlock))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotABlock, AttributeReader.ConstructorArgumentLocation(attribute, 0), member, blockType.ToDisplayString()));
                ok = false;
            }
            if (blockCount <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BlockUsedZeroTimes, AttributeReader.ConstructorArgumentLocation(attribute, 1), member, blockType.Name, blockCount));
                ok = false;
            }
            else if (HardwareRules.BlockCount(blockCount) is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TooManyBlocks, AttributeReader.ConstructorArgumentLocation(attribute, 1), member, blockType.Name,
                    HardwareRules.Format(blockCount), HardwareRules.Format(HardwareRules.MaxBlockCount)));
                ok = false;
            }
        }
        else
        {
            bool analog = attributeName == AttributeReader.AnalogLinear;
            kind = analog ? MemberKind.AnalogLinear : MemberKind.DigitalLinear;
            expectedType = analog ? AnalogLinearType : DigitalLinearType;
            inFeatures = attribute.ConstructorArguments[0].Value is int i ? i : 0;
            outFeatures = attribute.ConstructorArguments[1].Value is int o ? o : 0;
            if (HardwareRules.Positive(inFeatures) is string inRule)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveDimension, AttributeReader.ConstructorArgumentLocation(attribute, 0), member,
                    nameof(AnalogLinearAttribute.InFeatures), inFeatures, inRule));
                ok = false;
            }
            if (HardwareRules.Positive(outFeatures) is string outRule)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveDimension, AttributeReader.ConstructorArgumentLocation(attribute, 1), member,
                    nameof(AnalogLinearAttribute.OutFeatures), outFeatures, outRule));
                ok = false;
            }
        }

        if (!LayerNaming.IsValid(layerName))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidLayerName, AttributeReader.ArgumentLocation(attribute, nameof(AnalogLinearAttribute.Name)), member, layerName));
            ok = false;
        }

        string shortType = kind == MemberKind.Blocks ? "IReadOnlyList<" + blockType!.Name + ">" : expectedType.Substring(expectedType.LastIndexOf('.') + 1);
        if (!IsPartialGetOnly(property))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotPartialProperty, location, member, shortType, property.Name));
            ok = false;
        }
        string actualType = property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (actualType != expectedType)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WrongPropertyType, location, member, property.Type.ToDisplayString(), "[" + attribute.AttributeClass.Name.Replace("Attribute", "") + "]", expectedType.Replace("global::", "")));
            ok = false;
        }

        var loraOverride = lora is null ? null : ReadLoraOverride(lora, member, System.Math.Min(inFeatures, outFeatures), diagnostics, ref ok);
        if (!ok)
        {
            memberOk = false;
            return null;
        }

        var declaration = new MemberDeclaration(TypeParser.Identifier(property.Name), Accessibility(property.DeclaredAccessibility), actualType, kind, layerName,
            blockType?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), blockCount);
        bool bias = AttributeReader.Bool(attribute, nameof(AnalogLinearAttribute.Bias), new AnalogLinearAttribute(1, 1).Bias);
        return new ParsedMember(declaration, inFeatures, outFeatures, bias, loraOverride, location, blockType);
    }

    static LoraOverride ReadLoraOverride(AttributeData lora, string member, int maxRank, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        // Unset arguments stay null (the model's defaults fill them later), so only written values are checked here.
        int? rank = AttributeReader.Named(lora, nameof(LoraAttribute.Rank)) is int r ? r : null;
        double? alpha = AttributeReader.Named(lora, nameof(LoraAttribute.Alpha)) is null ? null : AttributeReader.Double(lora, nameof(LoraAttribute.Alpha), 0);
        double? dropout = AttributeReader.Named(lora, nameof(LoraAttribute.Dropout)) is null ? null : AttributeReader.Double(lora, nameof(LoraAttribute.Dropout), 0);
        bool disabled = AttributeReader.Bool(lora, nameof(LoraAttribute.Disabled), new LoraAttribute().Disabled);
        // The upper bound on the rank is checked once the layer is expanded (a block's layers, the model's defaults);
        // a rank below 1 is wrong for any layer, so it is reported here at the argument.
        if (rank is int explicitRank && HardwareRules.LoraRank(explicitRank, null) is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RankOutOfRange, AttributeReader.ArgumentLocation(lora, nameof(LoraAttribute.Rank)), member,
                explicitRank, HardwareRules.LoraRank(explicitRank, maxRank)!));
            ok = false;
        }
        if (alpha is double a && HardwareRules.LoraAlpha(a) is string alphaRule)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.AlphaNotPositive, AttributeReader.ArgumentLocation(lora, nameof(LoraAttribute.Alpha)), member, HardwareRules.Format(a), alphaRule));
            ok = false;
        }
        if (dropout is double d && HardwareRules.LoraDropout(d) is string dropoutRule)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DropoutOutOfRange, AttributeReader.ArgumentLocation(lora, nameof(LoraAttribute.Dropout)), member, HardwareRules.Format(d), dropoutRule));
            ok = false;
        }
        return new LoraOverride(rank, alpha, dropout, disabled, AttributeReader.Location(lora));
    }

    static bool IsPartialGetOnly(IPropertySymbol property) =>
        property.IsPartialDefinition && !property.IsStatic && property.GetMethod is not null && property.SetMethod is null;

    static string Accessibility(Microsoft.CodeAnalysis.Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Public => "public",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "private",
    };
}
