using System;
using System.Linq;
using Ahwa.Dsl;
using Ahwa.Hardware;

namespace Ahwa.Simulator;

/// <summary>The one registry from a declared <see cref="DeviceModel"/> (the model's <c>[AnalogChip(Device = ...,
/// GMaxMicroSiemens = ...)]</c>) to the device that simulates it. The PyTorch package's registry
/// (ahwa/devices.py) has the same names; a test holds the two to one list.</summary>
public static class DeviceModels
{
    /// <summary>The message for a device no registry entry knows: {0} the device, {1} the known ones.</summary>
    public const string UnknownDeviceMessage = "Device model {0} is unknown; the known device models are {1}.";

    /// <summary>Every device model this registry simulates, in the enum's order.</summary>
    public static DeviceModel[] Known { get; } = { DeviceModel.PcmLike, DeviceModel.Gaussian };

    /// <summary>The device the chip declares, with its g_max.</summary>
    public static IDeviceModel For(ChipSpec chip)
    {
        if (chip is null) throw new ArgumentNullException(nameof(chip));
        return For(chip.Device, chip.GMaxMicroSiemens);
    }

    public static IDeviceModel For(DeviceModel device, double gMaxMicroSiemens) => device switch
    {
        DeviceModel.PcmLike => new PcmLikeDevice(gMaxMicroSiemens),
        DeviceModel.Gaussian => new GaussianDevice(gMaxMicroSiemens),
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, string.Format(System.Globalization.CultureInfo.InvariantCulture,
            UnknownDeviceMessage, device, string.Join(", ", Known.Select(k => k.ToString())))),
    };
}
