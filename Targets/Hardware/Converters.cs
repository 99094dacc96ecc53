namespace Ahwa.Hardware;

/// <summary>The DAC/ADC grid, used by the simulator (quantising) and the kernels (ADC code x step):
/// b bits give 2^b - 2 steps over [-bound, bound] (1 bit: one step, the two levels +-bound).</summary>
public static class Converters
{
    public static int Steps(int bits)
    {
        HardwareRules.Require(nameof(bits), bits, HardwareRules.ConverterBits(bits));
        return bits == 1 ? 1 : (1 << bits) - 2;
    }

    /// <summary>The value of one code step, rounded once to FP32.</summary>
    public static float Step(int bits, double bound) => (float)(2.0 * bound / Steps(bits));
}
