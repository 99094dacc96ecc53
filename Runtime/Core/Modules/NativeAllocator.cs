using System;
using System.Runtime.InteropServices;

namespace Ahwa.Runtime;

/// <summary>
/// How LibTorch's CPU tensors are given back to the system. LibTorch allocates them with the C library's malloc. On
/// glibc a block above the mmap threshold (128 KiB at start) is mapped on its own and unmapped when freed, but every
/// such free raises the threshold to the freed block's size (up to 32 MiB): after the first training step, the
/// activations of a SQuAD batch (9 to 37 MiB each at 32 x 192 tokens) come from the heap arenas, and freed arena memory
/// stays resident, fragmented between blocks still in use. The process then holds the largest step's peak plus the
/// fragmentation of every phase after it (a quick SQuAD run grew to 9.8 GB; a full-AHWA step alone peaked at 6.1 GB
/// resident, 4.2 GB with large blocks returned). A fixed threshold of <see cref="MmapThreshold"/> keeps every large tensor a mapping
/// of its own, returned when the tensor is disposed; small tensors stay in the arenas. Numbers do not change: only
/// where the bytes live.
/// </summary>
public static class NativeAllocator
{
    /// <summary>Blocks of at least this many bytes are mapped on their own (1 MiB).</summary>
    public const int MmapThreshold = 1 << 20;

    const int M_MMAP_THRESHOLD = -3;

    static readonly Lazy<bool> applied = new(Apply);

    /// <summary>Sets the policy once per process (every <see cref="AhwaModuleBase"/> does it before its first tensor);
    /// true where it took effect (Linux with glibc), false elsewhere (other C libraries, other systems).</summary>
    public static bool ReturnLargeBlocks() => applied.Value;

    static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries: no mallopt, their own policy
        }
    }

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int mallopt(int parameter, int value);
}
