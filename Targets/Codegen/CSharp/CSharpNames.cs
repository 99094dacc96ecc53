using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>Fully qualified names of the Runtime and Targets types that generated C# uses.</summary>
public static class CSharpNames
{
    public const string AhwaModel = "global::Ahwa.Runtime.AhwaModel";
    public const string AhwaBlock = "global::Ahwa.Runtime.AhwaBlock";
    public const string LayerFactory = "global::Ahwa.Runtime.LayerFactory";
    public const string AnalogLinear = "global::Ahwa.Runtime.AnalogLinear";
    public const string DigitalLinear = "global::Ahwa.Runtime.DigitalLinear";
    public const string ModelSpec = "global::Ahwa.Hardware.ModelSpec";
    public const string ChipSpec = "global::Ahwa.Hardware.ChipSpec";
    public const string LoraSpec = "global::Ahwa.Hardware.LoraSpec";
    public const string ClusterSpec = "global::Ahwa.Hardware.ClusterSpec";
    public const string LayerSpec = "global::Ahwa.Hardware.LayerSpec";
    public const string LayerKind = "global::Ahwa.Hardware.LayerKind";
    public const string LayerNaming = "global::Ahwa.Hardware.LayerNaming";
    public const string WeightName = "global::Ahwa.Hardware.WeightName";
    public const string WeightRole = "global::Ahwa.Hardware.WeightRole";
    public const string EquatableArray = "global::Ahwa.Hardware.EquatableArray";
    public const string TileMap = "global::Ahwa.Hardware.TileMap";
    public const string LayerTiles = "global::Ahwa.Hardware.LayerTiles";
    public const string Block = "global::Ahwa.Hardware.Block";
    public const string ChipSpecGeometry = "global::Ahwa.Hardware.ChipSpecGeometry";
    public const string DeploymentPlan = "global::Ahwa.Hardware.DeploymentPlan";
    public const string KernelLayer = "global::Ahwa.Hardware.KernelLayer";
    public const string L1Buffer = "global::Ahwa.Hardware.L1Buffer";
    public const string LayerKernel = "global::Ahwa.Hardware.LayerKernel";
    public const string MemberNotNull = "global::System.Diagnostics.CodeAnalysis.MemberNotNull";
    public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";
}
