"""Device models, mirroring Runtime/Simulator/Devices: how a conductance comes out of programming and evolves after.
The coefficients and the registry's names come from _generated.py (written from the C#); a model's chip names its
device (ChipSpec.device, C#'s [AnalogChip(Device = ...)]) and device_model() is the one place that picks it.
Conductances in uS, float64 tensors; `draw(purpose)` gives standard normals of the target's shape for a purpose."""
from __future__ import annotations

import math
from typing import Callable

import torch

from ._generated import (DEVICE_MODELS, GAUSSIAN_RELATIVE_STD, PCM_DRIFT_MEAN, PCM_DRIFT_STD, PCM_MIN_RELATIVE,
                         PCM_PROGRAMMING_NOISE, PCM_READ_NOISE, PCM_T0, PCM_T_READ, UNKNOWN_DEVICE, Purpose)

Draw = Callable[[Purpose], torch.Tensor]


def programming_std(g, g_max):
    c0, c1, c2 = PCM_PROGRAMMING_NOISE
    x = g.abs() / g_max
    return c0 + c1 * x - c2 * x * x


def _relative(g, g_max):
    return (g.abs() / g_max).clamp_min(PCM_MIN_RELATIVE)


def drift_mean(g, g_max):
    slope, offset, low, high = PCM_DRIFT_MEAN
    return (slope * torch.log(_relative(g, g_max)) + offset).clamp(low, high)


def drift_std(g, g_max):
    slope, offset, low, high = PCM_DRIFT_STD
    return (slope * torch.log(_relative(g, g_max)) - offset).clamp(low, high)


def read_noise_std(g_prog, seconds, g_max):
    scale, exponent, floor, cap = PCM_READ_NOISE
    level = (scale / ((g_prog.abs() / g_max) ** exponent).clamp_min(floor)).clamp_max(cap)
    return level * math.sqrt(math.log((seconds + PCM_T0 + PCM_T_READ) / (2 * PCM_T_READ)))


class PcmLikeDevice:
    """aihwkit's PCM-like model: state-dependent programming noise, a per-device drift exponent, power-law drift from
    t0 and 1/f read noise (PcmLikeDevice.cs)."""

    def __init__(self, g_max: float):
        self.g_max = float(g_max)

    def program(self, target: torch.Tensor, draw: Draw):
        """(programmed conductance, drift exponent), float32."""
        programmed = (target + programming_std(target, self.g_max) * draw(Purpose.PROGRAMMING)).clamp_min(0).float()
        nu = (drift_mean(target, self.g_max) + drift_std(target, self.g_max) * draw(Purpose.DRIFT)).abs().float()
        return programmed, nu

    def read(self, programmed: torch.Tensor, nu: torch.Tensor, seconds: float, draw: Draw) -> torch.Tensor:
        drifted = programmed * torch.exp(-nu * math.log((seconds + PCM_T0) / PCM_T0)) if seconds > 0 else programmed
        noise = draw(Purpose.READ_NOISE)
        return (drifted + drifted.abs() * read_noise_std(programmed, seconds, self.g_max) * noise).clamp_min(0).float()


class GaussianDevice:
    """State-independent Gaussian programming noise (a fraction of g_max), no drift, no read noise (GaussianDevice.cs)."""

    def __init__(self, g_max: float, relative_std: float = GAUSSIAN_RELATIVE_STD):
        self.g_max, self.relative_std = float(g_max), float(relative_std)

    def program(self, target: torch.Tensor, draw: Draw):
        programmed = (target + self.relative_std * self.g_max * draw(Purpose.PROGRAMMING)).clamp_min(0).float()
        return programmed, torch.zeros_like(programmed)

    def read(self, programmed: torch.Tensor, nu: torch.Tensor, seconds: float, draw: Draw) -> torch.Tensor:
        return programmed.float()


# The registry: the C# DeviceModels' names (DEVICE_MODELS) to their models; a test holds the two to one list.
REGISTRY = {"pcm_like": PcmLikeDevice, "gaussian": GaussianDevice}


def device_model(chip):
    """The device the chip declares, with its g_max; a device without a model here is an error, never a fallback."""
    model = REGISTRY.get(chip.device) if chip.device in DEVICE_MODELS else None
    if model is None:
        raise ValueError(UNKNOWN_DEVICE.format(repr(chip.device), ", ".join(DEVICE_MODELS)))
    return model(chip.g_max_micro_siemens)
