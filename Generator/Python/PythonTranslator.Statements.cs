using System.Collections.Generic;
using System.Linq;
using Ahwa.Codegen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Statements. Dispose scopes disappear (Python's collector frees tensors); compound assignments become
/// plain ones (<c>h += x</c> in C# makes a new tensor, in PyTorch it would write in place).</summary>
sealed partial class PythonTranslator
{
    const string Indentation = "    ";

    /// <summary>A method's or local function's body as Python lines; an expression body returns its value unless the
    /// method returns nothing.</summary>
    public List<string> Body(BlockSyntax? block, ArrowExpressionClauseSyntax? arrow, bool returnsVoid)
    {
        var lines = new List<string>();
        if (block is not null) Statements(block.Statements, lines, 0);
        else if (arrow is not null) lines.Add((returnsVoid ? "" : "return ") + Expression(arrow.Expression));
        return lines;
    }

    void Statements(IEnumerable<StatementSyntax> statements, List<string> lines, int depth)
    {
        foreach (var statement in statements) Statement(statement, lines, depth);
    }

    void Nested(StatementSyntax statement, List<string> lines, int depth)
    {
        int before = lines.Count;
        if (statement is BlockSyntax block) Statements(block.Statements, lines, depth);
        else Statement(statement, lines, depth);
        if (lines.Count == before) Add(lines, depth, "pass");
    }

    static void Add(List<string> lines, int depth, string text) => lines.Add(string.Concat(Enumerable.Repeat(Indentation, depth)) + text);

    void Statement(StatementSyntax statement, List<string> lines, int depth)
    {
        switch (statement)
        {
            case BlockSyntax block: Statements(block.Statements, lines, depth); break;
            case EmptyStatementSyntax: break;
            case LocalDeclarationStatementSyntax local: Declaration(local.Declaration, local.UsingKeyword.IsKind(SyntaxKind.UsingKeyword), local.IsConst, lines, depth); break;
            case ExpressionStatementSyntax expression: ExpressionStatement(expression.Expression, lines, depth); break;
            case ReturnStatementSyntax ret: Add(lines, depth, ret.Expression is null ? "return" : "return " + Expression(ret.Expression)); break;
            case IfStatementSyntax ifStatement: If(ifStatement, lines, depth, "if "); break;
            case ForEachStatementSyntax forEach:
                Add(lines, depth, "for " + TorchApi.LocalName(forEach.Identifier.ValueText) + " in " + Expression(forEach.Expression) + ":");
                Nested(forEach.Statement, lines, depth + 1);
                break;
            case ForStatementSyntax forStatement: For(forStatement, lines, depth); break;
            case WhileStatementSyntax whileStatement:
                Add(lines, depth, "while " + Expression(whileStatement.Condition) + ":");
                Nested(whileStatement.Statement, lines, depth + 1);
                break;
            case BreakStatementSyntax: Add(lines, depth, "break"); break;
            case ContinueStatementSyntax: Add(lines, depth, "continue"); break;
            case LocalFunctionStatementSyntax function: LocalFunction(function, lines, depth); break;
            case UsingStatementSyntax usingStatement:
                if (usingStatement.Declaration is { } declaration) Declaration(declaration, true, false, lines, depth);
                else if (usingStatement.Expression is { } resource && !IsDisposeScope(resource)) ExpressionStatement(resource, lines, depth);
                Nested(usingStatement.Statement, lines, depth);
                break;
            case ThrowStatementSyntax { Expression: ObjectCreationExpressionSyntax creation }: Throw(creation, lines, depth); break;
            default:
                Add(lines, depth, Unsupported(Diagnostics.PyTorchStatement, statement, Describe(statement)));
                break;
        }
    }

    bool IsDisposeScope(ExpressionSyntax e) =>
        model.GetSymbolInfo(e).Symbol is IMethodSymbol { Name: "NewDisposeScope" } method && method.ContainingType?.ToDisplayString() == Torch;

    void Declaration(VariableDeclarationSyntax declaration, bool isUsing, bool isConst, List<string> lines, int depth)
    {
        if (isConst) return; // every use folds to the constant
        foreach (var variable in declaration.Variables)
        {
            if (variable.Initializer is null) continue; // Python needs no declaration
            if (isUsing && IsDisposeScope(variable.Initializer.Value)) continue;
            Add(lines, depth, TorchApi.LocalName(variable.Identifier.ValueText) + " = " + Expression(variable.Initializer.Value));
        }
    }

    void ExpressionStatement(ExpressionSyntax expression, List<string> lines, int depth)
    {
        switch (expression)
        {
            case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression):
                Add(lines, depth, Target(assignment.Left) + " = " + Expression(assignment.Right));
                break;
            case AssignmentExpressionSyntax compound when CompoundOperator(compound.Kind()) is { } op:
                string target = Target(compound.Left);
                Add(lines, depth, target + " = " + Operand(compound.Left, op is "+" or "-" ? 10 : 11) + " " + op + " " + Operand(compound.Right, op is "+" or "-" ? 11 : 12));
                break;
            case PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax when Increment(expression) is var (operand, step) && operand is not null:
                Add(lines, depth, Target(operand) + " = " + Operand(operand, 10) + step);
                break;
            case InvocationExpressionSyntax invocation:
                if (!IsDisposeScope(invocation)) Add(lines, depth, Expression(invocation));
                break;
            default:
                Add(lines, depth, Unsupported(Diagnostics.PyTorchStatement, expression, Describe(expression) + " as a statement"));
                break;
        }
    }

    static string? CompoundOperator(SyntaxKind kind) => kind switch
    {
        SyntaxKind.AddAssignmentExpression => "+",
        SyntaxKind.SubtractAssignmentExpression => "-",
        SyntaxKind.MultiplyAssignmentExpression => "*",
        SyntaxKind.DivideAssignmentExpression => "/",
        _ => null,
    };

    static (ExpressionSyntax? Operand, string Step) Increment(ExpressionSyntax e) => e switch
    {
        PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostIncrementExpression) => (p.Operand, " + 1"),
        PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PostDecrementExpression) => (p.Operand, " - 1"),
        PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreIncrementExpression) => (p.Operand, " + 1"),
        PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreDecrementExpression) => (p.Operand, " - 1"),
        _ => (null, ""),
    };

    string Target(ExpressionSyntax e) => e is IdentifierNameSyntax or MemberAccessExpressionSyntax or ElementAccessExpressionSyntax
        ? Expression(e)
        : Unsupported(Diagnostics.PyTorchStatement, e, "an assignment to " + Describe(e));

    void If(IfStatementSyntax statement, List<string> lines, int depth, string keyword)
    {
        Add(lines, depth, keyword + Expression(statement.Condition) + ":");
        Nested(statement.Statement, lines, depth + 1);
        switch (statement.Else?.Statement)
        {
            case null: break;
            case IfStatementSyntax elseIf: If(elseIf, lines, depth, "elif "); break;
            case var other:
                Add(lines, depth, "else:");
                Nested(other, lines, depth + 1);
                break;
        }
    }

    /// <summary>Only the counting loop: one integer variable from a start to a bound by a constant step, not assigned
    /// in the body; it becomes <c>for i in range(...)</c>.</summary>
    void For(ForStatementSyntax loop, List<string> lines, int depth)
    {
        var variable = loop.Declaration?.Variables.Count == 1 ? loop.Declaration.Variables[0] : null;
        string? range = null;
        if (variable?.Initializer is { } start && loop.Incrementors.Count == 1 && loop.Initializers.Count == 0 &&
            loop.Condition is BinaryExpressionSyntax condition && condition.Left is IdentifierNameSyntax bound &&
            bound.Identifier.ValueText == variable.Identifier.ValueText && !AssignsTo(loop.Statement, variable.Identifier.ValueText))
        {
            long? step = Step(loop.Incrementors[0], variable.Identifier.ValueText);
            string end = Expression(condition.Right);
            range = (condition.Kind(), step) switch
            {
                (SyntaxKind.LessThanExpression, > 0) => end,
                (SyntaxKind.LessThanOrEqualExpression, > 0) => Operand(condition.Right, 10) + " + 1",
                (SyntaxKind.GreaterThanExpression, < 0) => end,
                (SyntaxKind.GreaterThanOrEqualExpression, < 0) => Operand(condition.Right, 10) + " - 1",
                _ => null,
            };
            if (range is not null)
            {
                string first = Expression(start.Value);
                range = step == 1 ? first + ", " + range : first + ", " + range + ", " + PythonLiterals.Integer(step!.Value);
            }
        }
        if (range is null)
        {
            Add(lines, depth, Unsupported(Diagnostics.PyTorchStatement, loop, "a 'for' loop other than counting one variable by a constant step"));
            return;
        }
        Add(lines, depth, "for " + TorchApi.LocalName(variable!.Identifier.ValueText) + " in range(" + range + "):");
        Nested(loop.Statement, lines, depth + 1);
    }

    long? Step(ExpressionSyntax incrementor, string variable)
    {
        if (Increment(incrementor) is ({ } operand, var step) && operand is IdentifierNameSyntax id && id.Identifier.ValueText == variable)
            return step == " + 1" ? 1 : -1;
        if (incrementor is AssignmentExpressionSyntax { Left: IdentifierNameSyntax left } assignment && left.Identifier.ValueText == variable &&
            model.GetConstantValue(assignment.Right) is { HasValue: true, Value: int or long } constant)
        {
            long value = System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture);
            if (assignment.IsKind(SyntaxKind.AddAssignmentExpression) && value != 0) return value;
            if (assignment.IsKind(SyntaxKind.SubtractAssignmentExpression) && value != 0) return -value;
        }
        return null;
    }

    static bool AssignsTo(SyntaxNode body, string variable) =>
        body.DescendantNodesAndSelf().Any(n => n switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax id } => id.Identifier.ValueText == variable,
            PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax id } => id.Identifier.ValueText == variable,
            PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax id } p => id.Identifier.ValueText == variable &&
                (p.IsKind(SyntaxKind.PreIncrementExpression) || p.IsKind(SyntaxKind.PreDecrementExpression)),
            _ => false,
        });

    void LocalFunction(LocalFunctionStatementSyntax function, List<string> lines, int depth)
    {
        var symbol = model.GetDeclaredSymbol(function) as IMethodSymbol;
        Add(lines, depth, "def " + TorchApi.LocalName(function.Identifier.ValueText) + "(" + string.Join(", ", Parameters(function.ParameterList)) + "):");
        // Python needs 'nonlocal' to assign a variable of an enclosing function, which C# local functions may do.
        var captured = function.DescendantNodes().OfType<AssignmentExpressionSyntax>().Select(a => a.Left)
            .Concat(function.DescendantNodes().OfType<PostfixUnaryExpressionSyntax>().Select(p => p.Operand))
            .Select(e => model.GetSymbolInfo(e).Symbol)
            .Where(s => s is ILocalSymbol or IParameterSymbol && !SymbolEqualityComparer.Default.Equals(s.ContainingSymbol, symbol))
            .Select(s => TorchApi.LocalName(s!.Name)).Distinct().ToList();
        if (captured.Count > 0) Add(lines, depth + 1, "nonlocal " + string.Join(", ", captured));
        var body = Body(function.Body, function.ExpressionBody, symbol?.ReturnsVoid ?? false);
        if (body.Count == 0) Add(lines, depth + 1, "pass");
        foreach (var line in body) Add(lines, depth + 1, line);
    }

    /// <summary>Python parameters of a method or local function, defaults spelled as constants.</summary>
    public List<string> Parameters(ParameterListSyntax list)
    {
        var parameters = new List<string>();
        foreach (var parameter in list.Parameters)
        {
            string name = TorchApi.LocalName(parameter.Identifier.ValueText);
            if (parameter.Modifiers.Any(m => m.IsKind(SyntaxKind.RefKeyword) || m.IsKind(SyntaxKind.OutKeyword) || m.IsKind(SyntaxKind.ParamsKeyword) || m.IsKind(SyntaxKind.InKeyword)))
                name = Unsupported(Diagnostics.PyTorchExpression, parameter, "a ref, out, in or params parameter");
            else if (parameter.Default is { } value) name += "=" + Expression(value.Value);
            parameters.Add(name);
        }
        return parameters;
    }

    void Throw(ObjectCreationExpressionSyntax creation, List<string> lines, int depth)
    {
        var type = model.GetTypeInfo(creation).Type;
        string exception = type?.Name is "ArgumentException" or "ArgumentOutOfRangeException" or "ArgumentNullException" ? "ValueError" : "RuntimeError";
        var message = creation.ArgumentList?.Arguments.FirstOrDefault(a => IsString(a.Expression));
        Add(lines, depth, "raise " + exception + "(" + (message is null ? "" : Expression(message.Expression)) + ")");
    }
}
