"""Chip and LoRA settings: the C# ChipSpec / LoraSpec records (Targets/Hardware/Specs.cs) with the same fields in
snake_case. The fields, their defaults, which rule guards each, the rules' texts and the message of a broken one are
not written here: they come from _generated.py, which the C# writes (Runtime/Simulator/PythonFacts.cs), so the two
sides cannot differ. Only each rule's predicate is Python; tests/test_shared.py holds it to the C# answers."""
from __future__ import annotations

import dataclasses
import math

from ._generated import (CHIP_FIELDS, DEFINED_REQUIREMENT, ENUMS, LORA_FIELDS, MAX_CONVERTER_BITS, REQUIREMENTS,
                         VIOLATION)

BOUND_MANAGEMENT = ENUMS["bound_management"][1]
NOISE_MANAGEMENT = ENUMS["noise_management"][1]
DEVICES = ENUMS["device"][1]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# HardwareRules' predicates by the names the generated tables use (an int field takes ints only, as C# types it).
RULES = {
    "positive": lambda v: _is_int(v) and v > 0,
    "converter_bits": lambda v: _is_int(v) and 0 <= v <= MAX_CONVERTER_BITS,
    "greater_than_zero": lambda v: _is_number(v) and v > 0 and math.isfinite(v),
    "at_least_zero": lambda v: _is_number(v) and v >= 0 and math.isfinite(v),
    "at_least_one": lambda v: _is_number(v) and v >= 1 and math.isfinite(v),
    "lora_rank": lambda v: _is_int(v) and v >= 1,
    "lora_dropout": lambda v: _is_number(v) and 0 <= v < 1,
}


def format_value(value) -> str:
    """A value as the C# messages show it (HardwareRules.Format: invariant, round-trip "R"): 512, 0.5, 1E+30, NaN."""
    if _is_int(value):
        return str(value)
    if not isinstance(value, float):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" not in text and abs(value) >= 1e15:
        # .NET switches to an exponent at 1E+15, Python's repr only at 1e+16.
        digits = str(int(abs(value))).rstrip("0") or "0"
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        text = ("-" if value < 0 else "") + mantissa + "e+" + str(len(str(int(abs(value)))) - 1)
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return mantissa
    sign, digits = (exponent[0], exponent[1:]) if exponent[0] in "+-" else ("+", exponent)
    return mantissa + "E" + sign + digits.rjust(2, "0")


def violation(name: str, value, requirement: str) -> ValueError:
    return ValueError(VIOLATION.format(name, format_value(value), requirement))


def _check(owner: str, instance, fields):
    for name, _, _, _, rule in fields:
        value = getattr(instance, name)
        if rule == "defined":
            type_name, names = ENUMS[name]
            if value not in names:
                raise violation(f"{owner}.{name}", value, DEFINED_REQUIREMENT.format(type_name) + " (" + ", ".join(names) + ")")
        elif not RULES[rule](value):
            raise violation(f"{owner}.{name}", value, REQUIREMENTS[rule])


def _spec_class(name: str, fields, doc: str, methods: dict):
    """A frozen dataclass with the generated fields and defaults, in the C# record's order."""
    cls = dataclasses.make_dataclass(name, [(f, t, dataclasses.field(default=d)) for f, _, t, d, _ in fields],
                                     namespace=dict(methods, __doc__=doc), frozen=True)
    cls.__module__ = __name__
    return cls


def _chip_from_dict(cls, values: dict):
    """From snake_case or C# (PascalCase / camelCase) names, enums as C# names or numbers
    (BoundManagement.Iterative = 1, NoiseManagement.AbsMax = 1, DeviceModel.PcmLike = 0)."""
    fields = {f.name for f in dataclasses.fields(cls)}
    result = {}
    for key, value in values.items():
        name = snake_case(key)
        if name not in fields:
            raise ValueError(f"ChipSpec has no field {key!r} (as {name!r})")
        if name in ENUMS:
            names = ENUMS[name][1]
            value = names[value] if _is_int(value) and 0 <= value < len(names) else snake_case(value) if isinstance(value, str) else value
        result[name] = value
    return cls(**result)


ChipSpec = _spec_class("ChipSpec", CHIP_FIELDS, "The analog chip: tile geometry, converters, noise and device settings.", {
    "__post_init__": lambda self: _check("ChipSpec", self, CHIP_FIELDS),
    "replace": lambda self, **changes: dataclasses.replace(self, **changes),
    "from_dict": classmethod(_chip_from_dict),
})

LoraSpec = _spec_class("LoraSpec", LORA_FIELDS, "A LoRA adapter: rank, alpha (scale alpha / rank) and dropout.", {
    "__post_init__": lambda self: _check("LoraSpec", self, LORA_FIELDS),
    "scale": property(lambda self: self.alpha / self.rank),
})


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
    if not RULES["converter_bits"](bits):
        raise violation("converter bits", bits, REQUIREMENTS["converter_bits"])
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
