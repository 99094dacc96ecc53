using System;
using System.Collections.Generic;
using System.Linq;
using Ahwa.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ahwa.Runtime
{
    /// <summary>The parameters of a model split by what trains them in AHWA-LoRA.</summary>
    /// <param name="MetaWeights">Analog-stationary weights and their per-column output scales: frozen in AHWA-LoRA.</param>
    /// <param name="Lora">LoRA A and B matrices: the only analog-side parameters AHWA-LoRA trains.</param>
    /// <param name="Digital">Everything else (biases, digital layers, embeddings, layer norms, task heads).</param>
    public sealed record ParameterGroups(
        IReadOnlyList<(string Name, Parameter Parameter)> MetaWeights,
        IReadOnlyList<(string Name, Parameter Parameter)> Lora,
        IReadOnlyList<(string Name, Parameter Parameter)> Digital)
    {
        public long Count(IReadOnlyList<(string Name, Parameter Parameter)> group) => group.Sum(p => p.Parameter.numel());

        public long Total => Count(MetaWeights) + Count(Lora) + Count(Digital);
    }

    /// <summary>Base of a generated [AnalogModel] class.</summary>
    public abstract class AhwaModel : AhwaModuleBase
    {
        IReadOnlyList<AnalogLinear>? analogLayers;
        IReadOnlyList<DigitalLinear>? digitalLayers;

        protected AhwaModel(string name, ModelSpec spec) : base(name) => ModelSpec = spec ?? throw new ArgumentNullException(nameof(spec));

        /// <summary>The hardware and layer description the generator produced for this model.</summary>
        public ModelSpec ModelSpec { get; }

        /// <summary>Analog layers in registration (declaration) order.</summary>
        public IReadOnlyList<AnalogLinear> AnalogLayers => analogLayers ??= modules().OfType<AnalogLinear>().ToList();

        /// <summary>Digital linear layers in registration (declaration) order.</summary>
        public IReadOnlyList<DigitalLinear> DigitalLayers => digitalLayers ??= modules().OfType<DigitalLinear>().ToList();

        /// <summary>The analog or digital linear layer with the given full name.</summary>
        public nn.Module Layer(string name)
        {
            foreach (var layer in AnalogLayers) if (layer.Spec.Name == name) return layer;
            foreach (var layer in DigitalLayers) if (layer.Spec.Name == name) return layer;
            throw new KeyNotFoundException($"Model '{ModelSpec.Name}' has no linear layer named '{name}'.");
        }

        /// <summary>Splits every parameter into meta-weights, LoRA and digital by its role.</summary>
        public ParameterGroups ParameterGroups()
        {
            var groups = new Dictionary<string, ParameterGroup>(StringComparer.Ordinal);
            foreach (var layer in ModelSpec.Layers)
                foreach (var weight in LayerNaming.WeightNames(layer))
                    groups[weight.Name] = GroupOf(layer, weight.Role);

            var meta = new List<(string, Parameter)>();
            var lora = new List<(string, Parameter)>();
            var digital = new List<(string, Parameter)>();
            foreach (var (name, parameter) in named_parameters())
            {
                var group = groups.TryGetValue(name, out var g) ? g : ParameterGroup.Digital;
                (group switch { ParameterGroup.Meta => meta, ParameterGroup.Lora => lora, _ => digital }).Add((name, parameter));
            }
            return new ParameterGroups(meta, lora, digital);
        }

        enum ParameterGroup { Meta, Lora, Digital }

        static ParameterGroup GroupOf(LayerSpec layer, WeightRole role) => role switch
        {
            WeightRole.LoraA or WeightRole.LoraB => ParameterGroup.Lora,
            WeightRole.MetaWeight or WeightRole.OutputScale when layer.IsAnalog => ParameterGroup.Meta,
            _ => ParameterGroup.Digital,
        };
    }
}
