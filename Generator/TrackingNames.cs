using Ahwa.Codegen;

namespace Ahwa.Generator;

/// <summary>Names of pipeline steps, for incrementality tests.</summary>
public static class TrackingNames
{
    public const string ModelParse = nameof(ModelParse);
    public const string ModelDeclaration = nameof(ModelDeclaration);
    public const string ModelSources = nameof(ModelSources);
    public const string ModelDiagnostics = nameof(ModelDiagnostics);
    public const string PyTorchParse = nameof(PyTorchParse);
    public const string BlockParse = nameof(BlockParse);
    public const string BlockDeclaration = nameof(BlockDeclaration);
    public const string BlockDiagnostics = nameof(BlockDiagnostics);
    public const string Registry = nameof(Registry);
}
