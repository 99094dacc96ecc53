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

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.hugetlb=2", true)]
    [InlineData("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", true)]
    [InlineData("glibc.malloc.hugetlb=0", false)]
    [InlineData("glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0", false)]
    [InlineData("glibc.malloc.hugetlb_x=1", false)]
    [InlineData("xglibc.malloc.hugetlb=1", false)]
    public void HugePagesAreReadFromTheTunablesAsGlibcReadsThem(string? tunables, bool requested) =>
        Assert.Equal(requested, NativeAllocator.HugePagesRequested(tunables));

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

    [Fact]
    public void GivingBackFreeMemoryReleasesFreedHeapPagesBetweenLiveBlocks()
    {
        if (!IsGlibc()) return;
        const int Bytes = 4 << 20; // below the threshold: from a heap, not a mapping of its own
        // Every other block stays alive, so the freed ones sit between live ones, where free() keeps their pages.
        var blocks = Enumerable.Range(0, 8).Select(_ => ones(Bytes / sizeof(float))).ToList(); // written, so resident
        try
        {
            Assert.All(blocks, b => Assert.False(IsMappedChunk(Address(b)), "a 4 MiB block was mapped on its own: the threshold is not the policy's"));
            var freed = blocks.Where((_, i) => i % 2 == 0).ToList();
            blocks = blocks.Where((_, i) => i % 2 == 1).ToList();
            // The pages inside each freed block, away from glibc's headers at both ends.
            var ranges = freed.Select(b =>
            {
                long address = Address(b), first = (address + 2 * PageSize - 1) / PageSize * PageSize;
                return (First: first, Pages: (int)((address + Bytes - PageSize - first) / PageSize));
            }).ToList();
            foreach (var b in freed) b.Dispose();
            int before = ranges.Sum(r => ResidentPages(r.First, r.Pages)), all = ranges.Sum(r => r.Pages);
            Assert.True(before > all / 2, $"{all - before} of the freed blocks' {all} pages left before the trim: the test shows nothing");
            NativeAllocator.GiveBackFreeMemory();
            // What the process allocated since (the collector's finalizers, the runtime) may reuse a few of the pages.
            int after = ranges.Sum(r => ResidentPages(r.First, r.Pages));
            Assert.True(after < all / 8, $"{after} of the freed blocks' {all} pages are still resident after the trim ({before} before)");
        }
        finally
        {
            foreach (var b in blocks) b.Dispose();
        }
    }

    const int PageSize = 4096;

    /// <summary>How many of the pages from <paramref name="start"/> (page-aligned) are resident (mincore).</summary>
    static int ResidentPages(long start, int pages)
    {
        var vector = new byte[pages];
        Assert.Equal(0, mincore((nint)start, (nuint)(pages * (long)PageSize), vector));
        return vector.Count(b => (b & 1) != 0);
    }

    [DllImport("libc.so.6")]
    static extern int mincore(nint address, nuint length, byte[] vector);

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
