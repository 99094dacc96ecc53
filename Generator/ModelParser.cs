using System;
using System.Collections.Generic;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Dsl;
using Ahwa.Hardware;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Ahwa.Generator;

/// <summary>Builds the value-equatable <see cref="ModelDeclaration"/> of an [AnalogModel] class and its diagnostics.</summary>
static class ModelParser
{
    const string ModelBase = "Ahwa.Runtime.AhwaModel";

    public static ParseResult<ModelDeclaration> Parse(INamedTypeSymbol symbol, ClassDeclarationSyntax syntax, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool ok = TypeParser.CheckShape(symbol, syntax, ModelBase, "model", diagnostics);
        var chip = ReadChip(symbol, diagnostics, ref ok);
        var loraDefaults = ReadLoraDefaults(symbol, diagnostics, ref ok);
        var cluster = ReadCluster(symbol, diagnostics, ref ok);
        var members = MemberParser.Parse(symbol, insideBlock: false, diagnostics, cancellation);

        var layers = new List<LayerSpec>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var origins = new Dictionary<string, (LocationInfo? Location, string Source)>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            string memberName = symbol.Name + "." + member.Declaration.PropertyName;
            foreach (var (layer, location, source) in Expand(member, memberName, loraDefaults, cancellation))
            {
                if (layer is null)
                {
                    ok = false; // the block's own pipeline reports why
                    continue;
                }
                if (owners.TryGetValue(layer.Name, out var owner))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DuplicateLayerName, member.Location, memberName, layer.Name, owner));
                    ok = false;
                    continue;
                }
                owners.Add(layer.Name, memberName);
                origins[layer.Name] = (location, source);
                if (layer.Lora is not null && (layer.Lora.Rank <= 0 || layer.Lora.Rank > Math.Min(layer.InFeatures, layer.OutFeatures)))
                {
                    // A block repeated N times has N such layers; one diagnostic says it.
                    var rankError = DiagnosticInfo.Create(Diagnostics.RankOutOfRange, location, source, layer.Lora.Rank, Math.Min(layer.InFeatures, layer.OutFeatures));
                    if (!diagnostics.Contains(rankError)) diagnostics.Add(rankError);
                    ok = false;
                }
                layers.Add(layer);
            }
        }

        ModelDeclaration? declaration = null;
        if (ok)
        {
            var model = new ModelSpec(symbol.Name, chip, loraDefaults, cluster, layers.ToEquatableArray());
            var planned = DeploymentPlanner.Plan(model);
            if (!planned.TileMap.FitsOnChip)
            {
                var chipAttribute = AttributeReader.Find(symbol, AttributeReader.AnalogChip);
                var where = chipAttribute is null ? LocationInfo.From(syntax.Identifier.GetLocation()) : AttributeReader.Location(chipAttribute);
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TooManyTiles, where, symbol.Name, planned.TileMap.TilesUsed, chip.TileRows, chip.TileCols, chip.Tiles));
            }
            else if (planned.Plan is null)
            {
                ReportShortfalls(planned.Shortfalls, origins, diagnostics);
            }
            else
            {
                var memberDeclarations = new List<MemberDeclaration>();
                foreach (var member in members) memberDeclarations.Add(member.Declaration);
                declaration = new ModelDeclaration(TypeParser.Describe(symbol, memberDeclarations.ToEquatableArray()), model, planned.Plan);
            }
        }
        return new ParseResult<ModelDeclaration>(declaration, diagnostics.ToEquatableArray());
    }

    /// <summary>Reports the layers whose kernel working set cannot fit the cluster's L1; a repeated block reports once.</summary>
    static void ReportShortfalls(EquatableArray<KernelShortfall> shortfalls, Dictionary<string, (LocationInfo? Location, string Source)> origins, List<DiagnosticInfo> diagnostics)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var shortfall in shortfalls)
        {
            var (location, source) = origins[shortfall.Layer];
            if (!reported.Add(source)) continue;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ClusterMemoryTooSmall, location, source, shortfall.Layer, shortfall.BytesNeeded, shortfall.BytesAvailable));
        }
    }

    /// <summary>The layers a member contributes, each with where to report a problem with it. A null layer
    /// means a repeated block is itself invalid.</summary>
    static IEnumerable<(LayerSpec? Layer, LocationInfo? Location, string Source)> Expand(ParsedMember member, string memberName, LoraSpec defaults, CancellationToken cancellation)
    {
        var declaration = member.Declaration;
        if (declaration.Kind != MemberKind.Blocks)
        {
            yield return (ToLayer(member, declaration.LayerName, defaults), member.Lora?.Location ?? member.Location, memberName);
            yield break;
        }

        var blockDiagnostics = new List<DiagnosticInfo>();
        var blockMembers = MemberParser.Parse(member.BlockType!, insideBlock: true, blockDiagnostics, cancellation);
        if (blockDiagnostics.Count > 0)
        {
            yield return (null, member.Location, memberName);
            yield break;
        }
        for (int i = 0; i < declaration.BlockCount; i++)
        {
            string prefix = LayerNaming.BlockPrefix(declaration.LayerName, i);
            foreach (var blockMember in blockMembers)
                yield return (ToLayer(blockMember, LayerNaming.Join(prefix, blockMember.Declaration.LayerName), defaults), member.Location,
                    memberName + " -> " + member.BlockType!.Name + "." + blockMember.Declaration.PropertyName);
        }
    }

    static LayerSpec ToLayer(ParsedMember member, string name, LoraSpec defaults)
    {
        bool analog = member.Declaration.Kind == MemberKind.AnalogLinear;
        var o = member.Lora;
        // Analog layers get the default adapter; digital layers (task heads) are trained in full unless they ask for one.
        LoraSpec? lora = o is null
            ? (analog ? defaults : null)
            : o.Disabled ? null : new LoraSpec(o.Rank ?? defaults.Rank, o.Alpha ?? defaults.Alpha, o.Dropout ?? defaults.Dropout);
        return new LayerSpec(name, analog ? LayerKind.Analog : LayerKind.Digital, member.InFeatures, member.OutFeatures, member.Bias, lora);
    }

    static ChipSpec ReadChip(INamedTypeSymbol symbol, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var d = ChipSpec.Default;
        var a = AttributeReader.Find(symbol, AttributeReader.AnalogChip);
        if (a is null) return d;
        var chip = new ChipSpec(
            TileRows: AttributeReader.Int(a, "TileRows", d.TileRows),
            TileCols: AttributeReader.Int(a, "TileCols", d.TileCols),
            Tiles: AttributeReader.Int(a, "Tiles", d.Tiles),
            DacBits: AttributeReader.Int(a, "DacBits", d.DacBits),
            AdcBits: AttributeReader.Int(a, "AdcBits", d.AdcBits),
            OutputBound: AttributeReader.Double(a, "OutputBound", d.OutputBound),
            OutputNoise: AttributeReader.Double(a, "OutputNoise", d.OutputNoise),
            WeightNoise: AttributeReader.Double(a, "WeightNoise", d.WeightNoise),
            WeightClipSigma: AttributeReader.Double(a, "WeightClipSigma", d.WeightClipSigma),
            BoundManagement: (BoundManagement)AttributeReader.Int(a, "BoundManagement", (int)d.BoundManagement),
            BoundManagementLimit: AttributeReader.Double(a, "BoundManagementLimit", d.BoundManagementLimit),
            NoiseManagement: (NoiseManagement)AttributeReader.Int(a, "NoiseManagement", (int)d.NoiseManagement),
            Device: (DeviceModel)AttributeReader.Int(a, "Device", (int)d.Device),
            GMaxMicroSiemens: AttributeReader.Double(a, "GMaxMicroSiemens", d.GMaxMicroSiemens));

        var check = new Checker(symbol.Name, a, diagnostics);
        check.Positive("TileRows", chip.TileRows);
        check.Positive("TileCols", chip.TileCols);
        check.Positive("Tiles", chip.Tiles);
        check.Bits("DacBits", chip.DacBits);
        check.Bits("AdcBits", chip.AdcBits);
        check.Value("OutputBound", chip.OutputBound, chip.OutputBound > 0, "greater than 0");
        check.Value("OutputNoise", chip.OutputNoise, chip.OutputNoise >= 0, "at least 0");
        check.Value("WeightNoise", chip.WeightNoise, chip.WeightNoise >= 0, "at least 0");
        check.Value("WeightClipSigma", chip.WeightClipSigma, chip.WeightClipSigma > 0, "greater than 0");
        check.Value("BoundManagementLimit", chip.BoundManagementLimit, chip.BoundManagementLimit >= 1, "at least 1");
        check.Value("GMaxMicroSiemens", chip.GMaxMicroSiemens, chip.GMaxMicroSiemens > 0, "greater than 0");
        check.Defined("BoundManagement", (int)chip.BoundManagement, typeof(BoundManagement));
        check.Defined("NoiseManagement", (int)chip.NoiseManagement, typeof(NoiseManagement));
        check.Defined("Device", (int)chip.Device, typeof(DeviceModel));
        ok &= check.Ok;
        return chip;
    }

    static LoraSpec ReadLoraDefaults(INamedTypeSymbol symbol, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var d = LoraSpec.Default;
        var a = AttributeReader.Find(symbol, AttributeReader.LoraDefaults);
        if (a is null) return d;
        var lora = new LoraSpec(AttributeReader.Int(a, "Rank", d.Rank), AttributeReader.Double(a, "Alpha", d.Alpha), AttributeReader.Double(a, "Dropout", d.Dropout));
        string member = symbol.Name + " [LoraDefaults]";
        if (lora.Rank <= 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.RankOutOfRange, AttributeReader.ArgumentLocation(a, "Rank"), member, lora.Rank, "min(in, out) of each layer"));
            ok = false;
        }
        if (!(lora.Alpha > 0))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.AlphaNotPositive, AttributeReader.ArgumentLocation(a, "Alpha"), member, MemberParser.Format(lora.Alpha)));
            ok = false;
        }
        if (!(lora.Dropout >= 0 && lora.Dropout < 1))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DropoutOutOfRange, AttributeReader.ArgumentLocation(a, "Dropout"), member, MemberParser.Format(lora.Dropout)));
            ok = false;
        }
        return lora;
    }

    static ClusterSpec ReadCluster(INamedTypeSymbol symbol, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var d = ClusterSpec.Default;
        var a = AttributeReader.Find(symbol, AttributeReader.RiscVCluster);
        if (a is null) return d;
        var cluster = new ClusterSpec(AttributeReader.Int(a, "Cores", d.Cores), AttributeReader.Int(a, "L1KiB", d.L1KiB),
            (ClusterDataType)AttributeReader.Int(a, "DataType", (int)d.DataType));
        var check = new Checker(symbol.Name, a, diagnostics);
        check.Positive("Cores", cluster.Cores);
        check.Positive("L1KiB", cluster.L1KiB);
        check.Defined("DataType", (int)cluster.DataType, typeof(ClusterDataType));
        ok &= check.Ok;
        return cluster;
    }

    /// <summary>Validates the named arguments of one hardware attribute, reporting at the argument.</summary>
    sealed class Checker
    {
        readonly string owner;
        readonly AttributeData attribute;
        readonly List<DiagnosticInfo> diagnostics;

        public Checker(string owner, AttributeData attribute, List<DiagnosticInfo> diagnostics)
        {
            this.owner = owner;
            this.attribute = attribute;
            this.diagnostics = diagnostics;
        }

        public bool Ok { get; private set; } = true;

        string Member => owner + " [" + attribute.AttributeClass!.Name.Replace("Attribute", "") + "]";

        public void Positive(string name, int value)
        {
            if (value > 0) return;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.NonPositiveDimension, AttributeReader.ArgumentLocation(attribute, name), Member, name, value));
            Ok = false;
        }

        public void Bits(string name, int value)
        {
            if (value >= 1 && value <= 16) return;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ConverterBits, AttributeReader.ArgumentLocation(attribute, name), Member, name, value));
            Ok = false;
        }

        public void Value(string name, double value, bool valid, string requirement)
        {
            if (valid && !double.IsNaN(value) && !double.IsInfinity(value)) return;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidHardwareValue, AttributeReader.ArgumentLocation(attribute, name), Member, name, MemberParser.Format(value), requirement + " and finite"));
            Ok = false;
        }

        public void Defined(string name, int value, Type enumType)
        {
            if (Enum.IsDefined(enumType, value)) return;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidHardwareValue, AttributeReader.ArgumentLocation(attribute, name), Member, name, value, "a defined " + enumType.Name + " value"));
            Ok = false;
        }
    }
}
