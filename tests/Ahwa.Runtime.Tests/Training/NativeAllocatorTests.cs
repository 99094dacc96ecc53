using System;
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
        // A larger block freed first: under glibc's default policy it raises the mmap threshold above the next block,
        // which would then come from a heap and stay resident after its free (the state of every training step).
        using (var large = ones(5L << 20)) Assert.Equal(5L << 20, large.sum().item<float>());
        long address;
        using (var activation = ones(32 * 192, 384)) // one layer's activation of a SQuAD batch: 9 MiB
        {
            address = Address(activation);
            Assert.True(IsMapped(address));
        }
        Assert.False(IsMapped(address), $"the 9 MiB of a disposed tensor at 0x{address:x} are still mapped: freed activations stay resident");
    }

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
