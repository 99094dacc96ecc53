using System;

namespace Ahwa.Hardware;

/// <summary>The DAC/ADC grid, used by the simulator (quantising) and the kernels (ADC code x step):
/// b bits give 2^b - 2 steps over [-bound, bound] (1 bit: one step, the two levels +-bound).</summary>
public static class Converters
{
    /// <summary>Bits of an ideal converter: values pass unquantised, clipped at the bound.</summary>
    public const int IdealBits = 0;

    public static int Steps(int bits)
    {
        HardwareRules.Require(nameof(bits), bits, HardwareRules.ConverterBits(bits));
        if (bits == IdealBits) throw new ArgumentOutOfRangeException(nameof(bits), bits, "An ideal converter (0 bits) has no code grid: give it 1 to 16 bits where codes are needed (the LoRA kernels take ADC codes).");
        return bits == 1 ? 1 : (1 << bits) - 2;
    }

    /// <summary>The value of one code step, rounded once to FP32.</summary>
    public static float Step(int bits, double bound) => (float)(2.0 * bound / Steps(bits));
}
