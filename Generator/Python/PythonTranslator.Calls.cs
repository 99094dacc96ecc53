using System.Collections.Generic;
using System.Linq;
using Ahwa.Codegen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Calls: TorchSharp's tensor methods, torch / nn / nn.functional functions, module calls, System.Math,
/// the model's own methods and local functions.</summary>
sealed partial class PythonTranslator
{
    string Invocation(InvocationExpressionSyntax invocation)
    {
        if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method)
        {
            // The generator's input has no generated part yet, so the base class, and its RegisterLayer, are not there.
            if (invocation.Expression is IdentifierNameSyntax { Identifier.ValueText: "RegisterLayer" } && !isStatic)
                return "self.register_layer" + Arguments(invocation.ArgumentList.Arguments, torchNames: false);
            return Unsupported(Diagnostics.PyTorchApi, invocation, "the call '" + invocation.Expression + "', which does not resolve to one method");
        }
        method = method.ReducedFrom ?? method;
        var receiver = invocation.Expression is MemberAccessExpressionSyntax access && !IsTypeName(access.Expression) ? access.Expression : null;
        string name = method.Name;
        string type = method.ContainingType?.ToDisplayString() ?? "";
        var arguments = invocation.ArgumentList.Arguments;

        if (method.MethodKind == MethodKind.LocalFunction) return TorchApi.LocalName(name) + Arguments(arguments, torchNames: false);
        if (type == Tensor && !method.IsStatic && receiver is not null)
        {
            if (TorchApi.DisposeMethods.Contains(name)) return Expression(receiver);
            if (TorchApi.TensorRenames.TryGetValue(name, out var renamed)) return Operand(receiver) + "." + renamed + Arguments(arguments);
            if (TorchApi.TensorMethods.Contains(name)) return Operand(receiver) + "." + name + Arguments(arguments);
            return Unsupported(Diagnostics.PyTorchApi, invocation, "TorchSharp method 'Tensor." + name + "'");
        }
        if (method.IsStatic && type == Torch)
        {
            if (!TorchApi.TorchFunctions.Contains(name)) return Unsupported(Diagnostics.PyTorchApi, invocation, "TorchSharp function 'torch." + name + "'");
            bool needsDevice = TorchApi.CreationFunctions.Contains(name) && !isStatic && !arguments.Any(a => a.NameColon?.Name.Identifier.ValueText == "device");
            return "torch." + name + Arguments(arguments, needsDevice ? "device=self.ahwa_device" : null);
        }
        if (method.IsStatic && type == Functional)
            return TorchApi.FunctionalFunctions.Contains(name) ? "F." + name + Arguments(arguments)
                : Unsupported(Diagnostics.PyTorchApi, invocation, "TorchSharp function 'nn.functional." + name + "'");
        if (method.IsStatic && type == Nn)
            return TorchApi.NnModules.Contains(name) ? "nn." + name + Arguments(arguments)
                : Unsupported(Diagnostics.PyTorchApi, invocation, "TorchSharp module 'nn." + name + "'");
        if ((name == "call" || name == "forward") && receiver is not null && DerivesFrom(method.ContainingType, Nn + ".Module"))
            return Operand(receiver) + Arguments(arguments);
        if (method.IsStatic && type is "System.Math" or "System.MathF")
            return TorchApi.MathFunctions.TryGetValue(name, out var python) ? python + Arguments(arguments)
                : Unsupported(Diagnostics.PyTorchApi, invocation, type + "." + name);
        if (name == "RegisterLayer" && type == ModuleBase)
            return (receiver is null ? Self(invocation) : Operand(receiver)) + ".register_layer" + Arguments(arguments);
        if (method.IsStatic && type == DecoderBlocks)
            return TorchApi.DecoderFunctions.Contains(name) ? TorchApi.DecoderModule + "." + name + Arguments(arguments, torchNames: false)
                : Unsupported(Diagnostics.PyTorchApi, invocation, "'" + type + "." + name + "'");
        if (type == Cache && !method.IsStatic && receiver is not null)
            return TorchApi.CacheMembers.TryGetValue(name, out var cacheMember) ? Operand(receiver) + "." + cacheMember + Arguments(arguments, torchNames: false)
                : Unsupported(Diagnostics.PyTorchApi, invocation, "'" + type + "." + name + "'");
        if (IsOwner(method) && method.MethodKind == MethodKind.Ordinary)
        {
            if (method.IsStatic) return TorchApi.PythonName(method.ContainingType!.Name) + "." + TorchApi.PythonName(name) + Arguments(arguments, torchNames: false);
            return (receiver is null ? Self(invocation) : Operand(receiver)) + "." + TorchApi.PythonName(name) + Arguments(arguments, torchNames: false);
        }
        return Unsupported(Diagnostics.PyTorchApi, invocation, "'" + type + (type.Length > 0 ? "." : "") + name + "'");
    }

    bool IsTypeName(ExpressionSyntax e) => model.GetSymbolInfo(e).Symbol is ITypeSymbol or INamespaceSymbol;

    static bool DerivesFrom(INamedTypeSymbol? type, string baseName)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.OriginalDefinition.ToDisplayString() == baseName || t.Name == "Module" && t.ContainingType?.ToDisplayString() == Nn) return true;
        return false;
    }

    /// <param name="torchNames">Named arguments to TorchSharp take PyTorch's spelling; a translated method's parameters keep theirs.</param>
    string Arguments(SeparatedSyntaxList<ArgumentSyntax> arguments, string? extra = null, bool torchNames = true)
    {
        var parts = new List<string>();
        foreach (var argument in arguments)
        {
            if (!argument.RefKindKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.None))
            {
                parts.Add(Unsupported(Diagnostics.PyTorchExpression, argument, "a '" + argument.RefKindKeyword.Text + "' argument"));
                continue;
            }
            string value = Expression(argument.Expression);
            if (argument.NameColon is { } nameColon)
            {
                string name = nameColon.Name.Identifier.ValueText;
                parts.Add((torchNames && TorchApi.ArgumentRenames.TryGetValue(name, out var renamed) ? renamed : TorchApi.LocalName(name)) + "=" + value);
            }
            else
            {
                parts.Add(value);
            }
        }
        if (extra is not null) parts.Add(extra);
        return "(" + string.Join(", ", parts) + ")";
    }
}
