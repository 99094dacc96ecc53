using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the model's static <c>PyTorch</c> member: the Python module's text as a constant, or the problems
/// that stopped its translation, so an export can say exactly why it cannot run.</summary>
public static class PyTorchEmitter
{
    public const string MemberName = GeneratedMembers.PyTorch;

    public static GeneratedFile Emit(PyTorchDeclaration declaration)
    {
        var type = declaration.Model.Type;
        string module = ModuleName(type.Name);
        string source = declaration.Problems.Count == 0 ? Literals.CSharpText(PythonModuleEmitter.Emit(declaration)) : "null";
        var text = CSharpFile.Write(type, "partial class " + type.Name, w =>
        {
            w.Line("/// <summary>This model translated to PyTorch (module <c>" + module + "</c>); write it with <c>Ahwa.Lab.Export.PyTorchExport</c>.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            w.Line($"public static global::Ahwa.Hardware.PyTorchTranslation {MemberName} {{ get; }} = new global::Ahwa.Hardware.PyTorchTranslation(");
            using (w.Indent())
            {
                w.Line(Literals.CSharpString(module) + ",");
                w.Line(Literals.CSharpString(type.Name) + ",");
                w.Line(source + ",");
                w.Line("new string[]");
                w.Line("{");
                using (w.Indent()) foreach (var problem in declaration.Problems) w.Line(Literals.CSharpString(problem) + ",");
                w.Line("});");
            }
        });
        return new GeneratedFile(type.HintName + ".PyTorch.g.cs", text);
    }

    /// <summary>The Python module of a model class: MiniLm -> mini_lm.</summary>
    public static string ModuleName(string className)
    {
        string name = LayerNaming.FromPropertyName(className);
        return TorchApi.PythonKeywords.Contains(name) ? name + "_model" : name;
    }
}
