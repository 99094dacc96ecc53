using System;
using System.Collections.Generic;
using System.Linq;
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

    public static ParseResult<ModelDeclaration> Parse(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, Compilation compilation, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        bool ok = TypeParser.CheckShape(symbol, syntax, compilation, ModelBase, "model", diagnostics);
        if (AttributeReader.Has(symbol, AttributeReader.AnalogBlock))
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelAndBlock, LocationInfo.From(syntax.Identifier.GetLocation()), symbol.Name));
            ok = false;
        }
        bool hardwareOk = true;
        var chip = ReadChip(symbol, compilation, diagnostics, ref hardwareOk);
        var loraDefaults = ReadLoraDefaults(symbol, compilation, diagnostics, ref hardwareOk);
        var cluster = ReadCluster(symbol, compilation, diagnostics, ref hardwareOk);
        ok &= hardwareOk;
        long ownLayers = CountOwnLayers(symbol);
        if (ownLayers > HardwareRules.MaxGeneratedEntries)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelTooLarge, LocationInfo.From(syntax.Identifier.GetLocation()), symbol.Name,
                "at least " + ownLayers.ToString(System.Globalization.CultureInfo.InvariantCulture), HardwareRules.MaxGeneratedEntries));
            return new ParseResult<ModelDeclaration>(null, diagnostics.ToEquatableArray());
        }
        var members = MemberParser.Parse(symbol, insideBlock: false, compilation, diagnostics, ref ok, cancellation);

        var layers = new List<LayerSpec>();
        var paths = new ModulePaths(diagnostics);
        var origins = new Dictionary<string, (LocationInfo? Location, string Source)>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            string memberName = symbol.Name + "." + member.Declaration.PropertyName;
            if (member.Declaration.Kind == MemberKind.Blocks)
                for (int i = 0; i < member.Declaration.BlockCount; i++)
                    ok &= paths.Add(LayerNaming.BlockPrefix(member.Declaration.LayerName, i), memberName, member.Location, blockInstance: true);
            foreach (var (layer, location, source) in Expand(member, memberName, loraDefaults, compilation, cancellation))
            {
                if (layer is null)
                {
                    ok = false; // the block's own pipeline reports why
                    continue;
                }
                if (!paths.Add(layer.Name, memberName, member.Location, blockInstance: false))
                {
                    ok = false;
                    continue;
                }
                origins[layer.Name] = (location, source);
                var rankRule = layer.Lora is null ? null : HardwareRules.LoraRank(layer.Lora.Rank, Math.Min(layer.InFeatures, layer.OutFeatures));
                if (rankRule is not null)
                {
                    // A block repeated N times has N such layers; one diagnostic says it.
                    var rankError = DiagnosticInfo.Create(Diagnostics.RankOutOfRange, location, source, layer.Lora!.Rank, rankRule);
                    if (!diagnostics.Contains(rankError)) diagnostics.Add(rankError);
                    ok = false;
                }
                layers.Add(layer);
            }
        }
        ok &= paths.CheckNesting(cancellation);

        ModelDeclaration? declaration = null;
        if (ok)
        {
            var model = new ModelSpec(symbol.Name, chip, loraDefaults, cluster, layers.ToEquatableArray());
            declaration = Plan(symbol, syntax, model, members, origins, diagnostics);
        }
        return new ParseResult<ModelDeclaration>(declaration, diagnostics.ToEquatableArray());
    }

    /// <summary>The [AnalogLinear] and [DigitalLinear] attributes on the model's own properties: a lower bound on its
    /// entries, read from the attributes alone, so a model far over the limit is reported before each member is checked
    /// and each layer built (70,000 members took seconds to reach the exact count).</summary>
    static long CountOwnLayers(INamedTypeSymbol symbol)
    {
        long layers = 0;
        foreach (var property in symbol.GetMembers().OfType<IPropertySymbol>())
            foreach (var attribute in AttributeReader.LayerAttributes(property))
                if (attribute.AttributeClass?.ToDisplayString() != AttributeReader.Blocks) layers++;
        return layers;
    }

    /// <summary>Plans a valid model. Every size is checked in 64-bit arithmetic before anything proportional to it
    /// is allocated: the tiles against the chip, then the generated entries against their limit.</summary>
    static ModelDeclaration? Plan(INamedTypeSymbol symbol, TypeDeclarationSyntax syntax, ModelSpec model, List<ParsedMember> members,
        Dictionary<string, (LocationInfo? Location, string Source)> origins, List<DiagnosticInfo> diagnostics)
    {
        var chip = model.Chip;
        long tiles = TileMapBuilder.CountTiles(model);
        if (tiles > chip.Tiles)
        {
            var chipAttribute = AttributeReader.Find(symbol, AttributeReader.AnalogChip);
            var where = chipAttribute is null ? LocationInfo.From(syntax.Identifier.GetLocation()) : AttributeReader.Location(chipAttribute);
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.TooManyTiles, where, symbol.Name, tiles, chip.TileRows, chip.TileCols, chip.Tiles));
            return null;
        }
        long entries = TileMapBuilder.CountEntries(model);
        if (entries > HardwareRules.MaxGeneratedEntries)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.ModelTooLarge, LocationInfo.From(syntax.Identifier.GetLocation()), symbol.Name,
                entries, HardwareRules.MaxGeneratedEntries));
            return null;
        }
        var planned = DeploymentPlanner.Plan(model);
        if (planned.Plan is null)
        {
            ReportShortfalls(planned.Shortfalls, origins, diagnostics);
            return null;
        }
        if (!planned.HasKernels && model.Layers.Any(l => l.IsAnalog))
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.IdealAdcNoKernels, LocationInfo.From(syntax.Identifier.GetLocation()), symbol.Name));
        var memberDeclarations = new List<MemberDeclaration>();
        foreach (var member in members) memberDeclarations.Add(member.Declaration);
        return new ModelDeclaration(TypeParser.Describe(symbol, memberDeclarations.ToEquatableArray()), model, planned.Plan);
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
    static IEnumerable<(LayerSpec? Layer, LocationInfo? Location, string Source)> Expand(ParsedMember member, string memberName, LoraSpec defaults,
        Compilation compilation, CancellationToken cancellation)
    {
        var declaration = member.Declaration;
        if (declaration.Kind != MemberKind.Blocks)
        {
            yield return (ToLayer(member, declaration.LayerName, defaults), member.Lora?.Location ?? member.Location, memberName);
            yield break;
        }

        var blockDiagnostics = new List<DiagnosticInfo>();
        bool blockOk = true;
        var blockMembers = MemberParser.Parse(member.BlockType!, insideBlock: true, compilation, blockDiagnostics, ref blockOk, cancellation);
        if (blockDiagnostics.Count > 0 || !blockOk)
        {
            yield return (null, member.Location, memberName);
            yield break;
        }
        for (int i = 0; i < declaration.BlockCount; i++)
        {
            cancellation.ThrowIfCancellationRequested();
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

    // Each reader starts from a fresh attribute instance, so an unset argument keeps the attribute's own default.
    static ChipSpec ReadChip(INamedTypeSymbol symbol, Compilation compilation, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var a = AttributeReader.Find(symbol, AttributeReader.AnalogChip);
        if (a is null) return ChipSpec.Default;
        if (AttributeReader.HasInvalidConstants(a)) return Suppressed(ChipSpec.Default, ref ok);
        var c = new AnalogChipAttribute();
        c.TileRows = AttributeReader.Int(a, nameof(c.TileRows), c.TileRows);
        c.TileCols = AttributeReader.Int(a, nameof(c.TileCols), c.TileCols);
        c.Tiles = AttributeReader.Int(a, nameof(c.Tiles), c.Tiles);
        c.DacBits = AttributeReader.Int(a, nameof(c.DacBits), c.DacBits);
        c.AdcBits = AttributeReader.Int(a, nameof(c.AdcBits), c.AdcBits);
        c.OutputBound = AttributeReader.Double(a, nameof(c.OutputBound), c.OutputBound);
        c.OutputNoise = AttributeReader.Double(a, nameof(c.OutputNoise), c.OutputNoise);
        c.WeightNoise = AttributeReader.Double(a, nameof(c.WeightNoise), c.WeightNoise);
        c.WeightClipSigma = AttributeReader.Double(a, nameof(c.WeightClipSigma), c.WeightClipSigma);
        c.BoundManagement = (BoundManagement)AttributeReader.Int(a, nameof(c.BoundManagement), (int)c.BoundManagement);
        c.BoundManagementLimit = AttributeReader.Double(a, nameof(c.BoundManagementLimit), c.BoundManagementLimit);
        c.NoiseManagement = (NoiseManagement)AttributeReader.Int(a, nameof(c.NoiseManagement), (int)c.NoiseManagement);
        c.Device = (DeviceModel)AttributeReader.Int(a, nameof(c.Device), (int)c.Device);
        c.GMaxMicroSiemens = AttributeReader.Double(a, nameof(c.GMaxMicroSiemens), c.GMaxMicroSiemens);
        var chip = ChipSpec.From(c);
        ok &= Report(HardwareRules.Check(chip), symbol, a, compilation, diagnostics);
        return chip;
    }

    static LoraSpec ReadLoraDefaults(INamedTypeSymbol symbol, Compilation compilation, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var a = AttributeReader.Find(symbol, AttributeReader.LoraDefaults);
        if (a is null) return LoraSpec.Default;
        if (AttributeReader.HasInvalidConstants(a)) return Suppressed(LoraSpec.Default, ref ok);
        var l = new LoraDefaultsAttribute();
        l.Rank = AttributeReader.Int(a, nameof(l.Rank), l.Rank);
        l.Alpha = AttributeReader.Double(a, nameof(l.Alpha), l.Alpha);
        l.Dropout = AttributeReader.Double(a, nameof(l.Dropout), l.Dropout);
        var lora = LoraSpec.From(l);
        ok &= Report(HardwareRules.Check(lora), symbol, a, compilation, diagnostics);
        return lora;
    }

    static ClusterSpec ReadCluster(INamedTypeSymbol symbol, Compilation compilation, List<DiagnosticInfo> diagnostics, ref bool ok)
    {
        var a = AttributeReader.Find(symbol, AttributeReader.RiscVCluster);
        if (a is null) return ClusterSpec.Default;
        if (AttributeReader.HasInvalidConstants(a)) return Suppressed(ClusterSpec.Default, ref ok);
        var r = new RiscVClusterAttribute();
        r.Cores = AttributeReader.Int(a, nameof(r.Cores), r.Cores);
        r.L1KiB = AttributeReader.Int(a, nameof(r.L1KiB), r.L1KiB);
        r.DataType = (ClusterDataType)AttributeReader.Int(a, nameof(r.DataType), (int)r.DataType);
        r.MatrixEngine = AttributeReader.Bool(a, nameof(r.MatrixEngine), r.MatrixEngine);
        r.EngineWidth = AttributeReader.Int(a, nameof(r.EngineWidth), r.EngineWidth);
        r.EngineHeight = AttributeReader.Int(a, nameof(r.EngineHeight), r.EngineHeight);
        r.EnginePipeRegs = AttributeReader.Int(a, nameof(r.EnginePipeRegs), r.EnginePipeRegs);
        var cluster = ClusterSpec.From(r);
        ok &= Report(HardwareRules.Check(cluster), symbol, a, compilation, diagnostics);
        return cluster;
    }

    /// <summary>The compiler reports an error in the attribute: nothing is generated and Ahwa adds no message.</summary>
    static T Suppressed<T>(T fallback, ref bool ok)
    {
        ok = false;
        return fallback;
    }

    /// <summary>Reports each broken rule of one hardware attribute at its argument; false if any broke.</summary>
    static bool Report(IEnumerable<RuleViolation> violations, INamedTypeSymbol symbol, AttributeData attribute, Compilation compilation,
        List<DiagnosticInfo> diagnostics)
    {
        var broken = violations.ToList();
        if (broken.Count > 0 && AttributeReader.HasCompilerErrors(attribute, compilation)) return false; // the compiler's error says it
        violations = broken;
        string member = symbol.Name + " [" + attribute.AttributeClass!.Name.Replace("Attribute", "") + "]";
        bool ok = true;
        foreach (var violation in violations)
        {
            diagnostics.Add(RuleDiagnostics.Create(violation, AttributeReader.ArgumentLocation(attribute, violation.Name), member));
            ok = false;
        }
        return ok;
    }
}
