"""AnalogLinear and the training-time hardware-aware forward, mirroring Runtime/Core/Modules/HardwareAwareForward.cs,
AnalogLinear.cs, LoraBranch.cs and AhwaLinear.cs in formula and order."""
from __future__ import annotations

import math
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .noise import seeded_for
from .seeds import Purpose, generator
from .spec import ChipSpec, LoraSpec, converter_step, converter_steps, split

MODES = ("digital", "hardware_aware", "programmed")


def quantize(value: torch.Tensor, step: float, bound: float, sign: bool) -> torch.Tensor:
    """Clamp to [-bound, bound] and round half to even onto the grid (step 0: an ideal converter, clamp only); the
    gradient passes straight through (identity inside the bound, zero outside, as the clamp gives)."""
    clamped = value.clamp(-bound, bound)
    if step == 0 and not sign:
        return clamped
    with torch.no_grad():
        delta = clamped.sign() * bound if sign else torch.round(clamped / step) * step
        delta = delta - clamped
    return clamped + delta


def clip_limit(weight: torch.Tensor, chip: ChipSpec) -> float:
    """k standard deviations (unbiased, as TorchSharp's std) of the layer's weights, in FP32 as the C# computes it;
    no clipping for a constant layer."""
    limit = np.float32(weight.detach().float().std().item()) * np.float32(chip.weight_clip_sigma)
    return float(limit) if limit > 0 and np.isfinite(limit) else float(np.finfo(np.float32).max)


def clip(weight: torch.Tensor, chip: ChipSpec) -> torch.Tensor:
    limit = clip_limit(weight, chip)
    return weight.clamp(-limit, limit)


def column_scale(clipped: torch.Tensor) -> torch.Tensor:
    """max |w| per output row ([out, 1]), kept digitally."""
    return clipped.detach().abs().amax(1, keepdim=True).clamp_min(1e-12)


def hardware_aware_forward(x: torch.Tensor, weight: torch.Tensor, output_scale: torch.Tensor, chip: ChipSpec,
                           in_blocks, out_blocks, noise, stats: Optional[dict] = None) -> torch.Tensor:
    """x: [tokens, in]. Returns [tokens, out] without bias and LoRA. `stats`, if given, receives the number of
    bound-management re-runs (tokens redone, summed over tiles and iterations)."""
    tokens = x.shape[0]
    clipped = clip(weight, chip)
    col = column_scale(clipped)
    normalised = clipped / col
    dac_step, adc_step = converter_step(chip.dac_bits, 1.0), converter_step(chip.adc_bits, chip.output_bound)
    dac_sign, adc_sign = converter_steps(chip.dac_bits) == 1, converter_steps(chip.adc_bits) == 1
    bound = chip.output_bound
    iterative = chip.bound_management == "iterative"
    reruns = 0
    columns = []
    for bo, (c0, cn) in enumerate(out_blocks):
        total = None
        for bi, (r0, rn) in enumerate(in_blocks):
            xb = x[:, r0:r0 + rn]
            if chip.noise_management == "abs_max":
                scale = xb.detach().abs().amax(1, keepdim=True)
            else:
                scale = torch.ones(tokens, 1, device=x.device, dtype=x.dtype)
            scale = torch.where(scale > 0, scale, torch.ones_like(scale))
            tile = normalised[c0:c0 + cn, r0:r0 + rn]
            if chip.weight_noise > 0:
                std = float(np.float32(tile.detach().abs().max().item()) * np.float32(chip.weight_noise))
                tile = tile + noise.shared(Purpose.WEIGHT_NOISE, (bo, bi), tile.shape, x.device) * std

            def mvm(inputs, input_scale, rows, iteration):
                q = quantize(inputs / input_scale, dac_step, 1.0, dac_sign)
                product = q.matmul(tile.t())
                if chip.output_noise > 0:
                    draw = noise.rows(Purpose.OUTPUT_NOISE, (bo, bi, iteration), rows, cn, x.device)
                    product = torch.add(product, draw, alpha=chip.output_noise)
                return product

            all_rows = torch.arange(tokens, device=x.device)
            y = mvm(xb, scale, all_rows, 0)
            reduction = torch.ones(tokens, 1, device=x.device, dtype=x.dtype)
            iteration = 0
            # Iterative bound management: only the tokens whose outputs clipped are halved and redone.
            while iterative:
                clipping = (y.detach().abs().amax(1) > bound) & (reduction.squeeze(1) < chip.bound_management_limit)
                redo = clipping.nonzero().squeeze(1)
                if redo.shape[0] == 0:
                    break
                iteration += 1
                reruns += int(redo.shape[0])
                reduction = reduction.index_put((redo,), reduction.index_select(0, redo) * 2)
                y = y.index_copy(0, redo, mvm(xb.index_select(0, redo), scale.index_select(0, redo) * reduction.index_select(0, redo), redo, iteration))
            part = quantize(y, adc_step, bound, adc_sign) * (scale * reduction)
            total = part if total is None else total + part
        columns.append(total)
    if stats is not None:
        stats["reruns"] = stats.get("reruns", 0) + reruns
    return torch.cat(columns, 1) * (col.t() * output_scale)


def add_lora(layer: nn.Module, in_features: int, out_features: int, lora: Optional[LoraSpec], seed: int, index: int):
    """PEFT's LoRA matrices on a layer: lora_A Kaiming-uniform from (seed, INITIALISATION, index, 1), lora_B zero."""
    if lora is None:
        return
    bound = 1.0 / math.sqrt(in_features)
    layer.lora_A = nn.Linear(in_features, lora.rank, bias=False)
    layer.lora_B = nn.Linear(lora.rank, out_features, bias=False)
    with torch.no_grad():
        layer.lora_A.weight.uniform_(-bound, bound, generator=generator(seed, Purpose.INITIALISATION, index, 1))
        layer.lora_B.weight.zero_()


class AnalogLinear(nn.Module):
    """An analog-stationary linear layer with an optional digital LoRA branch, parameters named as PEFT does:
    weight (out x in, frozen), bias (digital), output_scale (per column, starts at 1, frozen unless full AHWA),
    lora_A.weight (r x in), lora_B.weight (out x r). Output = analog(x) + bias + (alpha/r) B(A(dropout(x))).

    seed / index: weight and lora_A are initialised from (seed, INITIALISATION, index, tensor); training-time noise is drawn
    from (noise_seed, purpose, noise_index, ...) with both defaulting to seed / index (see seed_noise)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, seed: int, index: int = 0,
                 chip: Optional[ChipSpec] = None, lora: Optional[LoraSpec] = None, mode: str = "digital"):
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise ValueError(f"AnalogLinear shape {out_features} x {in_features}: both dimensions must be positive")
        self.in_features, self.out_features = in_features, out_features
        self.chip = chip or ChipSpec()
        self.lora_spec = lora
        self.mode = mode
        self.noise_seed, self.noise_index = int(seed), int(index)
        self.forward_calls = 0
        self.last_stats: dict = {}
        bound = 1.0 / math.sqrt(in_features)  # Kaiming-uniform with a = sqrt(5), as nn.Linear and PEFT
        w = torch.empty(out_features, in_features).uniform_(-bound, bound, generator=generator(seed, Purpose.INITIALISATION, index, 0))
        self.weight = nn.Parameter(w, requires_grad=False)
        # The analog layer's bias belongs to the base model: frozen like the weight unless full AHWA.
        self.bias = nn.Parameter(torch.zeros(out_features), requires_grad=False) if bias else None
        self.output_scale = nn.Parameter(torch.ones(out_features), requires_grad=False)
        add_lora(self, in_features, out_features, lora, seed, index)
        self.programmed = None  # an ahwa.chip.ProgrammedLayer, set by ahwa.chip.program; runs the programmed forward

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str):
        if value not in MODES:
            raise ValueError(f"AnalogLinear mode {value!r}: must be one of {MODES}")
        self._mode = value

    @property
    def chip(self) -> ChipSpec:
        return self._chip

    @chip.setter
    def chip(self, value: ChipSpec):
        self._chip = value
        self.in_blocks = split(self.in_features, value.tile_rows)
        self.out_blocks = split(self.out_features, value.tile_cols)

    def set_full_ahwa(self, enabled: bool = True):
        """Full AHWA: meta-weights, biases and output scales trainable too."""
        self.weight.requires_grad_(enabled)
        self.output_scale.requires_grad_(enabled)
        if self.bias is not None:
            self.bias.requires_grad_(enabled)

    def extra_repr(self):
        lora = f", r={self.lora_spec.rank}" if self.lora_spec else ""
        return f"in_features={self.in_features}, out_features={self.out_features}, mode={self.mode}{lora}"

    def _noise(self, batch, rows_per_sample):
        return seeded_for(self.noise_seed, self.noise_index, self.forward_calls, batch, rows_per_sample)

    def forward(self, input: torch.Tensor, noise=None) -> torch.Tensor:
        if input.shape[-1] != self.in_features:
            raise ValueError(f"AnalogLinear expects {self.in_features} input features, got shape {list(input.shape)}")
        self.forward_calls += 1
        batch = input.shape[0] if input.dim() > 1 else 1
        x = input.reshape(-1, self.in_features)
        rows_per_sample = max(1, x.shape[0] // max(1, batch))
        if noise is None and self.mode == "hardware_aware":
            noise = self._noise(batch, rows_per_sample)
        if self.mode == "digital":
            y = F.linear(input, self.weight) * self.output_scale
        else:
            # The analog simulation runs in FP32 whatever autocast says: the converter grids assume it.
            with _no_autocast(input):
                xf = x.float()
                if self.mode == "hardware_aware":
                    stats: dict = {}
                    y = hardware_aware_forward(xf, self.weight.float(), self.output_scale.float(), self.chip,
                                               self.in_blocks, self.out_blocks, noise, stats)
                    self.last_stats = stats
                else:
                    if self.programmed is None:
                        raise RuntimeError("layer runs as programmed hardware but is not programmed; call ahwa.chip.program first")
                    y = self.programmed.forward(self, xf, noise, batch, rows_per_sample)
            y = y.to(input.dtype).reshape(*input.shape[:-1], self.out_features)
        if self.bias is not None:
            y = y + self.bias
        if self.lora_spec is not None:
            y = y + self._lora(input, noise if noise is not None else self._noise(batch, rows_per_sample), rows_per_sample)
        return y

    def _lora(self, input, noise, rows_per_sample):
        x = input
        p = self.lora_spec.dropout
        if self.training and p > 0:
            flat = x.reshape(-1, self.in_features)
            rows = torch.arange(flat.shape[0], device=x.device)
            keep = noise.rows(Purpose.DROPOUT, (), rows, self.in_features, x.device, uniform=True) >= p
            x = (flat * keep.to(flat.dtype) * (1.0 / (1.0 - p))).reshape(input.shape)
        return self.lora_B(self.lora_A(x)) * self.lora_spec.scale


class _no_autocast:
    def __init__(self, t: torch.Tensor):
        self.inner = torch.autocast(device_type=t.device.type, enabled=False) if t.is_cuda and torch.is_autocast_enabled() else None

    def __enter__(self):
        if self.inner is not None:
            self.inner.__enter__()

    def __exit__(self, *exc):
        if self.inner is not None:
            self.inner.__exit__(*exc)


def analog_layers(model: nn.Module):
    return [(name, m) for name, m in model.named_modules() if isinstance(m, AnalogLinear)]


def seed_noise(model: nn.Module, seed: int):
    """Gives every analog layer the noise seed and its index in registration order (its key in every stream)."""
    for i, (_, layer) in enumerate(analog_layers(model)):
        layer.noise_seed, layer.noise_index = int(seed), i
        layer.forward_calls = 0


def set_mode(model: nn.Module, mode: str):
    for _, layer in analog_layers(model):
        layer.mode = mode
