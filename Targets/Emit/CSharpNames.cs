namespace Ahwa.Targets.Emit
{
    /// <summary>Fully qualified names of the Runtime and Targets types that generated C# uses.</summary>
    public static class CSharpNames
    {
        public const string AhwaModel = "global::Ahwa.Runtime.AhwaModel";
        public const string AhwaBlock = "global::Ahwa.Runtime.AhwaBlock";
        public const string LayerFactory = "global::Ahwa.Runtime.LayerFactory";
        public const string AnalogLinear = "global::Ahwa.Runtime.AnalogLinear";
        public const string DigitalLinear = "global::Ahwa.Runtime.DigitalLinear";
        public const string ModelSpec = "global::Ahwa.Targets.ModelSpec";
        public const string ChipSpec = "global::Ahwa.Targets.ChipSpec";
        public const string LoraSpec = "global::Ahwa.Targets.LoraSpec";
        public const string ClusterSpec = "global::Ahwa.Targets.ClusterSpec";
        public const string LayerSpec = "global::Ahwa.Targets.LayerSpec";
        public const string LayerKind = "global::Ahwa.Targets.LayerKind";
        public const string LayerNaming = "global::Ahwa.Targets.LayerNaming";
        public const string WeightName = "global::Ahwa.Targets.WeightName";
        public const string WeightRole = "global::Ahwa.Targets.WeightRole";
        public const string EquatableArray = "global::Ahwa.Targets.EquatableArray";
        public const string TileMap = "global::Ahwa.Targets.TileMap";
        public const string LayerTiles = "global::Ahwa.Targets.LayerTiles";
        public const string Block = "global::Ahwa.Targets.Block";
        public const string ChipSpecGeometry = "global::Ahwa.Targets.ChipSpecGeometry";
        public const string MemberNotNull = "global::System.Diagnostics.CodeAnalysis.MemberNotNull";
        public const string GeneratedCode = "global::System.CodeDom.Compiler.GeneratedCode";

        /// <summary>Prefix of the fields that back generated properties; Runtime skips them when TorchSharp registers fields.</summary>
        public const string BackingFieldPrefix = "__ahwa_";

        /// <summary>Field that backs a generated property.</summary>
        public static string BackingField(string propertyName) => BackingFieldPrefix + propertyName;
    }
}
