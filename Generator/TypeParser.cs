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
    /// <summary>Returns false (with diagnostics) when no partial can be generated for the class.</summary>
    public static bool CheckShape(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, Compilation compilation, string requiredBase, string kind,
        List<DiagnosticInfo> diagnostics)
    {
        bool ok = true;
        var identifier = LocationInfo.From(syntax.Identifier.GetLocation());
        if (symbol.IsRecord || symbol.TypeKind != TypeKind.Class)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotAClass, identifier, symbol.Name, Keyword(symbol), kind));
            ok = false;
        }
        if (symbol.IsStatic || (symbol.IsAbstract && kind == "block"))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NotConcrete, identifier, symbol.Name, symbol.IsStatic ? "static" : "abstract", kind));
            ok = false;
        }
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
        if ((HasExplicitBase(symbol) || NamesObjectAsBase(symbol, compilation)) && !DerivesFrom(symbol, requiredBase))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.BaseNotAhwa, identifier, symbol.Name, symbol.BaseType?.ToDisplayString() ?? "object", kind, requiredBase));
            ok = false;
        }
        ok &= CheckReservedNames(symbol, kind == "model" ? GeneratedMembers.ModelMembers : GeneratedMembers.BlockMembers, kind, diagnostics);
        return ok;
    }

    /// <summary>A member (or the class itself) named like a generated member, or using the backing-field prefix,
    /// would not compile beside the generated partial.</summary>
    static bool CheckReservedNames(INamedTypeSymbol symbol, IReadOnlyList<string> reserved, string kind, List<DiagnosticInfo> diagnostics)
    {
        bool ok = true;
        if (reserved.Contains(symbol.Name))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ReservedMemberName, LocationInfo.From(symbol.Locations.FirstOrDefault()), symbol.Name, symbol.Name, kind));
            ok = false;
        }
        foreach (var member in symbol.GetMembers())
        {
            if (member.IsImplicitlyDeclared) continue;
            string? clash = reserved.Contains(member.Name) && !IsGeneratedPartialHook(member) ? member.Name
                : member.Name.StartsWith(GeneratedMembers.BackingFieldPrefix, System.StringComparison.Ordinal) ? GeneratedMembers.BackingFieldPrefix + "*"
                : null;
            if (clash is null) continue;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ReservedMemberName, LocationInfo.From(member.Locations.FirstOrDefault()),
                symbol.Name + "." + member.Name, clash, kind));
            ok = false;
        }
        return ok;
    }

    /// <summary>The user may implement the generated partial hook <c>partial void OnLayersCreated()</c>.</summary>
    static bool IsGeneratedPartialHook(ISymbol member) =>
        member is IMethodSymbol { Name: "OnLayersCreated", ReturnsVoid: true, Parameters.Length: 0, IsStatic: false } method
        && method.DeclaringSyntaxReferences.All(r => r.GetSyntax() is MethodDeclarationSyntax m && m.Modifiers.Any(SyntaxKind.PartialKeyword));

    public static TypeDeclaration Describe(INamedTypeSymbol symbol, EquatableArray<MemberDeclaration> members)
    {
        var containing = new List<string>();
        for (var type = symbol.ContainingType; type is not null; type = type.ContainingType)
            containing.Insert(0, "partial " + Keyword(type) + " " + Identifier(type.Name));
        return new TypeDeclaration(
            Namespace: symbol.ContainingNamespace.IsGlobalNamespace ? null : string.Join(".", Namespaces(symbol).Select(n => Identifier(n.Name))),
            ContainingTypes: containing.ToEquatableArray(),
            Name: Identifier(symbol.Name),
            FullyQualifiedName: symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            HintName: HintName(symbol),
            HasExplicitBase: HasExplicitBase(symbol),
            HasUserConstructor: symbol.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared),
            Members: members);
    }

    /// <summary>A C# identifier for <paramref name="name"/>: a reserved keyword gets <c>@</c> (<c>@class</c>).</summary>
    public static string Identifier(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>The hint name from metadata names (never an <c>@</c>): namespaces joined by '.', nested types by '+',
    /// so <c>N.M</c> and a class <c>M</c> nested in <c>N</c> cannot share a file name.</summary>
    public static string HintName(INamedTypeSymbol symbol)
    {
        var types = new List<string>();
        for (var type = symbol; type is not null; type = type.ContainingType) types.Insert(0, type.MetadataName);
        var namespaces = Namespaces(symbol).Select(n => n.MetadataName).ToList();
        string typePart = string.Join("+", types);
        return namespaces.Count == 0 ? typePart : string.Join(".", namespaces) + "." + typePart;
    }

    /// <summary>The namespaces containing the symbol, outermost first, without the global namespace.</summary>
    static List<INamespaceSymbol> Namespaces(INamedTypeSymbol symbol)
    {
        var namespaces = new List<INamespaceSymbol>();
        for (var ns = symbol.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace) namespaces.Insert(0, ns);
        return namespaces;
    }

    static bool HasExplicitBase(INamedTypeSymbol symbol) =>
        symbol.BaseType is not null && symbol.BaseType.SpecialType != SpecialType.System_Object;

    /// <summary>True when a declaration writes <c>: object</c>: the generated part's base would then conflict.</summary>
    static bool NamesObjectAsBase(INamedTypeSymbol symbol, Compilation compilation)
    {
        if (symbol.BaseType?.SpecialType != SpecialType.System_Object) return false;
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not TypeDeclarationSyntax { BaseList: { } baseList } declaration) continue;
            var model = compilation.GetSemanticModel(declaration.SyntaxTree);
            foreach (var baseType in baseList.Types)
                if (model.GetTypeInfo(baseType.Type).Type is { SpecialType: SpecialType.System_Object }) return true;
        }
        return false;
    }

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
