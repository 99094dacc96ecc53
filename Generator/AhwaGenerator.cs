using System;
using System.Linq;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Ahwa.Generator;

/// <summary>Finds [AnalogModel] and [AnalogBlock] classes, parses them into value-equatable declarations,
/// reports diagnostics on their own branch, and emits through the Targets emitters.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class AhwaGenerator : IIncrementalGenerator
{
    readonly Action<string>? beforeParse;

    public AhwaGenerator() { }

    /// <summary>For tests: runs before each class is parsed, to simulate an internal failure.</summary>
    internal AhwaGenerator(Action<string> beforeParse) => this.beforeParse = beforeParse;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, AttributeReader.AnalogModel, ModelParser.Parse))
            .WithTrackingName(TrackingNames.ModelParse);

        context.RegisterSourceOutput(
            models.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.ModelDiagnostics),
            static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            models.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.ModelDeclaration),
            static (spc, model) => Emit(spc, model!.Type, () =>
                [ModuleEmitter.EmitModel(model), SpecEmitter.Emit(model), TileMapEmitter.Emit(model), ArtifactsEmitter.Emit(model)]));

        var pytorch = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, AttributeReader.AnalogModel, PyTorchParser.Parse, reportsHookFailure: false))
            .WithTrackingName(TrackingNames.PyTorchParse);
        context.RegisterSourceOutput(pytorch.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            pytorch.Select(static (r, _) => r.Value).Where(static v => v is not null),
            static (spc, declaration) => Emit(spc, declaration!.Model.Type, () => [PyTorchEmitter.Emit(declaration)]));

        // One registry per assembly, listing every model that emitted and that the registry can name (a private nested
        // class it cannot); an abstract model is listed but not constructed; a model with a PyTorch member lists it.
        var shapes = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, _) => (Name: ctx.TargetSymbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Abstract: ctx.TargetSymbol.IsAbstract,
                    Reachable: Reachable(ctx.TargetSymbol)))
            .Collect();
        var registry = models.Select(static (r, _) => r.Value?.Type).Where(static t => t is not null).Collect()
            .Combine(pytorch.Select(static (r, _) => r.Value?.Model.Type.FullyQualifiedName).Where(static n => n is not null).Collect())
            .Combine(shapes)
            .Select(static (pair, _) => EquatableArray.Create(pair.Left.Left
                .Where(t => pair.Right.Any(s => s.Name == t!.FullyQualifiedName && s.Reachable))
                .Select(t => new RegistryEntry(t!, pair.Left.Right.Contains(t!.FullyQualifiedName),
                    pair.Right.Any(s => s.Name == t!.FullyQualifiedName && s.Abstract)))
                .OrderBy(e => e.Type.FullyQualifiedName, StringComparer.Ordinal).ToArray()))
            .WithTrackingName(TrackingNames.Registry);
        context.RegisterSourceOutput(registry, static (spc, entries) =>
        {
            if (entries.Count == 0) return;
            try
            {
                Add(spc, RegistryEmitter.Emit(entries.ToList()));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                spc.ReportDiagnostic(Diagnostic.Create(Diagnostics.UnexpectedException, Location.None, RegistryEmitter.ClassName,
                    exception.GetType().Name + ": " + exception.Message));
            }
        });

        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogBlock,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, AttributeReader.AnalogBlock, BlockParser.Parse))
            .WithTrackingName(TrackingNames.BlockParse);

        context.RegisterSourceOutput(
            blocks.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.BlockDiagnostics),
            static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            blocks.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.BlockDeclaration),
            static (spc, block) => Emit(spc, block!.Type, () => [ModuleEmitter.EmitBlock(block)]));
    }

    /// <summary>Never lets an exception escape: it becomes one diagnostic naming the class. A class whose attribute
    /// sits on several partial declarations (a compiler error) is parsed once, at the first.</summary>
    /// <param name="reportsHookFailure">False for the PyTorch pipeline: it re-parses the model, and a failure of the
    /// model's parse (the test hook simulates one) is the model pipeline's to report.</param>
    ParseResult<T> Guarded<T>(GeneratorAttributeSyntaxContext ctx, CancellationToken cancellation, string attribute,
        Func<INamedTypeSymbol, TypeDeclarationSyntax, Compilation, CancellationToken, ParseResult<T>> parse, bool reportsHookFailure = true) where T : class
    {
        var symbol = (INamedTypeSymbol)ctx.TargetSymbol;
        var syntax = (TypeDeclarationSyntax)ctx.TargetNode;
        try
        {
            if (!IsFirstApplication(symbol, ctx, attribute)) return new ParseResult<T>(null, EquatableArray<DiagnosticInfo>.Empty);
            if (reportsHookFailure) beforeParse?.Invoke(symbol.Name);
            else if (!HookPasses(symbol)) return new ParseResult<T>(null, EquatableArray<DiagnosticInfo>.Empty);
            return parse(symbol, syntax, ctx.SemanticModel.Compilation, cancellation);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var diagnostic = DiagnosticInfo.Create(Diagnostics.UnexpectedException, LocationInfo.From(syntax.Identifier.GetLocation()),
                symbol.ToDisplayString(), exception.GetType().Name + ": " + exception.Message);
            return new ParseResult<T>(null, EquatableArray.Create(diagnostic));
        }
    }

    bool HookPasses(INamedTypeSymbol symbol)
    {
        try
        {
            beforeParse?.Invoke(symbol.Name);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The type and every type around it can be named from another class of the assembly.</summary>
    static bool Reachable(ISymbol symbol)
    {
        for (var type = symbol; type is INamedTypeSymbol; type = type.ContainingType)
            if (type.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)) return false;
        return true;
    }

    static bool IsFirstApplication(INamedTypeSymbol symbol, GeneratorAttributeSyntaxContext ctx, string attribute)
    {
        var first = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attribute)?.ApplicationSyntaxReference;
        var here = ctx.Attributes.FirstOrDefault()?.ApplicationSyntaxReference;
        return first is null || here is null || (first.SyntaxTree == here.SyntaxTree && first.Span == here.Span);
    }

    /// <summary>Emitting and adding the sources run inside the guard too: a failure there is one diagnostic, not a
    /// generator exception that drops every output of the compilation.</summary>
    static void Emit(SourceProductionContext context, TypeDeclaration type, Func<GeneratedFile[]> emit)
    {
        try
        {
            foreach (var file in emit()) Add(context, file);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.UnexpectedException, Location.None,
                type.FullyQualifiedName.Replace("global::", ""), exception.GetType().Name + ": " + exception.Message));
        }
    }

    static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    static void Add(SourceProductionContext context, GeneratedFile file) =>
        context.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
}
