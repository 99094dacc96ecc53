using System.Collections.Generic;
using System.Linq;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Checks that a model or block class can receive a generated partial, and describes where it goes.</summary>
static class TypeParser
{
    static readonly SymbolDisplayFormat QualifiedWithoutGlobal =
        SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    /// <summary>Returns false (with diagnostics) when no partial can be generated for the class.</summary>
    public static bool CheckShape(INamedTypeSymbol symbol, ClassDeclarationSyntax syntax, string requiredBase, string kind, List<DiagnosticInfo> diagnostics)
    {
        bool ok = true;
        var identifier = LocationInfo.From(syntax.Identifier.GetLocation());
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotPartial, identifier, symbol.Name));
            ok = false;
        }
        if (symbol.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Generic, identifier, symbol.Name, symbol.Name));
            ok = false;
        }
        for (var containing = symbol.ContainingType; containing is not null; containing = containing.ContainingType)
        {
            if (containing.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.Generic, identifier, symbol.Name, containing.ToDisplayString()));
                ok = false;
            }
            if (!IsPartial(containing))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotPartial, LocationInfo.From(containing.Locations.FirstOrDefault()), containing.Name));
                ok = false;
            }
        }
        if (HasExplicitBase(symbol) && !DerivesFrom(symbol, requiredBase))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BaseNotAhwa, identifier, symbol.Name, symbol.BaseType!.ToDisplayString(), kind, requiredBase));
            ok = false;
        }
        return ok;
    }

    public static TypeDeclaration Describe(INamedTypeSymbol symbol, EquatableArray<MemberDeclaration> members)
    {
        var containing = new List<string>();
        for (var type = symbol.ContainingType; type is not null; type = type.ContainingType)
            containing.Insert(0, "partial " + Keyword(type) + " " + type.Name);
        string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString();
        return new TypeDeclaration(
            Namespace: ns,
            ContainingTypes: containing.ToEquatableArray(),
            Name: symbol.Name,
            FullyQualifiedName: symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            HintName: symbol.ToDisplayString(QualifiedWithoutGlobal),
            HasExplicitBase: HasExplicitBase(symbol),
            HasUserConstructor: symbol.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared),
            Members: members);
    }

    static bool HasExplicitBase(INamedTypeSymbol symbol) =>
        symbol.BaseType is not null && symbol.BaseType.SpecialType != SpecialType.System_Object;

    static bool DerivesFrom(INamedTypeSymbol symbol, string metadataName)
    {
        for (var type = symbol.BaseType; type is not null; type = type.BaseType)
            if (type.ToDisplayString() == metadataName) return true;
        return false;
    }

    static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

    static string Keyword(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
        TypeKind.Interface => "interface",
        _ => type.IsRecord ? "record" : "class",
    };
}
