using System;
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
                static (node, _) => node is ClassDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, ModelParser.Parse))
            .WithTrackingName(TrackingNames.ModelParse);

        context.RegisterSourceOutput(
            models.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.ModelDiagnostics),
            static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            models.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.ModelDeclaration),
            static (spc, model) =>
            {
                Add(spc, ModuleEmitter.EmitModel(model!));
                Add(spc, SpecEmitter.Emit(model!));
                Add(spc, TileMapEmitter.Emit(model!));
                Add(spc, ArtifactsEmitter.Emit(model!));
            });

        var pytorch = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogModel,
                static (node, _) => node is ClassDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, PyTorchParser.Parse, reportsHookFailure: false))
            .WithTrackingName(TrackingNames.PyTorchParse);
        context.RegisterSourceOutput(pytorch.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            pytorch.Select(static (r, _) => r.Value).Where(static v => v is not null),
            static (spc, declaration) => Add(spc, PyTorchEmitter.Emit(declaration!)));

        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeReader.AnalogBlock,
                static (node, _) => node is ClassDeclarationSyntax,
                (ctx, ct) => Guarded(ctx, ct, BlockParser.Parse))
            .WithTrackingName(TrackingNames.BlockParse);

        context.RegisterSourceOutput(
            blocks.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.BlockDiagnostics),
            static (spc, diagnostics) => Report(spc, diagnostics));
        context.RegisterSourceOutput(
            blocks.Select(static (r, _) => r.Value).Where(static v => v is not null).WithTrackingName(TrackingNames.BlockDeclaration),
            static (spc, block) => Add(spc, ModuleEmitter.EmitBlock(block!)));
    }

    /// <summary>Never lets an exception escape: it becomes one diagnostic naming the class.</summary>
    ParseResult<T> Guarded<T>(GeneratorAttributeSyntaxContext ctx, CancellationToken cancellation,
        Func<INamedTypeSymbol, ClassDeclarationSyntax, CancellationToken, ParseResult<T>> parse) where T : class =>
        Guarded(ctx, cancellation, (c, ct) => parse((INamedTypeSymbol)c.TargetSymbol, (ClassDeclarationSyntax)c.TargetNode, ct));

    ParseResult<T> Guarded<T>(GeneratorAttributeSyntaxContext ctx, CancellationToken cancellation,
        Func<GeneratorAttributeSyntaxContext, CancellationToken, ParseResult<T>> parse, bool reportsHookFailure = true) where T : class
    {
        var symbol = (INamedTypeSymbol)ctx.TargetSymbol;
        var syntax = (ClassDeclarationSyntax)ctx.TargetNode;
        try
        {
            if (!reportsHookFailure)
            {
                // The PyTorch pipeline re-parses the model; a failure there is the model pipeline's to report.
                try { beforeParse?.Invoke(symbol.Name); }
                catch (Exception) { return new ParseResult<T>(null, EquatableArray<DiagnosticInfo>.Empty); }
            }
            else
            {
                beforeParse?.Invoke(symbol.Name);
            }
            return parse(ctx, cancellation);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var diagnostic = DiagnosticInfo.Create(Diagnostics.UnexpectedException, LocationInfo.From(syntax.Identifier.GetLocation()),
                symbol.ToDisplayString(), exception.GetType().Name + ": " + exception.Message);
            return new ParseResult<T>(null, EquatableArray.Create(diagnostic));
        }
    }

    static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (var diagnostic in diagnostics) context.ReportDiagnostic(diagnostic.ToDiagnostic());
    }

    static void Add(SourceProductionContext context, GeneratedFile file) =>
        context.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
}
