using System.Collections.Generic;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Builds the <see cref="BlockDeclaration"/> of an [AnalogBlock] class. Shape errors of the block's
/// layers are reported here, once, not by every model that repeats the block.</summary>
static class BlockParser
{
    const string BlockBase = "Ahwa.Runtime.AhwaBlock";

    public static ParseResult<BlockDeclaration> Parse(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, Compilation compilation, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        // A class that is also a model: the model's parse reports it, once.
        if (AttributeReader.Has(symbol, AttributeReader.AnalogModel)) return new ParseResult<BlockDeclaration>(null, EquatableArray<DiagnosticInfo>.Empty);
        bool ok = TypeParser.CheckShape(symbol, syntax, compilation, BlockBase, "block", diagnostics);
        var members = MemberParser.Parse(symbol, insideBlock: true, compilation, diagnostics, ref ok, cancellation);
        BlockDeclaration? declaration = null;
        if (ok && diagnostics.Count == 0)
        {
            var declarations = new List<MemberDeclaration>();
            foreach (var member in members) declarations.Add(member.Declaration);
            declaration = new BlockDeclaration(TypeParser.Describe(symbol, declarations.ToEquatableArray()));
        }
        return new ParseResult<BlockDeclaration>(declaration, diagnostics.ToEquatableArray());
    }
}
