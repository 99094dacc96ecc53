using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>The TorchSharp API the PyTorch target translates, and how each name is spelled in PyTorch. TorchSharp
/// mirrors PyTorch, so most names pass through unchanged; a name outside these tables is not translated (the
/// generator reports it), because a silent guess could compute something else. Random draws (rand, randn, dropout)
/// are left out on purpose: every draw must come from Ahwa's seeded streams. A test checks every PyTorch name here
/// against the installed torch.</summary>
public static class TorchApi
{
    static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);

    /// <summary>Tensor methods with the same name and arguments in both.</summary>
    public static IReadOnlyCollection<string> TensorMethods { get; } = Set(
        "abs", "add", "addmm", "all", "amax", "amin", "any", "argmax", "argmin", "baddbmm", "bmm", "chunk", "clamp",
        "clamp_max", "clamp_min", "clone", "contiguous", "cos", "cumsum", "detach", "diagonal", "dim", "div", "eq", "erf",
        "exp", "expand", "expand_as", "flatten", "flip", "floor", "ge", "gt", "index_select", "isnan", "le", "log",
        "log_softmax", "logical_not", "lt", "masked_fill", "matmul", "mean", "mm", "mul", "narrow", "ne", "neg", "norm",
        "numel", "permute", "pow", "reciprocal", "relu", "repeat", "reshape", "round", "rsqrt", "sigmoid", "sign", "sin",
        "size", "softmax", "sqrt", "square", "squeeze", "std", "sub", "sum", "t", "tanh", "transpose", "tril", "triu",
        "type_as", "unsqueeze", "var", "view", "view_as");

    /// <summary>Tensor methods PyTorch spells differently.</summary>
    public static IReadOnlyDictionary<string, string> TensorRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["to_type"] = "to",
        ["item"] = "item",
        ["ToSingle"] = "item",
        ["ToDouble"] = "item",
        ["ToInt64"] = "item",
        ["ToInt32"] = "item",
    };

    /// <summary>Dispose-scope bookkeeping: Python's garbage collector does this, so the call is dropped and its
    /// receiver kept.</summary>
    public static IReadOnlyCollection<string> DisposeMethods { get; } = Set("MoveToOuterDisposeScope", "DetachFromDisposeScope");

    /// <summary>Tensor properties with the same name.</summary>
    public static IReadOnlyCollection<string> TensorProperties { get; } = Set("shape", "dtype", "device", "T", "ndim", "requires_grad");

    /// <summary>Parameters of <see cref="NnModules"/> read by name (MobileBERT's NoNorm is a LayerNorm's weight and
    /// bias without the normalisation).</summary>
    public static IReadOnlyCollection<string> ModuleParameters { get; } = Set("weight", "bias");

    /// <summary>Functions of <c>torch</c>.</summary>
    public static IReadOnlyCollection<string> TorchFunctions { get; } = Set(
        "abs", "arange", "bmm", "broadcast_to", "cat", "clamp", "cos", "einsum", "empty", "empty_like", "erf", "exp",
        "eye", "full", "full_like", "linspace", "log", "masked_fill", "matmul", "maximum", "mean", "minimum", "ones",
        "ones_like", "outer", "pow", "rsqrt", "sigmoid", "sin", "softmax", "sqrt", "stack", "sum", "tanh", "tensor",
        "tril", "triu", "where", "zeros", "zeros_like");

    /// <summary>Functions that create a tensor from nothing: on the CPU in C#, on the model's device in PyTorch.</summary>
    public static IReadOnlyCollection<string> CreationFunctions { get; } = Set("arange", "empty", "eye", "full", "linspace", "ones", "tensor", "zeros");

    /// <summary>Functions of <c>torch.nn.functional</c>.</summary>
    public static IReadOnlyCollection<string> FunctionalFunctions { get; } = Set(
        "cosine_similarity", "cross_entropy", "elu", "embedding", "gelu", "glu", "hardtanh", "layer_norm", "leaky_relu",
        "linear", "log_softmax", "mse_loss", "normalize", "one_hot", "pad", "relu", "sigmoid", "silu", "softmax",
        "softplus", "tanh");

    /// <summary>Module constructors of <c>torch.nn</c> (created in OnLayersCreated).</summary>
    public static IReadOnlyCollection<string> NnModules { get; } = Set(
        "Embedding", "GELU", "Identity", "LayerNorm", "Linear", "ReLU", "SiLU", "Softmax", "Tanh");

    /// <summary>Static methods of <c>Ahwa.Runtime.Decoders.Decoder</c> (RMS norm, rotary embeddings, causal grouped-query
    /// attention): functions of the same name in <c>ahwa.decoder</c>, imported as <c>ahwa_decoder</c>.</summary>
    public static IReadOnlyCollection<string> DecoderFunctions { get; } = Set("RmsNorm", "InverseFrequencies", "RotaryAngles", "Rotate", "Attention");

    /// <summary>Members of <c>Ahwa.Runtime.Decoders.KeyValueCache</c> and of <c>ahwa.decoder.KeyValueCache</c>.</summary>
    public static IReadOnlyDictionary<string, string> CacheMembers { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Length"] = "length",
        ["Layers"] = "layers",
        ["Advance"] = "advance",
    };

    /// <summary>The module alias a translated forward calls the decoder building blocks through.</summary>
    public const string DecoderModule = "ahwa_decoder";

    /// <summary>Argument names TorchSharp spells differently.</summary>
    public static IReadOnlyDictionary<string, string> ArgumentRenames { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["hasBias"] = "bias",
        ["dimensions"] = "dim",
        ["dimension"] = "dim",
        ["keepDim"] = "keepdim",
        ["type"] = "dtype",
    };

    /// <summary><c>System.Math</c> and <c>MathF</c> functions and their Python spelling.</summary>
    public static IReadOnlyDictionary<string, string> MathFunctions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Sqrt"] = "math.sqrt",
        ["Exp"] = "math.exp",
        ["Log"] = "math.log",
        ["Log10"] = "math.log10",
        ["Pow"] = "math.pow",
        ["Tanh"] = "math.tanh",
        ["Sin"] = "math.sin",
        ["Cos"] = "math.cos",
        ["Floor"] = "math.floor",
        ["Ceiling"] = "math.ceil",
        ["Abs"] = "abs",
        ["Max"] = "max",
        ["Min"] = "min",
        ["Round"] = "round",
    };

    /// <summary>TorchSharp's ScalarType members and the PyTorch dtypes they name.</summary>
    public static IReadOnlyDictionary<string, string> ScalarTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Float32"] = "torch.float32",
        ["Float64"] = "torch.float64",
        ["Float16"] = "torch.float16",
        ["BFloat16"] = "torch.bfloat16",
        ["Int64"] = "torch.int64",
        ["Int32"] = "torch.int32",
        ["Int16"] = "torch.int16",
        ["Int8"] = "torch.int8",
        ["Byte"] = "torch.uint8",
        ["Bool"] = "torch.bool",
    };

    /// <summary>Attributes of torch.nn.Module and of Ahwa's Python base classes: a translated member with one of
    /// these names would replace what PyTorch or the runtime relies on.</summary>
    public static IReadOnlyCollection<string> ReservedMemberNames { get; } = Set(
        "training", "forward", "train", "eval", "to", "cuda", "cpu", "half", "float", "double", "type", "parameters",
        "named_parameters", "buffers", "named_buffers", "modules", "named_modules", "children", "named_children",
        "state_dict", "load_state_dict", "apply", "zero_grad", "register_buffer", "register_parameter", "add_module",
        "get_submodule", "get_parameter", "requires_grad_", "extra_repr", "share_memory", "register_layer", "ahwa_device",
        "prefix", "factory", "entry", "chip_spec", "LAYERS", "CHIP", "ENTRY");

    /// <summary>Python's keywords: a class, member or module named so is renamed (<see cref="PythonName"/>).</summary>
    public static IReadOnlyCollection<string> PythonKeywords { get; } = Set(
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");

    /// <summary>Python keywords and the names the generated module binds: a local with one of these names gets a
    /// trailing underscore.</summary>
    public static IReadOnlyCollection<string> ReservedLocalNames { get; } = Set(
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self", "torch", "F", "nn", "math",
        "ahwa_model", "ahwa_spec", "ahwa_decoder", "build", "factory", "prefix", "len", "range", "int", "float", "abs", "max", "min", "round");

    /// <summary>A C# class or member name in Python: a keyword (C#'s <c>@class</c>, or <c>lambda</c>) gets a trailing underscore.</summary>
    public static string PythonName(string name) => PythonKeywords.Contains(name) ? name + "_" : name;

    /// <summary>A class name in the generated module: also clear of the module-level names it binds.</summary>
    public static string PythonClassName(string name) =>
        PythonKeywords.Contains(name) || name is "torch" or "F" or "nn" or "math" or "ahwa_model" or "ahwa_spec" or "ahwa_decoder" or "build" ? name + "_" : name;

    /// <summary>A C# identifier as a Python local or parameter name.</summary>
    public static string LocalName(string name) => ReservedLocalNames.Contains(name) ? name + "_" : name;
}
