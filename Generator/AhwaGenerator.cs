using System;
using System.Linq;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
        var modelSources = models.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.ModelDeclaration)
            .Select(static (model, _) => Emit(model!.Type, () =>
                [ModuleEmitter.EmitModel(model), SpecEmitter.Emit(model), TileMapEmitter.Emit(model), ArtifactsEmitter.Emit(model)]))
            .WithTrackingName(TrackingNames.ModelSources);
        context.RegisterSourceOutput(modelSources, static (spc, sources) => Add(spc, sources));

        var pytorch = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, AttributeReader.AnalogModel, PyTorchParser.Parse, reportsHookFailure: false))
            .WithTrackingName(TrackingNames.PyTorchParse);
        context.RegisterSourceOutput(pytorch.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));
        var pytorchSources = pytorch.Select(static (r, _) => r.Value).Where(static v => v is not null)
            .Select(static (declaration, _) => Emit(declaration!.Model.Type, () => [PyTorchEmitter.Emit(declaration)]));
        context.RegisterSourceOutput(pytorchSources, static (spc, sources) => Add(spc, sources));

        // One registry per assembly, listing every model that emitted and that the registry can name (a private nested
        // class it cannot); an abstract model is listed but not constructed; a model with a PyTorch member lists it.
        var shapes = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, _) => (Name: ctx.TargetSymbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), Abstract: ctx.TargetSymbol.IsAbstract,
                    Reachable: Reachable(ctx.TargetSymbol)))
            .Collect();
        // Only models whose sources were added: the registry names their members.
        var registry = modelSources.Where(static s => s.Added).Select(static (s, _) => s.Type).Collect()
            .Combine(pytorchSources.Where(static s => s.Added).Select(static (s, _) => s.Type.FullyQualifiedName).Collect())
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
            blocks.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.BlockDeclaration)
                .Select(static (block, _) => Emit(block!.Type, () => [ModuleEmitter.EmitBlock(block)])),
            static (spc, sources) => Add(spc, sources));
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

    /// <summary>Emitting runs inside the guard too: a failure there is one diagnostic, not a generator exception that
    /// drops every output of the compilation. Sources whose string literals would overflow the assembly's user-string
    /// heap are not added (the compiler would fail with CS8103 at emit): a diagnostic says why instead.</summary>
    static EmittedSources Emit(TypeDeclaration type, Func<GeneratedFile[]> emit)
    {
        string name = type.FullyQualifiedName.Replace("global::", "");
        try
        {
            var files = emit();
            long stringBytes = UserStringBytes(files);
            if (stringBytes > HardwareRules.MaxGeneratedStringBytes)
                return EmittedSources.Failed(type, DiagnosticInfo.Create(Diagnostics.GeneratedStringsTooLarge, null, name, stringBytes,
                    HardwareRules.MaxGeneratedStringBytes));
            return new EmittedSources(type, files.ToEquatableArray(), EquatableArray<DiagnosticInfo>.Empty);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return EmittedSources.Failed(type, DiagnosticInfo.Create(Diagnostics.UnexpectedException, null, name,
                exception.GetType().Name + ": " + exception.Message));
        }
    }

    static void Add(SourceProductionContext context, EmittedSources sources)
    {
        Report(context, sources.Diagnostics);
        foreach (var file in sources.Files) Add(context, file);
    }

    /// <summary>What the files' ordinary string literals take of the assembly's user-string heap, measured on the
    /// emitted text so no emitter can escape it: each distinct value once, as UTF-16 with a terminal byte and up to
    /// four bytes of length. Attribute arguments and constants, which live elsewhere, count too: an upper bound.</summary>
    static long UserStringBytes(GeneratedFile[] files)
    {
        var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var file in files)
            foreach (var token in SyntaxFactory.ParseTokens(file.Text))
                if (token.IsKind(SyntaxKind.StringLiteralToken) && seen.Add(token.ValueText))
                    bytes += 2L * token.ValueText.Length + 5;
        return bytes;
    }

    static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    /// <summary>The sources generated for one class, or the diagnostic that stopped them.</summary>
    sealed record EmittedSources(TypeDeclaration Type, EquatableArray<GeneratedFile> Files, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        public bool Added => Diagnostics.Count == 0;

        public static EmittedSources Failed(TypeDeclaration type, DiagnosticInfo diagnostic) =>
            new(type, EquatableArray<GeneratedFile>.Empty, EquatableArray.Create(diagnostic));
    }

    static void Add(SourceProductionContext context, GeneratedFile file) =>
        context.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
}
