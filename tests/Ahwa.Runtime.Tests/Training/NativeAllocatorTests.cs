using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests.Training;

/// <summary>The memory of a disposed large tensor leaves the process (<see cref="NativeAllocator"/>): without it, glibc
/// keeps freed activations in its heaps after the first large free, and a SQuAD run at 192 tokens held 9.8 GB. The check
/// is where the bytes were, not how many: the tensor's pages are unmapped once it is disposed.</summary>
[Collection(nameof(NativeMemoryCollection))]
public sealed class NativeAllocatorTests
{
    [Fact]
    public void ThePolicyTakesEffectOnGlibc()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/maps")) return; // other systems keep their own allocator's policy
        Assert.True(NativeAllocator.ReturnLargeBlocks());
    }

    [Fact]
    public void ADisposedActivationSizedTensorIsUnmapped()
    {
        if (!IsGlibc()) return;
        using var model = new TinyClassifier(1);
        // A larger block freed first: under glibc's default policy it raises the mmap threshold above the next blocks,
        // which then come from a heap and stay resident after their free (the state of every training step).
        using (var large = ones(5L << 20)) Assert.Equal(5L << 20, large.sum().item<float>());
        // Free space the process already holds in its heaps (this test shares its process with the others) serves a
        // request first, under any policy; new memory for a block from 8 MiB up must be a mapping of its own.
        var held = new List<Tensor>();
        try
        {
            Tensor? mapped = null;
            for (int attempt = 0; attempt < 32 && mapped is null; attempt++)
            {
                var activation = empty(32 * 192, 384); // one layer's activation of a SQuAD batch: 9 MiB
                held.Add(activation);
                if (IsMappedChunk(Address(activation))) mapped = activation;
            }
            Assert.True(mapped is not null, "32 blocks of 9 MiB all came from the C library's heaps: freed activations stay resident");
            long address = Address(mapped!);
            held.Remove(mapped!);
            mapped!.Dispose();
            Assert.False(IsMapped(address), $"the 9 MiB of a disposed tensor at 0x{address:x} are still mapped");
        }
        finally
        {
            foreach (var tensor in held) tensor.Dispose();
        }
    }

    /// <summary>glibc's mark on a block mapped on its own: bit 1 (IS_MMAPPED) of the chunk's size word, the 8 bytes
    /// before the block (also for LibTorch's 64-byte aligned blocks, whose header glibc moves with them).</summary>
    static bool IsMappedChunk(long address) => (Marshal.ReadInt64((nint)(address - 8)) & 2) != 0;

    /// <summary>Where the tensor's first byte is.</summary>
    static long Address(Tensor tensor) => Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(tensor.bytes));

    static bool IsGlibc() => OperatingSystem.IsLinux() && File.Exists("/proc/self/maps") && NativeAllocator.ReturnLargeBlocks();

    static bool IsMapped(long address) => File.ReadLines("/proc/self/maps").Any(line =>
    {
        var range = line.Split(' ')[0].Split('-');
        long start = long.Parse(range[0], NumberStyles.HexNumber), end = long.Parse(range[1], NumberStyles.HexNumber);
        return address >= start && address < end;
    });
}

/// <summary>Mappings are process-wide: these tests run alone.</summary>
[CollectionDefinition(nameof(NativeMemoryCollection), DisableParallelization = true)]
public sealed class NativeMemoryCollection;
