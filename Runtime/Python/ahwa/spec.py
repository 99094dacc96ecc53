"""Chip and LoRA settings: the C# ChipSpec / LoraSpec records (Targets/Hardware/Specs.cs) with the same
fields in snake_case and the defaults of shared/design/HARDWARE-MODEL.md."""
from __future__ import annotations

import dataclasses
import math

BOUND_MANAGEMENT = ("none", "iterative")
NOISE_MANAGEMENT = ("none", "abs_max")
DEVICES = ("pcm_like", "gaussian")


@dataclasses.dataclass(frozen=True)
class ChipSpec:
    tile_rows: int = 512
    tile_cols: int = 512
    tiles: int = 1024
    dac_bits: int = 8
    adc_bits: int = 8
    output_bound: float = 12.0
    output_noise: float = 0.04
    weight_noise: float = 0.067
    weight_clip_sigma: float = 3.0
    bound_management: str = "iterative"
    bound_management_limit: float = 1000.0
    noise_management: str = "abs_max"
    device: str = "pcm_like"
    g_max_micro_siemens: float = 25.0

    def __post_init__(self):
        def bad(field, value, rule):
            raise ValueError(f"ChipSpec.{field} = {value!r}: {rule}")
        for field in ("tile_rows", "tile_cols", "tiles"):
            if not isinstance(getattr(self, field), int) or getattr(self, field) <= 0:
                bad(field, getattr(self, field), "must be a positive integer")
        for field in ("dac_bits", "adc_bits"):
            value = getattr(self, field)
            if not isinstance(value, int) or not 0 <= value <= 16:
                bad(field, value, "converter resolution must be 0 (ideal) or between 1 and 16 bits")
        if not (self.output_bound > 0 and math.isfinite(self.output_bound)):
            bad("output_bound", self.output_bound, "must be positive and finite")
        for field in ("output_noise", "weight_noise", "weight_clip_sigma"):
            value = getattr(self, field)
            if not (value >= 0 and math.isfinite(value)):
                bad(field, value, "must be >= 0 and finite")
        if not (self.bound_management_limit >= 1 and math.isfinite(self.bound_management_limit)):
            bad("bound_management_limit", self.bound_management_limit, "must be >= 1 and finite")
        if self.bound_management not in BOUND_MANAGEMENT:
            bad("bound_management", self.bound_management, f"must be one of {BOUND_MANAGEMENT}")
        if self.noise_management not in NOISE_MANAGEMENT:
            bad("noise_management", self.noise_management, f"must be one of {NOISE_MANAGEMENT}")
        if self.device not in DEVICES:
            bad("device", self.device, f"must be one of {DEVICES}")
        if not (self.g_max_micro_siemens > 0 and math.isfinite(self.g_max_micro_siemens)):
            bad("g_max_micro_siemens", self.g_max_micro_siemens, "must be positive and finite")

    def replace(self, **changes) -> "ChipSpec":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, values: dict) -> "ChipSpec":
        """From snake_case or C# (PascalCase / camelCase) names, enums as C# names or numbers
        (BoundManagement.Iterative = 1, NoiseManagement.AbsMax = 1, DeviceModel.PcmLike = 0)."""
        fields = {f.name for f in dataclasses.fields(cls)}
        enums = {"bound_management": BOUND_MANAGEMENT, "noise_management": NOISE_MANAGEMENT, "device": DEVICES}
        result = {}
        for key, value in values.items():
            name = snake_case(key)
            if name not in fields:
                raise ValueError(f"ChipSpec has no field {key!r} (as {name!r})")
            if name in enums:
                value = enums[name][value] if isinstance(value, int) else snake_case(value)
            result[name] = value
        return cls(**result)


@dataclasses.dataclass(frozen=True)
class LoraSpec:
    rank: int = 8
    alpha: float = 32.0
    dropout: float = 0.1

    def __post_init__(self):
        if not isinstance(self.rank, int) or self.rank <= 0:
            raise ValueError(f"LoraSpec.rank = {self.rank!r}: must be a positive integer")
        if not (self.alpha > 0 and math.isfinite(self.alpha)):
            raise ValueError(f"LoraSpec.alpha = {self.alpha!r}: must be positive and finite")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"LoraSpec.dropout = {self.dropout!r}: must be in [0, 1)")

    @property
    def scale(self) -> float:
        return self.alpha / self.rank


def snake_case(name: str) -> str:
    """PascalCase / camelCase to snake_case as LayerNaming.FromPropertyName does (GMaxMicroSiemens -> g_max_micro_siemens)."""
    out = []
    for i, c in enumerate(name):
        if c.isupper():
            prev_lower = i > 0 and (name[i - 1].islower() or name[i - 1].isdigit())
            acronym_end = i > 0 and name[i - 1].isupper() and i + 1 < len(name) and name[i + 1].islower()
            if prev_lower or acronym_end:
                out.append("_")
            out.append(c.lower())
        else:
            out.append(c)
    return "".join(out)


def converter_steps(bits: int) -> int:
    """Intervals between -bound and +bound (Converters.cs): 2^b - 2, one for 1 bit, none (0) for an ideal converter."""
    if not isinstance(bits, int) or not 0 <= bits <= 16:
        raise ValueError(f"converter resolution {bits!r} must be 0 (ideal) or between 1 and 16 bits")
    return 0 if bits == 0 else 1 if bits == 1 else (1 << bits) - 2


def converter_step(bits: int, bound: float) -> float:
    """One code step, rounded once to FP32 as Converters.Step does; 0.0 for an ideal converter (no grid)."""
    import numpy as np
    steps = converter_steps(bits)
    return 0.0 if steps == 0 else float(np.float32(2.0 * bound / steps))


def split(size: int, maximum: int) -> list:
    """Balanced tile splitting (TileSplitting.cs): n = ceil(size / max) blocks, the first size mod n one larger.
    Returns (start, size) pairs."""
    if size <= 0:
        raise ValueError(f"dimension to split must be positive, got {size}")
    if maximum <= 0:
        raise ValueError(f"tile dimension must be positive, got {maximum}")
    count = -(-size // maximum)
    base, larger = divmod(size, count)
    blocks, start = [], 0
    for i in range(count):
        n = base + (1 if i < larger else 0)
        blocks.append((start, n))
        start += n
    return blocks
