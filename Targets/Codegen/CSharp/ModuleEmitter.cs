using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the partial class that makes a model or block a TorchSharp module: backing fields,
/// the partial properties, construction and registration of every layer.</summary>
public static class ModuleEmitter
{
    public static GeneratedFile EmitModel(ModelDeclaration model)
    {
        var type = model.Type;
        string header = "partial class " + type.Name + (type.HasExplicitBase ? "" : " : " + CSharpNames.AhwaModel);
        var text = CSharpFile.Write(type, header, w =>
        {
            WriteFieldsAndProperties(w, type);
            if (!type.HasUserConstructor)
            {
                w.Line("/// <summary>Creates the model with every layer initialised from seed <paramref name=\"seed\"/>.</summary>");
                w.Line(CSharpFile.GeneratedCodeAttribute);
                using (w.Block($"public {type.Name}(long seed = {CSharpNames.LayerFactory}.DefaultSeed) : base(nameof({type.Name}), Spec, Plan)"))
                    w.Line("InitializeLayers(seed);");
                w.Line();
            }
            w.Line("/// <summary>Creates and registers every layer under its Hugging Face name. A user-written constructor calls it.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            WriteMemberNotNull(w, type);
            using (w.Block("private void InitializeLayers(long seed)"))
            {
                w.Line($"var factory = new {CSharpNames.LayerFactory}(Spec, seed);");
                foreach (var member in type.Members)
                    WriteModelMemberInitialisation(w, member);
                w.Line("factory.CreateUserLayers(() => OnLayersCreated());");
            }
            w.Line();
            WriteOnLayersCreated(w);
        });
        return new GeneratedFile(type.HintName + ".Module.g.cs", text);
    }

    public static GeneratedFile EmitBlock(BlockDeclaration block)
    {
        var type = block.Type;
        string header = "partial class " + type.Name + (type.HasExplicitBase ? "" : " : " + CSharpNames.AhwaBlock);
        var text = CSharpFile.Write(type, header, w =>
        {
            WriteFieldsAndProperties(w, type);
            w.Line("/// <summary>Creates block layers named <c>{prefix}.{layer}</c>; the model calls it once per repetition.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            using (w.Block($"public {type.Name}({CSharpNames.LayerFactory} factory, string prefix) : base(nameof({type.Name}), prefix)"))
            {
                foreach (var member in type.Members)
                {
                    string field = GeneratedMembers.BackingField(member.PropertyName);
                    string create = member.Kind == MemberKind.AnalogLinear ? "Analog" : "Digital";
                    w.Line($"{field} = factory.{create}({CSharpNames.LayerNaming}.Join(prefix, {Literals.CSharpString(member.LayerName)}));");
                    w.Line($"RegisterLayer({Literals.CSharpString(member.LayerName)}, {field});");
                }
                w.Line("factory.CreateUserLayers(() => OnLayersCreated());");
            }
            w.Line();
            WriteOnLayersCreated(w);
        });
        return new GeneratedFile(type.HintName + ".Block.g.cs", text);
    }

    /// <summary>A hook for the user's own modules (embeddings, layer norms): implement it to create and register them
    /// with <c>RegisterLayer("embeddings.LayerNorm", ...)</c> under their Hugging Face names.</summary>
    static void WriteOnLayersCreated(IndentedWriter w)
    {
        w.Line("/// <summary>Called once the generated layers exist; implement it to create and register other modules.</summary>");
        w.Line("partial void OnLayersCreated();");
    }

    static void WriteFieldsAndProperties(IndentedWriter w, TypeDeclaration type)
    {
        foreach (var member in type.Members)
            w.Line($"private {FieldType(member)} {GeneratedMembers.BackingField(member.PropertyName)};");
        if (type.Members.Count > 0) w.Line();
        foreach (var member in type.Members)
        {
            w.Line($"/// <summary>Layer <c>{member.LayerName}</c>{(member.Kind == MemberKind.Blocks ? " (" + Literals.Int(member.BlockCount) + " blocks)" : "")}.</summary>");
            w.Line($"{member.Accessibility} partial {member.TypeName} {member.PropertyName} {{ get => {GeneratedMembers.BackingField(member.PropertyName)}; }}");
            w.Line();
        }
    }

    static string FieldType(MemberDeclaration member) => member.Kind switch
    {
        MemberKind.AnalogLinear => CSharpNames.AnalogLinear,
        MemberKind.DigitalLinear => CSharpNames.DigitalLinear,
        _ => member.BlockTypeName + "[]",
    };

    static void WriteMemberNotNull(IndentedWriter w, TypeDeclaration type)
    {
        if (type.Members.Count == 0) return;
        var names = type.Members.Select(m => "nameof(" + GeneratedMembers.BackingField(m.PropertyName) + ")");
        w.Line("[" + CSharpNames.MemberNotNull + "(" + string.Join(", ", names) + ")]");
    }

    static void WriteModelMemberInitialisation(IndentedWriter w, MemberDeclaration member)
    {
        string field = GeneratedMembers.BackingField(member.PropertyName);
        string name = Literals.CSharpString(member.LayerName);
        switch (member.Kind)
        {
            case MemberKind.AnalogLinear:
                w.Line($"{field} = factory.Analog({name});");
                w.Line($"RegisterLayer({name}, {field});");
                break;
            case MemberKind.DigitalLinear:
                w.Line($"{field} = factory.Digital({name});");
                w.Line($"RegisterLayer({name}, {field});");
                break;
            default:
                w.Line($"{field} = new {member.BlockTypeName}[{Literals.Int(member.BlockCount)}];");
                using (w.Block($"for (int i = 0; i < {field}.Length; i++)"))
                {
                    w.Line($"string prefix = {CSharpNames.LayerNaming}.BlockPrefix({name}, i);");
                    w.Line($"{field}[i] = new {member.BlockTypeName}(factory, prefix);");
                    w.Line($"RegisterLayer(prefix, {field}[i]);");
                }
                break;
        }
    }
}
