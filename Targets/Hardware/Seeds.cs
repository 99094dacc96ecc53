namespace Ahwa.Hardware;

/// <summary>The default seed of everything seeded (models, training order, noise, programmings, command lines and the
/// generated PyTorch code), in one place so a run without a seed is the same run in C# and Python.</summary>
public static class Seeds
{
    /// <summary>The AHWA-LoRA recipe's seed.</summary>
    public const ulong Default = 42;
}
