using Ahwa.Codegen;
using Microsoft.CodeAnalysis;

namespace Ahwa.Generator;

/// <summary>Every diagnostic the generator reports. Ids are stable; messages name the member and the value, and
/// the requirement text of a hardware rule comes from <see cref="Ahwa.Hardware.HardwareRules"/>.</summary>
public static class Diagnostics
{
    const string Category = "Ahwa";

    static DiagnosticDescriptor Error(string id, string title, string message) =>
        new DiagnosticDescriptor(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    // The PyTorch target is optional: a model it cannot translate still builds and runs in C#, so these warn.
    static DiagnosticDescriptor PyTorchWarning(string id, string title, string message) =>
        new DiagnosticDescriptor(id, title, message + "; the model's PyTorch target is not generated (supported subset: docs/pytorch-target.md)",
            "Ahwa.PyTorch", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotPartial = Error("AHWA0001",
        "Ahwa class must be partial",
        "'{0}' must be declared partial so the generator can add its layers");

    public static readonly DiagnosticDescriptor Generic = Error("AHWA0002",
        "Ahwa class cannot be generic",
        "'{0}' is generic or nested in generic type '{1}'; Ahwa models and blocks must be non-generic");

    public static readonly DiagnosticDescriptor RankOutOfRange = Error("AHWA0003",
        "LoRA rank out of range",
        "LoRA rank {1} of '{0}' is out of range: it must be {2}");

    public static readonly DiagnosticDescriptor NonPositiveDimension = Error("AHWA0004",
        "Dimension must be positive",
        "{1} of '{0}' is {2}; it must be {3}");

    public static readonly DiagnosticDescriptor ConverterBits = Error("AHWA0005",
        "Converter resolution out of range",
        "{1} of '{0}' is {2}; it must be {3}");

    public static readonly DiagnosticDescriptor AlphaNotPositive = Error("AHWA0006",
        "LoRA alpha must be positive",
        "LoRA alpha of '{0}' is {1}; it must be {2}");

    public static readonly DiagnosticDescriptor DropoutOutOfRange = Error("AHWA0007",
        "LoRA dropout out of range",
        "LoRA dropout of '{0}' is {1}; it must be {2}");

    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("AHWA0008",
        "Duplicate layer name",
        "Layer name '{1}' of '{0}' is already used by '{2}'; layer names must be unique in a model");

    public static readonly DiagnosticDescriptor LoraOnNonLinear = Error("AHWA0009",
        "LoRA on a member that is not a linear layer",
        "'{0}' has [Lora] but is not an [AnalogLinear] or [DigitalLinear] layer");

    public static readonly DiagnosticDescriptor TooManyTiles = Error("AHWA0010",
        "Model does not fit on the chip",
        "'{0}' needs {1} tiles of {2} x {3} but the chip has {4}; raise AnalogChip.Tiles or use larger tiles");

    public static readonly DiagnosticDescriptor BlockUsedZeroTimes = Error("AHWA0011",
        "Block repeated fewer than once",
        "'{0}' repeats block '{1}' {2} times; a block must be used at least once");

    public static readonly DiagnosticDescriptor UnexpectedException = Error("AHWA0012",
        "Unexpected generator failure",
        "Ahwa could not generate '{0}': {1}");

    public static readonly DiagnosticDescriptor NotPartialProperty = Error("AHWA0013",
        "Layer member must be a partial get-only instance property",
        "'{0}' must be declared as a partial instance property with only a getter, e.g. 'public partial {1} {2} {{ get; }}'");

    public static readonly DiagnosticDescriptor WrongPropertyType = Error("AHWA0014",
        "Layer property has the wrong type",
        "'{0}' is of type '{1}' but {2} requires '{3}'");

    public static readonly DiagnosticDescriptor NotABlock = Error("AHWA0015",
        "Repeated type is not a block",
        "'{0}' repeats '{1}', which has no [AnalogBlock] attribute");

    public static readonly DiagnosticDescriptor InvalidHardwareValue = Error("AHWA0016",
        "Invalid hardware parameter",
        "{1} of '{0}' is {2}; it must be {3}");

    public static readonly DiagnosticDescriptor ConflictingLayerAttributes = Error("AHWA0017",
        "Conflicting layer attributes",
        "'{0}' has more than one of [AnalogLinear], [DigitalLinear] and [Blocks]");

    public static readonly DiagnosticDescriptor InvalidLayerName = Error("AHWA0018",
        "Invalid layer name",
        "Layer name '{1}' of '{0}' is invalid; use dot-separated segments of letters, digits and underscores");

    public static readonly DiagnosticDescriptor BaseNotAhwa = Error("AHWA0019",
        "Base class must be an Ahwa module",
        "'{0}' derives from '{1}'; an Ahwa {2} must derive from '{3}' or declare no base class");

    public static readonly DiagnosticDescriptor ClusterMemoryTooSmall = Error("AHWA0021",
        "LoRA kernel does not fit the cluster's L1",
        "Layer '{1}' of '{0}' needs {2} bytes of L1 for its kernel even with one token per tile; the cluster has {3}. Raise RiscVCluster.L1KiB or lower the rank");

    public static readonly DiagnosticDescriptor BlocksInBlock = Error("AHWA0020",
        "Blocks cannot be nested",
        "'{0}' uses [Blocks] inside a block; only a model can repeat blocks");

    public static readonly DiagnosticDescriptor TooManyBlocks = Error("AHWA0022",
        "Block repeated too many times",
        "'{0}' repeats block '{1}' {2} times; at most {3} repetitions are allowed");

    public static readonly DiagnosticDescriptor ModelTooLarge = Error("AHWA0023",
        "Model too large to generate",
        "'{0}' would generate {1} entries (layers and tile blocks); the limit is {2}. Use fewer layers or larger tiles");

    public static readonly DiagnosticDescriptor NotAClass = Error("AHWA0024",
        "Ahwa model or block must be a plain class",
        "'{0}' is a {1}; an Ahwa {2} must be a non-record class");

    public static readonly DiagnosticDescriptor NotConcrete = Error("AHWA0025",
        "Ahwa class must be concrete",
        "'{0}' is {1}; an Ahwa {2} must be a non-abstract, non-static class");

    public static readonly DiagnosticDescriptor ReservedMemberName = Error("AHWA0026",
        "Member named like a generated member",
        "'{0}' is named like the member '{1}' the generator adds to every {2}; rename it");

    public static readonly DiagnosticDescriptor ModelAndBlock = Error("AHWA0027",
        "Class is both a model and a block",
        "'{0}' has both [AnalogModel] and [AnalogBlock]; a class is one or the other");

    public static readonly DiagnosticDescriptor NestedModulePath = Error("AHWA0028",
        "Layer path inside another layer",
        "Layer '{1}' of '{0}' lies inside '{2}' of '{3}'; a layer or block cannot contain another layer");

    // Ideal converters are a simulation setting (the paper's LLaMA runs), not a mistake, so this informs.
    public static readonly DiagnosticDescriptor IdealAdcNoKernels = new("AHWA0029",
        "No LoRA kernels for an ideal ADC",
        "'{0}' has an ideal ADC (AdcBits = 0): it trains and evaluates without converters, but the cluster's LoRA kernels take ADC codes, so none are generated; give AdcBits (for example 8) to deploy",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GeneratedStringsTooLarge = Error("AHWA0030",
        "Generated string literals too large",
        "The code generated for '{0}' would add {1} bytes of string literals to the assembly; the limit is {2} (the compiler's is 16 MiB for the whole assembly). Use fewer layers or shorter layer names");

    public static readonly DiagnosticDescriptor PyTorchStatement = PyTorchWarning("AHWA0100",
        "Statement not translatable to PyTorch",
        "'{0}': {1} cannot be translated to PyTorch");

    public static readonly DiagnosticDescriptor PyTorchExpression = PyTorchWarning("AHWA0101",
        "Expression not translatable to PyTorch",
        "'{0}': {1} cannot be translated to PyTorch");

    public static readonly DiagnosticDescriptor PyTorchApi = PyTorchWarning("AHWA0102",
        "API without a PyTorch translation",
        "'{0}': {1} has no entry in Ahwa's TorchSharp-to-PyTorch table");

    public static readonly DiagnosticDescriptor PyTorchReservedName = PyTorchWarning("AHWA0103",
        "Member name reserved in PyTorch",
        "'{0}': a member named '{1}' would replace an attribute of torch.nn.Module or of Ahwa's Python runtime; rename it");

    public static readonly DiagnosticDescriptor PyTorchMember = PyTorchWarning("AHWA0104",
        "Member kind not translatable to PyTorch",
        "'{0}': {1} cannot be translated to PyTorch");
}
