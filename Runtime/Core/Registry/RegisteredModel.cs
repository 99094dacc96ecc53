using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Ahwa.Hardware;

namespace Ahwa.Runtime;

/// <summary>One [AnalogModel] of an assembly with what the generator produced for it.</summary>
/// <param name="PyTorch">The model's PyTorch translation, or null when the PyTorch target could not translate it.</param>
/// <param name="Create">A new model from a seed, or null when the class has its own constructor.</param>
public sealed record RegisteredModel(Type Type, ModelSpec Spec, DeploymentPlan Plan, IReadOnlyList<Artifact> Artifacts,
    PyTorchTranslation? PyTorch, Func<long, AhwaModel>? Create)
{
    public string Name => Spec.Name;
}

/// <summary>Names the generated class that lists an assembly's models (emitted once per assembly by the generator).</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class AhwaModelRegistryAttribute : Attribute
{
    public AhwaModelRegistryAttribute(Type registry) => Registry = registry ?? throw new ArgumentNullException(nameof(registry));

    public Type Registry { get; }
}

/// <summary>Reads the generated registry of an assembly.</summary>
public static class ModelRegistry
{
    /// <summary>The assembly's models; empty when it has none (no registry attribute).</summary>
    public static IReadOnlyList<RegisteredModel> Of(Assembly assembly)
    {
        if (assembly is null) throw new ArgumentNullException(nameof(assembly));
        var attribute = assembly.GetCustomAttribute<AhwaModelRegistryAttribute>();
        if (attribute is null) return Array.Empty<RegisteredModel>();
        var all = attribute.Registry.GetProperty("All", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"Registry '{attribute.Registry.FullName}' of '{assembly.GetName().Name}' has no static All property.");
        return ((IEnumerable<RegisteredModel>)all.GetValue(null)!).ToList();
    }
}
