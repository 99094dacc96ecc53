using System;
using System.Collections.Generic;
using Ahwa.Targets;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime
{
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

        /// <summary>An empty module that only groups children under one path segment.</summary>
        sealed class ModuleScope : nn.Module
        {
            public ModuleScope(string name) : base(name)
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
}
