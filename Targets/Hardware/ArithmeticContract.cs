using System.Collections.Generic;

namespace Ahwa.Hardware;

/// <summary>The compiler flags docs/arithmetic-contract.md requires of every build of the C kernels: the one list
/// the kernel toolchain and the generated Makefile both read.</summary>
public static class ArithmeticContract
{
    /// <summary>C99, and no fusing of multiplies and adds beyond the explicit <c>fmaf</c> calls.</summary>
    public static IReadOnlyList<string> CompilerFlags { get; } = new[] { "-std=c99", "-ffp-contract=off" };

    /// <summary>rv64gc with Zfh: the FP16 conversions are the hardware's <c>fcvt</c>, which the contract matches.</summary>
    public static IReadOnlyList<string> Rv64Flags { get; } = new[] { "-march=rv64gc_zfh", "-mabi=lp64d" };

    /// <summary>rv32imafc bare metal: single-precision F with hardware FP32 registers; FP16 in integer code.</summary>
    public static IReadOnlyList<string> Rv32Flags { get; } = new[] { "-march=rv32imafc", "-mabi=ilp32f" };
}
