using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>A translated method, local function body or property getter.</summary>
/// <param name="Parameters">Python parameters in order, with defaults already spelled (<c>scale=1.0</c>).</param>
/// <param name="Body">Python statements, indented by four spaces per nesting level relative to the body.</param>
public sealed record PythonFunction(string Name, EquatableArray<string> Parameters, EquatableArray<string> Body, bool IsStatic, bool IsProperty);

/// <summary>A translated [AnalogModel] or [AnalogBlock] class: its generated members come from
/// <see cref="Type"/>; field initialisers run first in the constructor, as in C#.</summary>
public sealed record PythonClass(TypeDeclaration Type, EquatableArray<string> FieldInitializers, EquatableArray<PythonFunction> Functions);

/// <summary>Everything the PyTorch emitters need for one model: the model's plan and the translated classes, or the
/// problems that stopped the translation.</summary>
/// <param name="Blocks">Block classes the model repeats, each once, in first-use order.</param>
/// <param name="Entry">The method <c>forward</c> calls when none is chosen: the model's <c>Forward</c>, if it has one.</param>
/// <param name="SourceFile">The file of the model's first declaration, for the header.</param>
/// <param name="UsesDecoder">A translated member calls <c>ahwa.decoder</c> (a LLaMA-family decoder's building blocks).</param>
public sealed record PyTorchDeclaration(
    ModelDeclaration Model,
    PythonClass ModelClass,
    EquatableArray<PythonClass> Blocks,
    string? Entry,
    string SourceFile,
    EquatableArray<string> Problems,
    bool UsesDecoder = false);
