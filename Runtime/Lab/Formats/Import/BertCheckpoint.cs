using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Lab.Formats;
using Ahwa.Runtime;
using Ahwa.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Lab.Import;

/// <summary>
/// Pretrained BERT-family weights under Hugging Face names (<c>encoder.layer.0.attention.self.query.weight</c>, out x in),
/// from an ONNX export or a safetensors checkpoint, and loading them into a generated model by name.
/// </summary>
public static class BertCheckpoint
{
    /// <summary>
    /// Reads the weights of an ONNX BERT export. Biases, embeddings and layer norms carry their Hugging Face names;
    /// MatMul weights have numeric names and are stored in x out, so each is named by following the graph: the Add
    /// that consumes the MatMul's output takes a bias called <c>X.bias</c>, and the weight becomes <c>X.weight</c>, transposed.
    /// </summary>
    public static IReadOnlyDictionary<string, NamedTensor> FromOnnx(OnnxModel model)
    {
        var result = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var tensor in model.Initializers.Values)
            if (tensor.Name.Contains('.')) result[tensor.Name] = new NamedTensor(tensor.Name, tensor.Dims, tensor.Data);

        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in model.Nodes)
            foreach (var input in node.Inputs)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = new List<OnnxNode>();
                list.Add(node);
            }
        foreach (var node in model.Nodes.Where(n => n.OpType == "MatMul"))
        {
            var weightName = node.Inputs.FirstOrDefault(i => model.Initializers.ContainsKey(i));
            if (weightName is null) continue; // attention products: both operands are activations
            var add = consumers.TryGetValue(node.Outputs[0], out var next) ? next.FirstOrDefault(n => n.OpType == "Add") : null;
            var bias = add?.Inputs.FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && model.Initializers.ContainsKey(i));
            if (bias is null) throw new InvalidDataException($"MatMul '{node.Name}' with weight '{weightName}' is not followed by an Add of a named bias; cannot name the weight.");
            var layer = bias.Substring(0, bias.Length - ".bias".Length);
            var w = model.Initializers[weightName];
            if (w.Dims.Length != 2) throw new InvalidDataException($"Weight '{weightName}' of '{layer}' has {w.Dims.Length} dimensions; expected 2.");
            result[layer + ".weight"] = Transpose(layer + ".weight", w);
        }
        return result;
    }

    /// <summary>A Hugging Face safetensors checkpoint (Linear weights already out x in). A <c>bert.</c> prefix is dropped.</summary>
    public static IReadOnlyDictionary<string, NamedTensor> FromSafeTensors(string path) =>
        SafeTensors.Read(path).ToDictionary(t => t.Name.StartsWith("bert.", StringComparison.Ordinal) ? t.Name.Substring(5) : t.Name, t => t, StringComparer.Ordinal);

    static NamedTensor Transpose(string name, OnnxTensor w)
    {
        long rows = w.Dims[0], cols = w.Dims[1];
        var data = new float[w.Data.Length];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++) data[j * rows + i] = w.Data[i * cols + j];
        return new NamedTensor(name, new[] { cols, rows }, data);
    }

    /// <summary>Checkpoint tensors a model may leave unused: BERT's pooler and pre-training heads, position-id buffers.</summary>
    public static IReadOnlyList<string> UnusedCheckpointPrefixes { get; } = ["pooler.", "cls.", "embeddings.position_ids"];

    /// <summary>The model parameters a pretrained checkpoint does not hold, by name: every LoRA matrix and analog output
    /// scale (Ahwa's own), and the task heads (the model's digital layers, saved with each adapter).</summary>
    public static IReadOnlySet<string> MayStayUnloaded(AhwaModel model)
    {
        var names = new HashSet<string>(PretrainedNames.AhwaOwn(model.ModelSpec), StringComparer.Ordinal);
        foreach (var layer in model.ModelSpec.Layers)
            if (!layer.IsAnalog)
                foreach (var weight in Hardware.LayerNaming.WeightNames(layer)) names.Add(weight.Name);
        return names;
    }

    /// <summary>Copies the checkpoint into the model by name and shape, accounting for every parameter and every tensor:
    /// a model parameter the checkpoint lacks (outside <see cref="MayStayUnloaded"/>) or a checkpoint tensor the model
    /// has no place for (outside <see cref="UnusedCheckpointPrefixes"/>, e.g. a wrong name prefix, or more layers than
    /// the model) is an error naming them. Returns the names loaded; nothing is copied unless all is well.</summary>
    public static IReadOnlyList<string> LoadInto(AhwaModel model, IReadOnlyDictionary<string, NamedTensor> checkpoint, string source)
    {
        var plan = new List<(TorchSharp.Modules.Parameter Parameter, NamedTensor Tensor)>();
        var optional = MayStayUnloaded(model);
        var missing = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (!checkpoint.TryGetValue(name, out var tensor))
            {
                if (!optional.Contains(name)) missing.Add(name);
                continue;
            }
            if (!parameter.shape.SequenceEqual(tensor.Shape))
                throw new InvalidDataException($"{source}: '{name}' has shape [{string.Join(", ", tensor.Shape)}]; the model expects [{string.Join(", ", parameter.shape)}].");
            plan.Add((parameter, tensor));
            used.Add(name);
        }
        var unused = checkpoint.Keys.Where(n => !used.Contains(n) && !UnusedCheckpointPrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal)))
            .OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unused.Count > 0)
        {
            static string Some(List<string> names) => string.Join(", ", names.Take(5).Select(n => "'" + n + "'")) + (names.Count > 5 ? ", ..." : "");
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} parameters of model '{model.ModelSpec.Name}' are not in it ({Some(missing)})");
            if (unused.Count > 0) parts.Add($"{unused.Count} of its tensors have no parameter in the model ({Some(unused)})");
            throw new InvalidDataException($"{source}: {string.Join("; ", parts)}. Only LoRA, output scales and task heads may stay unloaded.");
        }
        using (no_grad())
            foreach (var (parameter, tensor) in plan) parameter.copy_(torch.tensor(tensor.Data, tensor.Shape));
        return plan.Select(p => p.Tensor.Name).ToList();
    }
}
