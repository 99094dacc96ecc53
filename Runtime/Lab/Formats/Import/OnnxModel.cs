using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Ahwa.Lab.Import;

/// <summary>An ONNX initializer: FP32 values with their dims.</summary>
public sealed record OnnxTensor(string Name, long[] Dims, float[] Data);

/// <summary>An ONNX graph node: op type, inputs and outputs.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>
/// The part of an ONNX model an importer needs: the graph's nodes, FP32 initializers and input/output names.
/// A small protobuf wire-format reader (ModelProto.graph = 7; GraphProto node = 1, initializer = 5, input = 11,
/// output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4; TensorProto dims = 1, data_type = 2,
/// float_data = 4, name = 8, raw_data = 9; ValueInfoProto name = 1), so no generated ONNX classes are needed.
/// </summary>
public sealed class OnnxModel
{
    const int Float = 1;

    OnnxModel(List<OnnxNode> nodes, Dictionary<string, OnnxTensor> initializers, List<string> inputs, List<string> outputs)
    {
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    public IReadOnlyList<OnnxNode> Nodes { get; }
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }
    public IReadOnlyList<string> Inputs { get; }
    public IReadOnlyList<string> Outputs { get; }

    public static OnnxModel Parse(byte[] bytes, string source)
    {
        try
        {
            var nodes = new List<OnnxNode>();
            var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
            var inputs = new List<string>();
            var outputs = new List<string>();
            bool sawGraph = false;
            foreach (var (field, wire, start, length, _) in Fields(bytes, 0, bytes.Length))
            {
                if (field != 7 || wire != 2) continue;
                sawGraph = true;
                foreach (var (g, gw, gs, gl, _) in Fields(bytes, start, start + length))
                {
                    if (gw != 2) continue;
                    switch (g)
                    {
                        case 1: nodes.Add(Node(bytes, gs, gl)); break;
                        case 5:
                            var tensor = Tensor(bytes, gs, gl, source);
                            if (tensor is not null) initializers[tensor.Name] = tensor;
                            break;
                        case 11: inputs.Add(FirstString(bytes, gs, gl, 1)); break;
                        case 12: outputs.Add(FirstString(bytes, gs, gl, 1)); break;
                    }
                }
            }
            if (!sawGraph) throw new InvalidDataException($"'{source}' has no ONNX graph.");
            return new OnnxModel(nodes, initializers, inputs, outputs);
        }
        catch (IndexOutOfRangeException error)
        {
            throw new InvalidDataException($"'{source}' is not a valid ONNX model (truncated protobuf).", error);
        }
    }

    static OnnxNode Node(byte[] b, int start, int length)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string name = "", op = "";
        foreach (var (field, wire, s, l, _) in Fields(b, start, start + length))
        {
            if (wire != 2) continue;
            string text = Encoding.UTF8.GetString(b, s, l);
            switch (field)
            {
                case 1: inputs.Add(text); break;
                case 2: outputs.Add(text); break;
                case 3: name = text; break;
                case 4: op = text; break;
            }
        }
        return new OnnxNode(name, op, inputs, outputs);
    }

    static OnnxTensor? Tensor(byte[] b, int start, int length, string source)
    {
        var dims = new List<long>();
        int type = 0;
        string name = "";
        float[]? data = null;
        var floats = new List<float>();
        foreach (var (field, wire, s, l, value) in Fields(b, start, start + length))
        {
            switch (field)
            {
                case 1 when wire == 0: dims.Add((long)value); break;
                case 1 when wire == 2:
                    for (int p = s; p < s + l;) dims.Add((long)Varint(b, ref p));
                    break;
                case 2 when wire == 0: type = (int)value; break;
                case 4 when wire == 2:
                    for (int p = s; p + 4 <= s + l; p += 4) floats.Add(BitConverter.ToSingle(b, p));
                    break;
                case 4 when wire == 5: floats.Add(BitConverter.ToSingle(BitConverter.GetBytes((uint)value), 0)); break;
                case 8 when wire == 2: name = Encoding.UTF8.GetString(b, s, l); break;
                case 9 when wire == 2:
                    data = new float[l / 4];
                    Buffer.BlockCopy(b, s, data, 0, l / 4 * 4);
                    break;
            }
        }
        if (type != Float) return null; // integer constants (shapes, indices) are not weights
        data ??= floats.ToArray();
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count != data.Length) throw new InvalidDataException($"'{source}': initializer '{name}' has dims [{string.Join(", ", dims)}] but {data.Length} values.");
        return new OnnxTensor(name, dims.ToArray(), data);
    }

    static string FirstString(byte[] b, int start, int length, int wanted)
    {
        foreach (var (field, wire, s, l, _) in Fields(b, start, start + length))
            if (field == wanted && wire == 2) return Encoding.UTF8.GetString(b, s, l);
        return "";
    }

    /// <summary>The fields of a protobuf message: number, wire type, and for length-delimited fields the payload span;
    /// for varint and fixed fields the value.</summary>
    static IEnumerable<(int Field, int Wire, int Start, int Length, ulong Value)> Fields(byte[] b, int start, int end)
    {
        int p = start;
        while (p < end)
        {
            ulong key = Varint(b, ref p);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, 0, 0, Varint(b, ref p)); break;
                case 1: yield return (field, wire, 0, 0, BitConverter.ToUInt64(b, p)); p += 8; break;
                case 2:
                    int length = checked((int)Varint(b, ref p));
                    if (length < 0 || p + length > end) throw new IndexOutOfRangeException();
                    yield return (field, wire, p, length, 0);
                    p += length;
                    break;
                case 5: yield return (field, wire, 0, 0, BitConverter.ToUInt32(b, p)); p += 4; break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {wire} at byte {p}.");
            }
        }
    }

    static ulong Varint(byte[] b, ref int p)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte x = b[p++];
            result |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) return result;
        }
        throw new InvalidDataException("A protobuf varint is longer than 10 bytes.");
    }
}
