using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Translates an [AnalogModel] class and the blocks it repeats to PyTorch. Runs only on a model that parses
/// without errors (its own pipeline reports those); every construct outside the subset is a warning, and the model's
/// <c>PyTorch</c> member then carries the problems instead of the module.</summary>
static class PyTorchParser
{
    public static ParseResult<PyTorchDeclaration> Parse(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, Compilation compilation, CancellationToken cancellation)
    {
        ParseResult<ModelDeclaration> result;
        try
        {
            result = ModelParser.Parse(symbol, syntax, compilation, cancellation);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new ParseResult<PyTorchDeclaration>(null, EquatableArray<DiagnosticInfo>.Empty); // the model's own pipeline reports it
        }
        var parsed = result.Value;
        if (parsed is null || result.Diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error))
            return new ParseResult<PyTorchDeclaration>(null, EquatableArray<DiagnosticInfo>.Empty);

        var blockSymbols = new List<INamedTypeSymbol>();
        foreach (var member in parsed.Type.Members)
        {
            if (member.Kind != MemberKind.Blocks) continue;
            // PropertyName keeps C#'s '@' (the emitters need it); the symbol's name is without it.
            var property = symbol.GetMembers(member.PropertyName.TrimStart('@')).OfType<IPropertySymbol>()
                .FirstOrDefault(p => p.Type is INamedTypeSymbol { TypeArguments.Length: 1 });
            // Two members of one name are a compiler error, reported by the compiler; there is nothing to translate.
            if (property?.Type is not INamedTypeSymbol { TypeArguments: [INamedTypeSymbol block] })
                return new ParseResult<PyTorchDeclaration>(null, EquatableArray<DiagnosticInfo>.Empty);
            if (!blockSymbols.Contains(block, SymbolEqualityComparer.Default)) blockSymbols.Add(block);
        }
        var owners = new List<INamedTypeSymbol> { symbol };
        owners.AddRange(blockSymbols);

        var diagnostics = new List<DiagnosticInfo>();
        var modelClass = Translate(symbol, parsed.Type, compilation, owners, diagnostics, cancellation);
        var blocks = new List<PythonClass>();
        foreach (var block in blockSymbols)
        {
            var members = new List<MemberDeclaration>();
            bool blockOk = true; // the block's own pipeline reports its problems
            foreach (var member in MemberParser.Parse(block, insideBlock: true, compilation, new List<DiagnosticInfo>(), ref blockOk, cancellation))
                members.Add(member.Declaration);
            blocks.Add(Translate(block, TypeParser.Describe(block, members.ToEquatableArray()), compilation, owners, diagnostics, cancellation));
        }
        bool hasForward = symbol.GetMembers("Forward").OfType<IMethodSymbol>().Any(m => !m.IsStatic);
        var problems = diagnostics.Select(Describe).ToEquatableArray();
        var declaration = new PyTorchDeclaration(parsed, modelClass, blocks.ToEquatableArray(), hasForward ? "Forward" : null,
            System.IO.Path.GetFileName(syntax.SyntaxTree.FilePath), problems, UsesDecoder: new[] { modelClass }.Concat(blocks).Any(UsesDecoder));
        return new ParseResult<PyTorchDeclaration>(declaration, diagnostics.ToEquatableArray());
    }

    /// <summary>Whether a translated class calls the decoder building blocks, so the module imports them.</summary>
    static bool UsesDecoder(PythonClass type) =>
        type.FieldInitializers.Concat(type.Functions.SelectMany(f => f.Body)).Any(line => line.Contains(TorchApi.DecoderModule + ".", StringComparison.Ordinal));

    static string Describe(DiagnosticInfo diagnostic)
    {
        var d = diagnostic.ToDiagnostic();
        var span = d.Location.GetLineSpan();
        string where = span.IsValid ? System.IO.Path.GetFileName(span.Path) + "(" + (span.StartLinePosition.Line + 1) + "," + (span.StartLinePosition.Character + 1) + "): " : "";
        return where + d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }

    static PythonClass Translate(INamedTypeSymbol type, TypeDeclaration declaration, Compilation compilation, IReadOnlyCollection<INamedTypeSymbol> owners,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
    {
        var generated = new HashSet<string>(declaration.Members.Select(m => m.PropertyName.TrimStart('@')), StringComparer.Ordinal);
        var initializers = new List<string>();
        var functions = new List<PythonFunction>();
        foreach (var member in type.GetMembers())
        {
            cancellation.ThrowIfCancellationRequested();
            if (member.IsImplicitlyDeclared || generated.Contains(member.Name) || IsLayerMember(member)) continue;
            string memberName = type.Name + "." + member.Name;
            var location = LocationInfo.From(member.Locations.FirstOrDefault());
            if (member is IFieldSymbol { IsConst: true }) continue;
            if (member is IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet }) continue;
            // An explicit interface implementation is the model's face to C# callers (ICausalLanguageModel); Python has
            // no interfaces or overloads, and its callers use forward, so it stays C#-only.
            if (member is IMethodSymbol { MethodKind: MethodKind.ExplicitInterfaceImplementation } or IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 }) continue;
            if (TorchApi.ReservedMemberNames.Contains(member.Name))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PyTorchReservedName, location, memberName, member.Name));
                continue;
            }
            switch (member)
            {
                case IFieldSymbol { IsStatic: false } field:
                    var declarator = field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellation)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
                    if (declarator?.Initializer is { } init)
                    {
                        var translator = new PythonTranslator(compilation.GetSemanticModel(declarator.SyntaxTree), owners, memberName, false, diagnostics);
                        initializers.Add("self." + TorchApi.PythonName(field.Name) + " = " + translator.Expression(init.Value));
                    }
                    break;
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    var function = Method(method, memberName, compilation, owners, diagnostics, cancellation);
                    if (function is not null) functions.Add(function);
                    break;
                case IPropertySymbol property:
                    var getter = Property(property, memberName, compilation, owners, diagnostics, cancellation);
                    if (getter is not null) functions.Add(getter);
                    break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PyTorchMember, location, memberName, Kind(member)));
                    break;
            }
        }
        return new PythonClass(declaration, initializers.ToEquatableArray(), functions.ToEquatableArray());
    }

    /// <summary>A member carrying an Ahwa layer attribute is generated, never translated.</summary>
    static bool IsLayerMember(ISymbol member) =>
        member.GetAttributes().Any(a => a.AttributeClass?.ContainingNamespace?.ToDisplayString() == "Ahwa.Dsl");

    static string Kind(ISymbol member) => member switch
    {
        IMethodSymbol { MethodKind: MethodKind.Constructor } => "a constructor (the PyTorch class builds its layers itself)",
        IMethodSymbol { MethodKind: MethodKind.StaticConstructor } => "a static constructor",
        IMethodSymbol m => "a " + m.MethodKind.ToString().ToLowerInvariant() + " member",
        IFieldSymbol => "a static field",
        IEventSymbol => "an event",
        INamedTypeSymbol => "a nested type",
        _ => "a " + member.Kind.ToString().ToLowerInvariant(),
    };

    static PythonFunction? Method(IMethodSymbol method, string memberName, Compilation compilation, IReadOnlyCollection<INamedTypeSymbol> owners,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
    {
        // A partial method's declaration without a body is the generated hook (OnLayersCreated); only the part with a body translates.
        var syntax = (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellation))
            .OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        if (syntax is null) return null;
        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PyTorchMember, LocationInfo.From(syntax.Identifier.GetLocation()), memberName, "a generic method"));
            return null;
        }
        var translator = new PythonTranslator(compilation.GetSemanticModel(syntax.SyntaxTree), owners, memberName, method.IsStatic, diagnostics);
        var parameters = translator.Parameters(syntax.ParameterList);
        var body = translator.Body(syntax.Body, syntax.ExpressionBody, method.ReturnsVoid);
        return new PythonFunction(TorchApi.PythonName(method.Name), parameters.ToEquatableArray(), body.ToEquatableArray(), method.IsStatic, IsProperty: false);
    }

    static PythonFunction? Property(IPropertySymbol property, string memberName, Compilation compilation, IReadOnlyCollection<INamedTypeSymbol> owners,
        List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
    {
        var syntax = property.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellation)).OfType<PropertyDeclarationSyntax>().FirstOrDefault();
        var getter = syntax?.AccessorList?.Accessors.FirstOrDefault(a => a.IsKind(SyntaxKind.GetAccessorDeclaration));
        bool getOnly = syntax is not null && (syntax.ExpressionBody is not null ||
            syntax.AccessorList?.Accessors.Count == 1 && getter is not null && (getter.Body is not null || getter.ExpressionBody is not null));
        if (!getOnly || property.IsStatic || property.IsIndexer)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.PyTorchMember, LocationInfo.From(property.Locations.FirstOrDefault()), memberName,
                "a property other than a computed get-only instance property"));
            return null;
        }
        var translator = new PythonTranslator(compilation.GetSemanticModel(syntax!.SyntaxTree), owners, memberName, false, diagnostics);
        var body = syntax.ExpressionBody is not null
            ? translator.Body(null, syntax.ExpressionBody, false)
            : translator.Body(getter!.Body, getter.ExpressionBody, false);
        return new PythonFunction(TorchApi.PythonName(property.Name), EquatableArray<string>.Empty, body.ToEquatableArray(), IsStatic: false, IsProperty: true);
    }
}
