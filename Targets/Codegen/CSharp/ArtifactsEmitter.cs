using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the deployment files (C kernels, cluster runtime, tile map as JSON and C header, manifest) as
/// constants: a generator may only add C#, so the Runtime writes them to disk.</summary>
public static class ArtifactsEmitter
{
    public static GeneratedFile Emit(ModelDeclaration declaration)
    {
        var artifacts = KernelArtifacts.Build(declaration.Model, declaration.Plan);
        var text = CSharpFile.Write(declaration.Type, "partial class " + declaration.Type.Name, w =>
        {
            w.Line("/// <summary>Deployment files for the RISC-V cluster and the chip; write them with <c>Ahwa.Lab.Deployment.ArtifactWriter</c>.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            w.Line("public static global::System.Collections.Generic.IReadOnlyList<global::Ahwa.Hardware.Artifact> Artifacts { get; } = new global::Ahwa.Hardware.Artifact[]");
            w.Line("{");
            using (w.Indent())
            {
                foreach (var artifact in artifacts)
                    w.Line($"new global::Ahwa.Hardware.Artifact({Literals.CSharpString(artifact.Path)}, {Literals.CSharpText(artifact.Text)}),");
            }
            w.Line("};");
        });
        return new GeneratedFile(declaration.Type.HintName + ".Artifacts.g.cs", text);
    }
}
