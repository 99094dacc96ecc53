using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Emits the static, typed description of a model: hardware, every layer, the weight-name map.</summary>
public static class SpecEmitter
{
    public static GeneratedFile Emit(ModelDeclaration declaration)
    {
        var model = declaration.Model;
        var text = CSharpFile.Write(declaration.Type, "partial class " + declaration.Type.Name, w =>
        {
            w.Line("/// <summary>The model's hardware and every linear layer, blocks expanded, in declaration order.</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            w.Line($"public static {CSharpNames.ModelSpec} Spec {{ get; }} = new {CSharpNames.ModelSpec}(");
            using (w.Indent())
            {
                w.Line($"Name: {Literals.CSharpString(model.Name)},");
                w.Line($"Chip: {Chip(model.Chip)},");
                w.Line($"LoraDefaults: {Lora(model.LoraDefaults)},");
                var c = model.Cluster;
                // The engine's settings only when they differ from the defaults, so engine-less specs read as before.
                var d = ClusterSpec.Default;
                string engine = c.MatrixEngine != d.MatrixEngine || c.EngineWidth != d.EngineWidth || c.EngineHeight != d.EngineHeight || c.EnginePipeRegs != d.EnginePipeRegs
                    ? $", MatrixEngine: {(c.MatrixEngine ? "true" : "false")}, EngineWidth: {Literals.Int(c.EngineWidth)}, EngineHeight: {Literals.Int(c.EngineHeight)}, EnginePipeRegs: {Literals.Int(c.EnginePipeRegs)}"
                    : "";
                w.Line($"Cluster: new {CSharpNames.ClusterSpec}(Cores: {Literals.Int(c.Cores)}, L1KiB: {Literals.Int(c.L1KiB)}, DataType: global::Ahwa.Dsl.ClusterDataType.{c.DataType}{engine}),");
                w.Line($"Layers: {CSharpNames.EquatableArray}.Create(");
                using (w.Indent())
                {
                    for (int i = 0; i < model.Layers.Count; i++)
                        w.Line(Layer(model.Layers[i]) + (i == model.Layers.Count - 1 ? "));" : ","));
                    if (model.Layers.Count == 0) w.Line($"new {CSharpNames.LayerSpec}[0]));");
                }
            }
            w.Line();
            w.Line("/// <summary>Every parameter of every layer with its Hugging Face name and role (meta-weight, bias, output scale, LoRA A/B).</summary>");
            w.Line(CSharpFile.GeneratedCodeAttribute);
            w.Line($"public static global::System.Collections.Generic.IReadOnlyList<{CSharpNames.WeightName}> WeightNames {{ get; }} = new {CSharpNames.WeightName}[]");
            w.Line("{");
            using (w.Indent())
            {
                foreach (var weight in model.Layers.SelectMany(LayerNaming.WeightNames))
                    w.Line($"new {CSharpNames.WeightName}({Literals.CSharpString(weight.Name)}, {Literals.CSharpString(weight.Layer)}, {CSharpNames.WeightRole}.{weight.Role}),");
            }
            w.Line("};");
        });
        return new GeneratedFile(declaration.Type.HintName + ".Spec.g.cs", text);
    }

    static string Chip(ChipSpec c) =>
        $"new {CSharpNames.ChipSpec}(TileRows: {Literals.Int(c.TileRows)}, TileCols: {Literals.Int(c.TileCols)}, Tiles: {Literals.Int(c.Tiles)}, " +
        $"DacBits: {Literals.Int(c.DacBits)}, AdcBits: {Literals.Int(c.AdcBits)}, OutputBound: {Literals.CSharpDouble(c.OutputBound)}, " +
        $"OutputNoise: {Literals.CSharpDouble(c.OutputNoise)}, WeightNoise: {Literals.CSharpDouble(c.WeightNoise)}, WeightClipSigma: {Literals.CSharpDouble(c.WeightClipSigma)}, " +
        $"BoundManagement: global::Ahwa.Dsl.BoundManagement.{c.BoundManagement}, BoundManagementLimit: {Literals.CSharpDouble(c.BoundManagementLimit)}, " +
        $"NoiseManagement: global::Ahwa.Dsl.NoiseManagement.{c.NoiseManagement}, Device: global::Ahwa.Dsl.DeviceModel.{c.Device}, GMaxMicroSiemens: {Literals.CSharpDouble(c.GMaxMicroSiemens)})";

    static string Lora(LoraSpec? l) => l is null
        ? "null"
        : $"new {CSharpNames.LoraSpec}({Literals.Int(l.Rank)}, {Literals.CSharpDouble(l.Alpha)}, {Literals.CSharpDouble(l.Dropout)})";

    static string Layer(LayerSpec l) =>
        $"new {CSharpNames.LayerSpec}({Literals.CSharpString(l.Name)}, {CSharpNames.LayerKind}.{l.Kind}, {Literals.Int(l.InFeatures)}, {Literals.Int(l.OutFeatures)}, {Literals.Bool(l.Bias)}, {Lora(l.Lora)})";
}
