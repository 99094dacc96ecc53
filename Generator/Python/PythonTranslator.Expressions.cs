using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Codegen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Translates one member's C# (TorchSharp) to Python (PyTorch) with the semantic model: every name is
/// resolved to what it means, so <c>Hidden / Heads</c> folds to its constant, a Tensor method maps through
/// <see cref="TorchApi"/> and a user method becomes a method call. A construct outside the subset is reported
/// (AHWA0100-AHWA0103) and leaves a placeholder, so all problems of a model are found in one build.</summary>
sealed partial class PythonTranslator
{
    const string Tensor = "TorchSharp.torch.Tensor";
    const string Torch = "TorchSharp.torch";
    const string Functional = "TorchSharp.torch.nn.functional";
    const string Nn = "TorchSharp.torch.nn";
    const string ModuleBase = "Ahwa.Runtime.AhwaModuleBase";
    const string DecoderBlocks = "Ahwa.Runtime.Decoders.Decoder";
    const string Cache = "Ahwa.Runtime.Decoders.KeyValueCache";
    const string Placeholder = "<untranslated>";

    static readonly HashSet<string> TorchDtypeFields = new(StringComparer.Ordinal)
    {
        "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "@bool", "@float", "@double", "@long", "@int",
    };

    readonly SemanticModel model;
    readonly IReadOnlyCollection<INamedTypeSymbol> owners;
    readonly string memberName;
    readonly List<DiagnosticInfo> diagnostics;
    readonly bool isStatic;

    public PythonTranslator(SemanticModel model, IReadOnlyCollection<INamedTypeSymbol> owners, string memberName, bool isStatic, List<DiagnosticInfo> diagnostics)
    {
        this.model = model;
        this.owners = owners;
        this.memberName = memberName;
        this.isStatic = isStatic;
        this.diagnostics = diagnostics;
    }

    string Unsupported(DiagnosticDescriptor descriptor, SyntaxNode node, string construct)
    {
        diagnostics.Add(DiagnosticInfo.Create(descriptor, LocationInfo.From(node.GetLocation()), memberName, construct));
        return Placeholder;
    }

    public string Expression(ExpressionSyntax e)
    {
        var symbol = model.GetSymbolInfo(e).Symbol;
        if (symbol is IFieldSymbol { ContainingType.TypeKind: TypeKind.Enum } enumMember) return EnumMember(enumMember, e);
        var constant = model.GetConstantValue(e);
        if (constant.HasValue) return Constant(constant.Value, e);
        switch (e)
        {
            case ParenthesizedExpressionSyntax p: return "(" + Expression(p.Expression) + ")";
            case ThisExpressionSyntax: return Self(e);
            case IdentifierNameSyntax identifier: return Identifier(identifier, symbol);
            case MemberAccessExpressionSyntax access: return MemberAccess(access, symbol);
            case InvocationExpressionSyntax invocation: return Invocation(invocation);
            case BinaryExpressionSyntax binary: return Binary(binary);
            case PrefixUnaryExpressionSyntax prefix: return Prefix(prefix);
            case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } bang: return Expression(bang.Operand);
            case ConditionalExpressionSyntax c: return "(" + Operand(c.WhenTrue, 2) + " if " + Operand(c.Condition, 2) + " else " + Operand(c.WhenFalse, 2) + ")";
            case CastExpressionSyntax cast: return Cast(cast);
            case ElementAccessExpressionSyntax element: return ElementAccess(element);
            case ArrayCreationExpressionSyntax { Initializer: { } init }: return List(init.Expressions);
            case ImplicitArrayCreationExpressionSyntax implicitArray: return List(implicitArray.Initializer.Expressions);
            case CollectionExpressionSyntax collection: return Collection(collection);
            case IsPatternExpressionSyntax pattern: return IsNull(pattern);
            case SimpleLambdaExpressionSyntax { ExpressionBody: { } body } lambda:
                return "(lambda " + TorchApi.LocalName(lambda.Parameter.Identifier.ValueText) + ": " + Expression(body) + ")";
            case ParenthesizedLambdaExpressionSyntax { ExpressionBody: { } body } lambda:
                return "(lambda " + string.Join(", ", lambda.ParameterList.Parameters.Select(p => TorchApi.LocalName(p.Identifier.ValueText))) + ": " + Expression(body) + ")";
            default: return Unsupported(Diagnostics.PyTorchExpression, e, Describe(e));
        }
    }

    static string Describe(SyntaxNode node) => node switch
    {
        ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "object creation ('new')",
        LambdaExpressionSyntax => "a lambda with a block body",
        InterpolatedStringExpressionSyntax => "an interpolated string",
        TupleExpressionSyntax => "a tuple",
        AssignmentExpressionSyntax => "an assignment inside an expression",
        QueryExpressionSyntax => "a LINQ query",
        SwitchExpressionSyntax => "a switch expression",
        ConditionalAccessExpressionSyntax => "a null-conditional access ('?.')",
        CheckedExpressionSyntax => "a checked/unchecked expression",
        DefaultExpressionSyntax or LiteralExpressionSyntax { RawKind: (int)SyntaxKind.DefaultLiteralExpression } => "'default'",
        RangeExpressionSyntax => "a range ('..')",
        _ => "a " + Humanize(node.Kind().ToString()),
    };

    static string Humanize(string kind)
    {
        var words = new System.Text.StringBuilder();
        foreach (char c in kind)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }
        return words.ToString();
    }

    string Self(SyntaxNode node) => isStatic ? Unsupported(Diagnostics.PyTorchExpression, node, "'this' in a static member") : "self";

    const int Atom = 14;

    /// <summary>An operand: parenthesised when its Python precedence is below <paramref name="minimum"/> (an attribute
    /// access or call needs an atom), so the translation never changes how an expression groups.</summary>
    string Operand(ExpressionSyntax e, int minimum = Atom)
    {
        string text = Expression(e);
        return Precedence(e) < minimum ? "(" + text + ")" : text;
    }

    /// <summary>The precedence of the Python this expression becomes (Python's table: conditional 1 ... atom 14).</summary>
    int Precedence(ExpressionSyntax e)
    {
        if (model.GetConstantValue(e) is { HasValue: true, Value: var value })
            return value is int or long or short or float or double && Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture) < 0 ? 12 : Atom;
        return e switch
        {
            ConditionalExpressionSyntax => 1,
            BinaryExpressionSyntax b when IsNullLiteral(b.Left) || IsNullLiteral(b.Right) => 5,
            BinaryExpressionSyntax b when IsIntegral(b.Left) && IsIntegral(b.Right) && b.IsKind(SyntaxKind.DivideExpression) => Atom,
            BinaryExpressionSyntax b => BinaryPrecedence(b.Kind()),
            IsPatternExpressionSyntax => 5,
            PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.LogicalNotExpression) => 4,
            PrefixUnaryExpressionSyntax => 12,
            LambdaExpressionSyntax => Atom, // emitted in parentheses
            CastExpressionSyntax c when model.GetTypeInfo(c.Type).Type?.SpecialType is not (SpecialType.System_Single or SpecialType.System_Double or
                SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16) => Precedence(c.Expression),
            PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.SuppressNullableWarningExpression) => Precedence(p.Operand),
            _ => Atom,
        };
    }

    static int BinaryPrecedence(SyntaxKind kind) => kind switch
    {
        SyntaxKind.LogicalOrExpression => 2,
        SyntaxKind.LogicalAndExpression => 3,
        SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression or SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or
            SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression => 5,
        SyntaxKind.BitwiseOrExpression => 6,
        SyntaxKind.ExclusiveOrExpression => 7,
        SyntaxKind.BitwiseAndExpression => 8,
        SyntaxKind.LeftShiftExpression or SyntaxKind.RightShiftExpression => 9,
        SyntaxKind.AddExpression or SyntaxKind.SubtractExpression => 10,
        _ => 11, // * / %
    };

    string Constant(object? value, SyntaxNode node) => value switch
    {
        null => "None",
        bool b => PythonLiterals.Bool(b),
        int or long or short or sbyte or byte or ushort or uint => PythonLiterals.Integer(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u when u <= long.MaxValue => PythonLiterals.Integer((long)u),
        float f => PythonLiterals.Float(f),
        double d => PythonLiterals.Float(d),
        string s => PythonLiterals.String(s),
        _ => Unsupported(Diagnostics.PyTorchExpression, node, "a constant of type " + value.GetType().Name),
    };

    string EnumMember(IFieldSymbol member, SyntaxNode node)
    {
        if (member.ContainingType.ToDisplayString() == Torch + ".ScalarType" && TorchApi.ScalarTypes.TryGetValue(member.Name, out var dtype)) return dtype;
        return Unsupported(Diagnostics.PyTorchApi, node, "enum member '" + member.ContainingType.Name + "." + member.Name + "'");
    }

    bool IsOwner(ISymbol symbol) => symbol.ContainingType is { } type && owners.Contains(type, SymbolEqualityComparer.Default);

    string Identifier(IdentifierNameSyntax identifier, ISymbol? symbol)
    {
        switch (symbol)
        {
            case ILocalSymbol or IParameterSymbol or IRangeVariableSymbol:
                return TorchApi.LocalName(identifier.Identifier.ValueText);
            case IFieldSymbol or IPropertySymbol when IsOwner(symbol) && !symbol.IsStatic:
                return Self(identifier) + "." + TorchApi.PythonName(symbol.Name);
            case IFieldSymbol field when field.ContainingType.ToDisplayString() == Torch && TorchDtypeFields.Contains(field.Name):
                return "torch." + field.Name.TrimStart('@');
            case IPropertySymbol { Name: "Prefix" } prefix when prefix.ContainingType.Name == "AhwaBlock":
                return Self(identifier) + ".prefix";
            default:
                return Unsupported(Diagnostics.PyTorchApi, identifier, "'" + identifier.Identifier.ValueText + "'" + Where(symbol));
        }
    }

    static string Where(ISymbol? symbol) => symbol?.ContainingType is { } type ? " of " + type.ToDisplayString() : "";

    string MemberAccess(MemberAccessExpressionSyntax access, ISymbol? symbol)
    {
        string name = access.Name.Identifier.ValueText;
        switch (symbol)
        {
            case IPropertySymbol or IFieldSymbol when symbol.ContainingType?.ToDisplayString() == Tensor && TorchApi.TensorProperties.Contains(name):
                return Operand(access.Expression) + "." + name;
            case IPropertySymbol when symbol.ContainingType is { } module && module.ContainingNamespace?.ToDisplayString() == "TorchSharp.Modules"
                && TorchApi.NnModules.Contains(module.Name) && TorchApi.ModuleParameters.Contains(name):
                return Operand(access.Expression) + "." + name;
            case IPropertySymbol { Name: "Length" } when model.GetTypeInfo(access.Expression).Type is IArrayTypeSymbol:
                return "len(" + Expression(access.Expression) + ")";
            case IPropertySymbol { Name: "Count" } when model.GetTypeInfo(access.Expression).Type?.AllInterfaces.Any(i => i.Name == "IReadOnlyCollection" || i.Name == "ICollection") == true:
                return "len(" + Expression(access.Expression) + ")";
            case IFieldSymbol field when field.ContainingType.ToDisplayString() == Torch && TorchDtypeFields.Contains(field.Name):
                return "torch." + field.Name.TrimStart('@');
            case IPropertySymbol { Name: "Prefix" } prefix when prefix.ContainingType.Name == "AhwaBlock":
                return Operand(access.Expression) + ".prefix";
            case IPropertySymbol when symbol.ContainingType?.ToDisplayString() == Cache && TorchApi.CacheMembers.TryGetValue(name, out var cacheMember):
                return Operand(access.Expression) + "." + cacheMember;
            case IFieldSymbol or IPropertySymbol when IsOwner(symbol!) && !symbol!.IsStatic:
                return Operand(access.Expression) + "." + TorchApi.PythonName(name);
            default:
                return Unsupported(Diagnostics.PyTorchApi, access, "'" + name + "'" + Where(symbol));
        }
    }

    string Binary(BinaryExpressionSyntax binary)
    {
        var kind = binary.Kind();
        if (kind is SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression && (IsNullLiteral(binary.Right) || IsNullLiteral(binary.Left)))
        {
            var tested = IsNullLiteral(binary.Right) ? binary.Left : binary.Right;
            return Operand(tested, 6) + (kind == SyntaxKind.EqualsExpression ? " is None" : " is not None");
        }
        string? op = kind switch
        {
            SyntaxKind.AddExpression => "+",
            SyntaxKind.SubtractExpression => "-",
            SyntaxKind.MultiplyExpression => "*",
            SyntaxKind.DivideExpression => "/",
            SyntaxKind.ModuloExpression => "%",
            SyntaxKind.LogicalAndExpression => "and",
            SyntaxKind.LogicalOrExpression => "or",
            SyntaxKind.BitwiseAndExpression => "&",
            SyntaxKind.BitwiseOrExpression => "|",
            SyntaxKind.ExclusiveOrExpression => "^",
            SyntaxKind.EqualsExpression => "==",
            SyntaxKind.NotEqualsExpression => "!=",
            SyntaxKind.LessThanExpression => "<",
            SyntaxKind.LessThanOrEqualExpression => "<=",
            SyntaxKind.GreaterThanExpression => ">",
            SyntaxKind.GreaterThanOrEqualExpression => ">=",
            SyntaxKind.LeftShiftExpression => "<<",
            SyntaxKind.RightShiftExpression => ">>",
            _ => null,
        };
        if (op is null) return Unsupported(Diagnostics.PyTorchExpression, binary, "operator '" + binary.OperatorToken.Text + "'");
        bool integral = IsIntegral(binary.Left) && IsIntegral(binary.Right);
        if (integral && kind == SyntaxKind.DivideExpression) return "ahwa_model.cs_divide(" + Expression(binary.Left) + ", " + Expression(binary.Right) + ")";
        if (integral && kind == SyntaxKind.ModuloExpression)
            return Unsupported(Diagnostics.PyTorchExpression, binary, "'%' on integers (C# and Python differ on negative operands)");
        if (kind == SyntaxKind.AddExpression && (IsString(binary.Left) != IsString(binary.Right)))
            return Unsupported(Diagnostics.PyTorchExpression, binary, "'+' joining a string with a non-string");
        int precedence = BinaryPrecedence(kind);
        int left = precedence == 5 ? precedence + 1 : precedence;
        return Operand(binary.Left, left) + " " + op + " " + Operand(binary.Right, precedence + 1);
    }

    static bool IsNullLiteral(ExpressionSyntax e) => e.IsKind(SyntaxKind.NullLiteralExpression);

    bool IsIntegral(ExpressionSyntax e) => model.GetTypeInfo(e).Type?.SpecialType is
        SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or
        SpecialType.System_SByte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64;

    bool IsString(ExpressionSyntax e) => model.GetTypeInfo(e).Type?.SpecialType == SpecialType.System_String;

    string Prefix(PrefixUnaryExpressionSyntax prefix) => prefix.Kind() switch
    {
        SyntaxKind.UnaryMinusExpression => "-" + Operand(prefix.Operand, 12),
        SyntaxKind.UnaryPlusExpression => Operand(prefix.Operand, 12),
        SyntaxKind.LogicalNotExpression => "not " + Operand(prefix.Operand, 4),
        SyntaxKind.BitwiseNotExpression => "~" + Operand(prefix.Operand, 12),
        _ => Unsupported(Diagnostics.PyTorchExpression, prefix, "operator '" + prefix.OperatorToken.Text + "' inside an expression"),
    };

    string Cast(CastExpressionSyntax cast)
    {
        var target = model.GetTypeInfo(cast.Type).Type;
        var source = model.GetTypeInfo(cast.Expression).Type;
        switch (target?.SpecialType)
        {
            case SpecialType.System_Single or SpecialType.System_Double: return "float(" + Expression(cast.Expression) + ")";
            case SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16: return "int(" + Expression(cast.Expression) + ")";
        }
        if (target is not null && source is not null && model.Compilation.ClassifyConversion(source, target) is { IsIdentity: true } or { IsReference: true })
            return Expression(cast.Expression);
        return Unsupported(Diagnostics.PyTorchExpression, cast, "a cast to " + (target?.ToDisplayString() ?? "an unknown type"));
    }

    string ElementAccess(ElementAccessExpressionSyntax element)
    {
        var receiver = model.GetTypeInfo(element.Expression).Type;
        bool indexable = receiver is IArrayTypeSymbol || receiver?.ToDisplayString() == Tensor;
        var arguments = element.ArgumentList.Arguments;
        if (!indexable || arguments.Any(a => !IsIntegral(a.Expression)))
            return Unsupported(Diagnostics.PyTorchExpression, element, "indexing other than integer indices into a tensor or an array");
        return Operand(element.Expression) + "[" + string.Join(", ", arguments.Select(a => Expression(a.Expression))) + "]";
    }

    string List(SeparatedSyntaxList<ExpressionSyntax> items) => "[" + string.Join(", ", items.Select(Expression)) + "]";

    string Collection(CollectionExpressionSyntax collection)
    {
        var items = new List<string>();
        foreach (var element in collection.Elements)
        {
            if (element is ExpressionElementSyntax expression) items.Add(Expression(expression.Expression));
            else items.Add(Unsupported(Diagnostics.PyTorchExpression, element, "a spread element ('..') in a collection expression"));
        }
        return "[" + string.Join(", ", items) + "]";
    }

    string IsNull(IsPatternExpressionSyntax pattern) => pattern.Pattern switch
    {
        ConstantPatternSyntax { Expression: var c } when IsNullLiteral(c) => Operand(pattern.Expression, 6) + " is None",
        UnaryPatternSyntax { Pattern: ConstantPatternSyntax { Expression: var c } } when IsNullLiteral(c) => Operand(pattern.Expression, 6) + " is not None",
        _ => Unsupported(Diagnostics.PyTorchExpression, pattern, "a pattern other than 'is null' / 'is not null'"),
    };
}
