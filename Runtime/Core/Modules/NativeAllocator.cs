using System;
using System.Runtime.InteropServices;

namespace Ahwa.Runtime;

/// <summary>
/// How LibTorch's CPU tensors are given back to the system. LibTorch allocates them with the C library's malloc. On
/// glibc a block above the mmap threshold (128 KiB at start) is mapped on its own and unmapped when freed, but every
/// such free raises the threshold to the freed block's size (up to 32 MiB): after the first training step, the
/// activations of a SQuAD batch (9 to 37 MiB each at 32 x 192 tokens) come from the heap arenas, and freed arena memory
/// stays resident, fragmented between blocks still in use (a quick SQuAD run grew to 9.8 GB). A fixed threshold of
/// <see cref="MmapThreshold"/> keeps every block from there up a mapping of its own, returned when the tensor is
/// disposed; smaller ones stay in the arenas, where reuse costs no page faults. Measured (one full-AHWA SQuAD phase,
/// peak resident): 5.9 GB with glibc's policy or a 16 MiB threshold, 3.7 GB with 8 MiB or 1 MiB; but 1 MiB also maps
/// the per-step weight-sized tensors of every layer (2.4 MiB for MiniLM's FFN) and made the smoke run's training about
/// 30 % slower (page faults). Even 8 MiB costs the main job's default sentences (48 tokens: 9.4 MiB FFN activations,
/// mapped fresh every step) about 18 % of a training step (alternating runs: 1.24-1.38 against 1.51-1.67 steps/s),
/// where memory is no problem; so a program opts in where its activations are large (the main job from 128 tokens),
/// rather than every model. Numbers do not change: only where the bytes live.
/// </summary>
public static class NativeAllocator
{
    /// <summary>Blocks of at least this many bytes are mapped on their own (8 MiB).</summary>
    public const int MmapThreshold = 8 << 20;

    const int M_MMAP_THRESHOLD = -3;

    static readonly Lazy<bool> applied = new(Apply);

    /// <summary>Sets the policy once per process, for good (call it before the large tensors); true where it took
    /// effect (Linux with glibc), false elsewhere (other C libraries, other systems).</summary>
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

    /// <summary>The glibc tunable (GLIBC_TUNABLES) that has malloc ask the kernel for transparent huge pages on its
    /// mappings and heaps. Under the fixed threshold each large block is a fresh mapping, and in 4 KiB pages its faults
    /// took most of an evaluation of long sequences: SQuAD's windows (64 of 192 tokens) on programmed tiles read 490-615
    /// tokens/s with 2.3 M minor faults a batch, 2,035 tokens/s with 0.14 M in huge pages (docs/benchmarks.md). glibc reads
    /// it only at process start, so it cannot be set from here: run-main.sh exports it.</summary>
    public const string HugePagesTunable = "glibc.malloc.hugetlb";

    /// <summary>Whether <paramref name="tunables"/> (GLIBC_TUNABLES' value, entries joined by colons) turns huge pages
    /// on: <see cref="HugePagesTunable"/> at 1 (transparent huge pages) or 2 (reserved huge pages); the last entry wins, as in glibc.</summary>
    public static bool HugePagesRequested(string? tunables)
    {
        string? value = null;
        foreach (var entry in (tunables ?? "").Split(':'))
            if (entry.StartsWith(HugePagesTunable + "=", StringComparison.Ordinal)) value = entry[(HugePagesTunable.Length + 1)..];
        return value is "1" or "2";
    }

    /// <summary>Whether this process started with glibc's huge pages turned on (<see cref="HugePagesRequested"/>).</summary>
    public static bool HugePages => HugePagesRequested(Environment.GetEnvironmentVariable("GLIBC_TUNABLES"));

    /// <summary>Gives the free pages inside the C library's heaps back to the system (<see cref="GiveBackFreeHeapPages"/>),
    /// and before that lets the managed heap release what it holds, large objects included. Blocks below the threshold are freed
    /// into the heaps, where their pages stay resident between blocks still in use: a SQuAD run's drift sweep left 1.5 GB
    /// of them under its full-AHWA training. Call it between the phases of a program, not per step (it walks every heap).
    /// True where glibc released memory; false where it had none to give or on other C libraries.</summary>
    public static bool GiveBackFreeMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        GC.WaitForPendingFinalizers(); // undisposed tensors free their native memory in their finalizers
        GC.Collect();
        return GiveBackFreeHeapPages();
    }

    /// <summary>glibc's malloc_trim alone, without the managed collection: cheap enough after every training step of a
    /// long-sequence run (milliseconds against steps of seconds), where the heaps otherwise keep each step's freed
    /// pages and grow from step to step (a quick SQuAD run's full AHWA: 3.5 to 4.1 GB over its first steps).</summary>
    public static bool GiveBackFreeHeapPages()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return malloc_trim(0) == 1;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    static extern int malloc_trim(nuint pad);

    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    static extern int mallopt(int parameter, int value);
}
