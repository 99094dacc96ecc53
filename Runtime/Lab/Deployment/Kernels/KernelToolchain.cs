using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ahwa.Hardware;
using Ahwa.Lab.Tools;

namespace Ahwa.Lab.Kernels;

/// <summary>Where generated kernels are built and run.</summary>
public enum KernelTarget
{
    /// <summary>The host's gcc with AddressSanitizer and UBSan; cores are threads.</summary>
    Host = 0,
    /// <summary>riscv64-linux-gnu-gcc, rv64gc with Zfh, static, under qemu-riscv64; cores are threads.</summary>
    Rv64 = 1,
    /// <summary>riscv64-unknown-elf-gcc, rv32imafc bare metal with picolibc, under qemu-system-riscv32 with
    /// semihosting; cores run in turn.</summary>
    Rv32 = 2,
}

/// <summary>A tool the kernel checks need is not installed.</summary>
public sealed class ToolchainMissingException : Exception
{
    public ToolchainMissingException(string message) : base(message) { }
}

/// <summary>How to compile and run C for one target, with the flags the arithmetic contract requires
/// (<see cref="ArithmeticContract.CompilerFlags"/>: only explicit fmaf is fused) and warnings as errors.</summary>
public sealed class KernelToolchain
{
    static readonly string[] Common = Concat(ArithmeticContract.CompilerFlags.ToArray(), "-O2", "-Wall", "-Wextra", "-Werror");

    KernelToolchain(KernelTarget target, string compiler, string[] flags, string[] packages)
    {
        Target = target;
        Compiler = compiler;
        Flags = flags;
        Packages = packages;
    }

    public KernelTarget Target { get; }
    public string Compiler { get; }
    public IReadOnlyList<string> Flags { get; }
    /// <summary>Debian packages that provide the compiler and the emulator.</summary>
    public IReadOnlyList<string> Packages { get; }

    public static KernelToolchain For(KernelTarget target, bool threads = true) => target switch
    {
        // -O0 on the host: the sanitizer build is there to catch memory errors and undefined behaviour, which it
        // sees best unoptimised, and it compiles in less than half the time of -O1 (a test bench of 100 kernel files:
        // 6 against 14 CPU seconds). The contract's results do not depend on the level; the RISC-V targets check -O2.
        KernelTarget.Host => new(target, "gcc",
            Concat(Common, "-O0", "-fsanitize=address,undefined", "-fno-sanitize-recover=all", threads ? "-DAHWA_THREADS" : "-UAHWA_THREADS", "-pthread"),
            new[] { "gcc" }),
        KernelTarget.Rv64 => new(target, "riscv64-linux-gnu-gcc",
            Concat(Concat(Common, ArithmeticContract.Rv64Flags.ToArray()), "-static", threads ? "-DAHWA_THREADS" : "-UAHWA_THREADS", "-pthread"),
            new[] { "gcc-riscv64-linux-gnu", "qemu-user" }),
        KernelTarget.Rv32 => new(target, "riscv64-unknown-elf-gcc",
            Concat(Concat(Common, ArithmeticContract.Rv32Flags.ToArray()), "--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost",
                "-Wl,--defsym=__flash=0x80000000", "-Wl,--defsym=__flash_size=0x1000000",
                "-Wl,--defsym=__ram=0x81000000", "-Wl,--defsym=__ram_size=0x6000000"),
            new[] { "gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf", "qemu-system-misc" }),
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown kernel target."),
    };

    /// <summary>The emulator (or nothing for the host) and its arguments for running <paramref name="program"/>.</summary>
    public (string File, string Arguments) Runner(string program, string? traceLog = null) => Target switch
    {
        KernelTarget.Host => (program, ""),
        KernelTarget.Rv64 => ("qemu-riscv64", (traceLog is null ? "" : $"-singlestep -d nochain,exec -D \"{traceLog}\" ") + $"-cpu rv64,Zfh=true \"{program}\""),
        _ => ("qemu-system-riscv32", $"-M virt -bios none -kernel \"{program}\" -nographic -semihosting-config enable=on,target=native -monitor none -serial none"),
    };

    /// <summary>Throws a <see cref="ToolchainMissingException"/> naming the packages to install when a tool is missing.</summary>
    public void EnsureInstalled()
    {
        var missing = new List<string>();
        if (!Processes.OnPath(Compiler)) missing.Add(Compiler);
        var emulator = Runner("x").File;
        if (Target != KernelTarget.Host && !Processes.OnPath(emulator)) missing.Add(emulator);
        if (missing.Count > 0)
            throw new ToolchainMissingException($"{string.Join(" and ", missing)} not found for the {Target} kernel target; install the Debian packages: apt-get install {string.Join(" ", Packages)}");
    }

    /// <summary>Compiles <paramref name="units"/> in <paramref name="directory"/> into <paramref name="output"/>: each
    /// unit, on all cores, to one object, then links them. A unit of one file compiles it; a unit of several is one
    /// translation unit of those files in order (gcc's <c>-include</c> on an empty main file, so no C is written).</summary>
    public void Compile(string directory, IReadOnlyList<IReadOnlyList<string>> units, string output, IEnumerable<string>? extraFlags = null)
    {
        var flags = new List<string>(Flags);
        if (extraFlags is not null) flags.AddRange(extraFlags);
        var objects = new List<string>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        for (int i = 0; i < units.Count; i++)
            objects.Add(units[i].Count == 1 ? Path.ChangeExtension(units[i][0], ".o") : $"ahwa_unit_{i}.o");
        System.Threading.Tasks.Parallel.For(0, units.Count, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var arguments = new List<string>(flags) { "-c" };
            if (units[i].Count == 1) arguments.Add(units[i][0]);
            else
            {
                arguments.AddRange(new[] { "-x", "c", "/dev/null" });
                foreach (var source in units[i]) arguments.AddRange(new[] { "-include", source });
            }
            arguments.AddRange(new[] { "-o", objects[i] });
            var (code, stdout, stderr) = Processes.Run(Compiler, arguments, directory, TimeSpan.FromMinutes(5));
            if (code != 0) failures.Add($"{string.Join(", ", units[i])}:\n{stderr}{stdout}");
        });
        if (!failures.IsEmpty)
            throw new InvalidOperationException($"{Compiler} failed in {directory}:\n{string.Join("\n", failures)}");
        var link = new List<string>(flags);
        link.AddRange(objects);
        link.AddRange(new[] { "-o", output, "-lm" });
        var (linkCode, linkOut, linkErr) = Processes.Run(Compiler, link, directory, TimeSpan.FromMinutes(5));
        if (linkCode != 0)
            throw new InvalidOperationException($"{Compiler} could not link in {directory} (exit code {linkCode}):\n{linkErr}{linkOut}");
    }

    static string[] Concat(string[] first, params string[] rest)
    {
        var all = new string[first.Length + rest.Length];
        first.CopyTo(all, 0);
        rest.CopyTo(all, first.Length);
        return all;
    }
}
