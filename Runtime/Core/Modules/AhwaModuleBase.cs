using System;
using System.Collections.Generic;
using System.Reflection;
using Ahwa.Hardware;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>Shared base of generated models and blocks: registers layers under dotted Hugging Face paths.
/// TorchSharp forbids '.' in module names, so each path segment becomes a nested module and
/// <c>state_dict()</c> keys come out as <c>encoder.layer.3.attention.self.query.weight</c>.</summary>
public abstract class AhwaModuleBase : nn.Module
{
    readonly Dictionary<string, nn.Module> scopes = new(StringComparer.Ordinal);

    protected AhwaModuleBase(string name) : base(name)
    {
    }

    /// <summary>Registers <paramref name="module"/> at <paramref name="path"/>, creating empty scope modules for
    /// the intermediate segments.</summary>
    protected void RegisterLayer(string path, nn.Module module)
    {
        if (!LayerNaming.IsValid(path)) throw new ArgumentException($"Invalid layer path '{path}'.", nameof(path));
        var segments = LayerNaming.Segments(path);
        nn.Module parent = this;
        string prefix = "";
        for (int i = 0; i < segments.Length - 1; i++)
        {
            prefix = LayerNaming.Join(prefix, segments[i]);
            if (!scopes.TryGetValue(prefix, out var scope))
            {
                scope = new ModuleScope(segments[i]);
                parent.register_module(segments[i], scope);
                scopes.Add(prefix, scope);
            }
            parent = scope;
        }
        parent.register_module(segments[^1], module);
    }

    /// <summary>TorchSharp registers every Module, Parameter and Tensor field by reflection when asked. Generated
    /// layers are registered under their Hugging Face paths already, so their backing fields (and anything
    /// already registered) are skipped; other fields the user declares (embeddings, layer norms) register as usual.</summary>
    protected override void RegisterComponents()
    {
        if (componentsRegistered) return;
        componentsRegistered = true;
        var registered = new HashSet<object>(ReferenceEqualityComparer.Instance);
        // A layer registered under a dotted path sits inside scope modules, not among the direct children; a field
        // holding it must not register it a second time under the field's name.
        foreach (var (_, child) in named_children()) AddWithScopes(child, registered);
        foreach (var (_, parameter) in named_parameters(recurse: false)) registered.Add(parameter);
        foreach (var (_, buffer) in named_buffers(recurse: false)) registered.Add(buffer);
        for (var type = GetType(); type is not null && type != typeof(AhwaModuleBase); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.Name.StartsWith(GeneratedMembers.BackingFieldPrefix, StringComparison.Ordinal)) continue;
                var value = field.GetValue(this);
                if (value is null || registered.Contains(value)) continue;
                switch (value)
                {
                    case nn.Module module: register_module(field.Name, module); break;
                    case TorchSharp.Modules.Parameter parameter: register_parameter(field.Name, parameter); break;
                    case Tensor tensor: register_buffer(field.Name, tensor); break;
                }
            }
        }
    }

    bool componentsRegistered;

    static void AddWithScopes(nn.Module module, HashSet<object> registered)
    {
        registered.Add(module);
        if (module is ModuleScope)
            foreach (var (_, child) in module.named_children()) AddWithScopes(child, registered);
    }

    /// <summary>An empty module that only groups children under one path segment.</summary>
    sealed class ModuleScope : nn.Module
    {
        public ModuleScope(string name) : base(name)
        {
        }

        protected override void RegisterComponents()
        {
        }
    }
}

/// <summary>Base of a generated [AnalogBlock] class.</summary>
public abstract class AhwaBlock : AhwaModuleBase
{
    protected AhwaBlock(string name, string prefix) : base(name) => Prefix = prefix;

    /// <summary>The block's name prefix in its model, e.g. <c>encoder.layer.3</c>.</summary>
    public string Prefix { get; }
}
