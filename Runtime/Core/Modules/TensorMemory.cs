using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace Ahwa.Runtime;

/// <summary>Direct access to the memory of contiguous CPU float tensors, for the managed passes of the hardware-aware
/// forward (noise, converters, bound management in one pass over each row instead of a chain of tensor calls).</summary>
static unsafe class TensorMemory
{
    /// <summary>The first element of <paramref name="tensor"/>, which must be a contiguous CPU float32 tensor that
    /// outlives every use of the pointer.</summary>
    public static float* Floats(Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous() || tensor.device_type != TorchSharp.DeviceType.CPU)
            throw new ArgumentException($"Expected a contiguous CPU float32 tensor, got {tensor.dtype} on {tensor.device_type} (contiguous: {tensor.is_contiguous()}).", nameof(tensor));
        return tensor.numel() == 0 ? null : (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }

    /// <summary>Runs <paramref name="body"/>(first, end) over [0, count) in chunks of at least <paramref name="grain"/>
    /// items, in parallel when there is more than one chunk. Every item's result depends only on the item, so the
    /// split never changes a number.</summary>
    public static void ForRanges(int count, int grain, Action<int, int> body)
    {
        int chunks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, count / Math.Max(1, grain)));
        if (chunks <= 1)
        {
            body(0, count);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, chunk =>
        {
            int first = (int)((long)count * chunk / chunks), end = (int)((long)count * (chunk + 1) / chunks);
            body(first, end);
        });
    }
}
