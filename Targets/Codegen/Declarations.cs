using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>What a generated member is: a single analog or digital layer, or a repeated block.</summary>
public enum MemberKind
{
    AnalogLinear = 0,
    DigitalLinear = 1,
    Blocks = 2,
}

/// <summary>A partial property the generator implements.</summary>
/// <param name="PropertyName">The C# property name.</param>
/// <param name="Accessibility">The declared accessibility keywords, repeated in the implementation.</param>
/// <param name="TypeName">The property's fully qualified type, as declared.</param>
/// <param name="LayerName">The Hugging Face name relative to the enclosing model or block (the block prefix for Blocks).</param>
/// <param name="BlockTypeName">Fully qualified block class, for Blocks.</param>
/// <param name="BlockCount">How many blocks, for Blocks.</param>
public sealed record MemberDeclaration(
    string PropertyName,
    string Accessibility,
    string TypeName,
    MemberKind Kind,
    string LayerName,
    string? BlockTypeName,
    int BlockCount);

/// <summary>Where a generated partial type goes: namespace, enclosing types and its own declaration.</summary>
/// <param name="ContainingTypes">Enclosing type declarations outermost first, e.g. <c>partial class Outer</c>.</param>
/// <param name="HasExplicitBase">The user's part already names a base class, so the generated part must not.</param>
/// <param name="HasUserConstructor">The user declared an instance constructor, so none is generated.</param>
public sealed record TypeDeclaration(
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string Name,
    string FullyQualifiedName,
    string HintName,
    bool HasExplicitBase,
    bool HasUserConstructor,
    EquatableArray<MemberDeclaration> Members);

/// <summary>Everything the emitters need for one model class: its shape, its spec, and the deployment plan the
/// generator computed once (emitters format it; they never plan).</summary>
public sealed record ModelDeclaration(TypeDeclaration Type, ModelSpec Model, DeploymentPlan Plan);

/// <summary>Everything the emitters need for one block class.</summary>
public sealed record BlockDeclaration(TypeDeclaration Type);
