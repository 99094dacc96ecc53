using System;

namespace Ahwa.Dsl;

/// <summary>
/// An analog-stationary linear layer: its weights are programmed once onto AIMC tiles.
/// Put it on a <c>partial</c> property of type <c>Ahwa.Runtime.AnalogLinear</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class AnalogLinearAttribute : Attribute
{
    public AnalogLinearAttribute(int inFeatures, int outFeatures)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool Bias { get; set; } = true;
    /// <summary>Hugging Face style name relative to the enclosing model or block
    /// (for example <c>attention.self.query</c>). Defaults to the property name in snake_case.</summary>
    public string? Name { get; set; }
}

/// <summary>
/// A linear layer that stays digital (for example a task head). Put it on a <c>partial</c>
/// property of type <c>Ahwa.Runtime.DigitalLinear</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class DigitalLinearAttribute : Attribute
{
    public DigitalLinearAttribute(int inFeatures, int outFeatures)
    {
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool Bias { get; set; } = true;
    public string? Name { get; set; }
}

/// <summary>Overrides the model's LoRA defaults for one linear layer. Unset values keep the default.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class LoraAttribute : Attribute
{
    public int Rank { get; set; }
    public double Alpha { get; set; }
    public double Dropout { get; set; } = double.NaN;
    /// <summary>No adapter on this layer.</summary>
    public bool Disabled { get; set; }
}

/// <summary>
/// Marks a <c>partial class</c> as a reusable block of layers (for example one encoder layer).
/// A model instantiates it with <see cref="BlocksAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AnalogBlockAttribute : Attribute
{
}

/// <summary>
/// Repeats a block <see cref="Count"/> times under <see cref="Name"/>: block i's layer
/// <c>attention.self.query</c> is named <c>{Name}.{i}.attention.self.query</c>, as in Hugging Face BERT.
/// Put it on a <c>partial</c> property of type <c>IReadOnlyList&lt;TBlock&gt;</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class BlocksAttribute : Attribute
{
    public BlocksAttribute(Type blockType, int count)
    {
        BlockType = blockType;
        Count = count;
    }

    public Type BlockType { get; }
    public int Count { get; }
    /// <summary>Name prefix of the repeated blocks (for example <c>encoder.layer</c>). Defaults to the property name in snake_case.</summary>
    public string? Name { get; set; }
}
