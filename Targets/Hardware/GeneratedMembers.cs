using System.Collections.Generic;

namespace Ahwa.Hardware;

/// <summary>Names the generator gives to members of a user's class, known at run time too.</summary>
public static class GeneratedMembers
{
    /// <summary>Prefix of the fields that back generated properties; the runtime skips them when it registers fields.</summary>
    public const string BackingFieldPrefix = "__ahwa_";

    /// <summary>The model's PyTorch translation (<see cref="PyTorchTranslation"/>).</summary>
    public const string PyTorch = "PyTorch";

    /// <summary>Members the generator adds to every model class; a user member of the same name cannot compile.</summary>
    public static IReadOnlyList<string> ModelMembers { get; } =
        ["Spec", "WeightNames", "TileMap", "TileMapJson", "Plan", "Artifacts", PyTorch, "InitializeLayers", "OnLayersCreated"];

    /// <summary>Members the generator adds to every block class.</summary>
    public static IReadOnlyList<string> BlockMembers { get; } = ["OnLayersCreated"];

    /// <summary>Field that backs a generated property; a verbatim identifier (<c>@event</c>) loses its <c>@</c>.</summary>
    public static string BackingField(string propertyName) => BackingFieldPrefix + propertyName.TrimStart('@');
}
