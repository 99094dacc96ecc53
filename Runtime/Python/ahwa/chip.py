"""Programmed-chip evaluation, mirroring Runtime/Simulator/AnalogLayerSimulator.cs and Devices/PcmLikeDevice.cs:
clipped meta-weights, column-wise scaling, differential pair G+ = g_max max(w, 0), G- = g_max max(-w, 0), PCM
programming noise and per-device drift exponents, drift and 1/f read noise at time t, global drift compensation
against a fixed calibration batch. Device maths runs in FP64 and is stored in FP32, as the C# does."""
from __future__ import annotations

import math
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import torch

from ._generated import CALIBRATION_SEED, CALIBRATION_VECTORS, DEFAULT_SEED, DRIFT_TIMES as _DRIFT_TIMES, PCM_T0 as T0, PCM_T_READ as T_READ
from .analog import AnalogLinear, analog_layers, clip
from .devices import GAUSSIAN_RELATIVE_STD, device_model, drift_mean, drift_std, programming_std, read_noise_std
from .noise import SeededNoise, seeded_for
from .seeds import Purpose, Xoshiro256, derive
from .spec import converter_step, converter_steps

# The paper's times after programming, s (Runtime/Simulator/DriftTimes.cs).
DRIFT_TIMES = tuple(seconds for seconds, _ in _DRIFT_TIMES)
__all__ = ["T0", "T_READ", "DRIFT_TIMES", "CALIBRATION_VECTORS", "CALIBRATION_SEED", "GAUSSIAN_RELATIVE_STD",
           "programming_std", "drift_mean", "drift_std", "read_noise_std", "calibration_batch", "ProgrammedLayer",
           "program", "drift_to", "programmed_forward", "program_model", "drift_model", "drift_sweep"]

_calibration_cache: Dict[int, torch.Tensor] = {}


def calibration_batch(ins: int) -> torch.Tensor:
    """The simulator's calibration input: 64 vectors uniform in [-1, 1] from RandomStream(0x5EEDCA11B, ins),
    row-major, each value (float)(2u - 1)."""
    if ins not in _calibration_cache:
        r = Xoshiro256(CALIBRATION_SEED, ins)
        values = [2.0 * r.next_open_unit() - 1.0 for _ in range(CALIBRATION_VECTORS * ins)]
        _calibration_cache[ins] = torch.tensor(np.array(values, dtype=np.float32).reshape(CALIBRATION_VECTORS, ins))
    return _calibration_cache[ins]


class ProgrammedLayer:
    """The programmed tiles of one layer, as full [out, in] matrices (tile blocks are views of them)."""

    def __init__(self, layer: AnalogLinear):
        with torch.no_grad():
            clipped = clip(layer.weight.detach().float(), layer.chip)
            col = clipped.abs().amax(1, keepdim=True)
            self.column_scale = torch.where(col > 0, col, torch.ones_like(col))  # [out, 1]
            self.ideal = clipped / self.column_scale
        self.effective = self.ideal.clone()
        self.compensation = torch.ones(layer.out_features, device=self.ideal.device)
        self.g_plus = self.g_minus = self.nu_plus = self.nu_minus = None
        self.baseline = None
        self.calls = 0
        self.eval_seed = 0
        self.index = layer.noise_index

    def tiles(self, layer):
        for bo, (c0, cn) in enumerate(layer.out_blocks):
            for bi, (r0, rn) in enumerate(layer.in_blocks):
                yield bo, bi, slice(c0, c0 + cn), slice(r0, r0 + rn)

    def read_out(self, layer) -> float:
        """Mean |output| of the noise-free tiles for the calibration batch, partial sums over input blocks."""
        calib = calibration_batch(layer.in_features).to(self.effective.device)
        sums = torch.zeros(CALIBRATION_VECTORS, layer.out_features, device=self.effective.device)
        for r0, rn in layer.in_blocks:
            sums += calib[:, r0:r0 + rn] @ self.effective[:, r0:r0 + rn].t()
        return float(sums.double().abs().mean().item())

    def forward(self, layer, x: torch.Tensor, noise=None, batch: int = 1, rows_per_sample: Optional[int] = None):
        """The layer's forward as programmed hardware: AnalogLinear calls it through the state it holds, so analog.py
        needs no import of this module (imports run one way, chip -> analog)."""
        return programmed_forward(layer, x, noise, batch, rows_per_sample)

    def weight(self, layer) -> torch.Tensor:
        """c_j (G+ - G-) / g_max x output scale x compensation: the straight-through backward's weights."""
        return self.effective * self.column_scale * (layer.output_scale.detach().float() * self.compensation)[:, None]


def _draws(index, seed, noise):
    return noise if noise is not None else SeededNoise(seed, index, 0, [0], 1)


def program(layer: AnalogLinear, seed: int, noise=None, index: Optional[int] = None) -> ProgrammedLayer:
    """Programs the clipped meta-weights: noise draws keyed (seed, PROGRAMMING | DRIFT, index, 0, bo, bi, polarity),
    index defaulting to the layer's noise index (program_model passes the layer's position in the model)."""
    state = ProgrammedLayer(layer)
    state.index = layer.noise_index if index is None else int(index)
    draws = _draws(state.index, seed, noise)
    model = device_model(layer.chip)
    g_max = model.g_max
    device = state.ideal.device
    shape = state.ideal.shape
    g_prog = [torch.empty(shape, device=device), torch.empty(shape, device=device)]
    nus = [torch.zeros(shape, device=device), torch.zeros(shape, device=device)]
    for bo, bi, rows, cols in state.tiles(layer):
        ideal = state.ideal[rows, cols].double()
        for polarity, target in enumerate((g_max * ideal.clamp_min(0), g_max * (-ideal).clamp_min(0))):
            def draw(purpose, key=(bo, bi, polarity), shape=target.shape):
                return draws.shared(purpose, key, shape, device).double()
            g_prog[polarity][rows, cols], nus[polarity][rows, cols] = model.program(target, draw)
    state.g_plus, state.g_minus = g_prog
    state.nu_plus, state.nu_minus = nus
    state.effective = (state.g_plus - state.g_minus) / g_max
    state.baseline = state.read_out(layer)
    state.eval_seed = seed
    layer.programmed = state
    return state


def drift_to(layer: AnalogLinear, seconds: float, seed: int, noise=None) -> ProgrammedLayer:
    """Drift and fresh read noise `seconds` after programming (keys (seed, READ_NOISE, index, 0, bo, bi, polarity)),
    then global drift compensation baseline / current mean |output|."""
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise ValueError(f"time since programming must be a finite number of seconds >= 0, got {seconds}")
    state = layer.programmed
    if state is None:
        raise RuntimeError("layer is not programmed; call ahwa.chip.program first")
    draws = _draws(state.index, seed, noise)
    model = device_model(layer.chip)
    g_max = model.g_max
    effective = torch.empty_like(state.effective)
    for bo, bi, rows, cols in state.tiles(layer):
        read = []
        for polarity, (g, nu) in enumerate(((state.g_plus, state.nu_plus), (state.g_minus, state.nu_minus))):
            gp = g[rows, cols].double()

            def draw(purpose, key=(bo, bi, polarity), gp=gp):
                return draws.shared(purpose, key, gp.shape, gp.device).double()
            read.append(model.read(gp, nu[rows, cols].double(), seconds, draw))
        effective[rows, cols] = (read[0] - read[1]) / g_max
    state.effective = effective
    current = state.read_out(layer)
    state.compensation = torch.full_like(state.compensation, float(np.float32(state.baseline / max(current, 1e-12))))
    state.eval_seed, state.calls = seed, 0
    return state


def _dac(x, multiplier, bits):
    """Quantizer.Quantize(source, multiplier): code = round(x * multiplier * (steps / 2)), clamped, times step."""
    steps = converter_steps(bits)
    if steps == 0:
        return (x * multiplier).clamp(-1.0, 1.0)
    if steps == 1:
        return torch.where(x * multiplier >= 0, torch.ones_like(x), -torch.ones_like(x))
    inverse = float(np.float32(steps / 2.0))
    code = torch.round(x * multiplier * inverse).clamp(-(steps // 2), steps // 2)
    return code * converter_step(bits, 1.0)


def _adc(y, chip):
    steps = converter_steps(chip.adc_bits)
    if steps == 0:
        return y.clamp(-chip.output_bound, chip.output_bound)
    if steps == 1:
        return torch.where(y >= 0, torch.full_like(y, chip.output_bound), torch.full_like(y, -chip.output_bound))
    inverse = float(np.float32(steps / (2.0 * chip.output_bound)))
    code = torch.round(y * inverse).clamp(-(steps // 2), steps // 2)
    return code * converter_step(chip.adc_bits, chip.output_bound)


def programmed_forward(layer: AnalogLinear, x: torch.Tensor, noise=None, batch: int = 1, rows_per_sample: Optional[int] = None) -> torch.Tensor:
    """The simulator's forward on x [tokens, in]; backward straight through the programmed weights. Output noise
    keyed (drift_to seed, OUTPUT_NOISE, layer, call, sample, bo, bi, iteration)."""
    state = layer.programmed
    if state is None:
        raise RuntimeError("layer runs as programmed hardware but is not programmed; call ahwa.chip.program first")
    chip = layer.chip
    state.calls += 1
    if noise is None:
        noise = seeded_for(state.eval_seed, state.index, state.calls, batch, rows_per_sample or x.shape[0])
    tokens = x.shape[0]
    xd = x.detach()
    acc = torch.zeros(tokens, layer.out_features, device=x.device)
    iterative = chip.bound_management == "iterative"
    for bi, (r0, rn) in enumerate(layer.in_blocks):
        xb = xd[:, r0:r0 + rn]
        scale = xb.abs().amax(1, keepdim=True) if chip.noise_management == "abs_max" else torch.ones(tokens, 1, device=x.device)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        q = _dac(xb, 1.0 / scale, chip.dac_bits)
        for bo, (c0, cn) in enumerate(layer.out_blocks):
            tile = state.effective[c0:c0 + cn, r0:r0 + rn]

            def convert(product, rows, iteration):
                if chip.output_noise > 0:
                    product = product + noise.rows(Purpose.OUTPUT_NOISE, (bo, bi, iteration), rows, cn, x.device) * chip.output_noise
                return product.abs().amax(1) > chip.output_bound, _adc(product, chip)

            rows = torch.arange(tokens, device=x.device)
            clipped, y = convert(q @ tile.t(), rows, 0)
            reduction = torch.ones(tokens, 1, device=x.device)
            iteration = 0
            while iterative:
                redo = (clipped & (reduction.squeeze(1) < chip.bound_management_limit)).nonzero().squeeze(1)
                if redo.shape[0] == 0:
                    break
                iteration += 1
                reduction[redo] *= 2
                qr = _dac(xb[redo], 1.0 / (scale[redo] * reduction[redo]), chip.dac_bits)
                again, yr = convert(qr @ tile.t(), redo, iteration)
                y[redo] = yr
                clipped = torch.zeros_like(clipped)
                clipped[redo] = again
            acc[:, c0:c0 + cn] += y * (scale * reduction)
    out = acc * state.column_scale.t() * layer.output_scale.detach().float() * state.compensation
    if torch.is_grad_enabled() and x.requires_grad:
        linear = torch.nn.functional.linear(x, state.weight(layer))
        out = out + (linear - linear.detach())
    return out


def program_model(model, seed: int):
    """Programs every analog layer, keyed by its position in the model, and switches it to programmed mode."""
    for i, (_, layer) in enumerate(analog_layers(model)):
        program(layer, seed, index=i)
        layer.mode = "programmed"


def drift_model(model, seconds: float, seed: int):
    for _, layer in analog_layers(model):
        drift_to(layer, seconds, seed)


def drift_sweep(model, evaluate: Callable[[torch.nn.Module], float], times: Sequence[float] = DRIFT_TIMES,
                repetitions: int = 10, seed: int = DEFAULT_SEED) -> Dict[float, dict]:
    """The paper's protocol, seeded as C#'s DriftSweep: per repetition r program once with derive(seed, REPETITION, r),
    then per time index t drift and draw read noise with derive(that, DRIFT, t), and evaluate. Returns
    {t: {mean, std, values}}, std the sample standard deviation (0 for one repetition), as Lab's DriftSweep."""
    if repetitions < 1:
        raise ValueError(f"repetitions must be >= 1, got {repetitions}")
    values: Dict[float, list] = {float(t): [] for t in times}
    modes = {name: layer.mode for name, layer in analog_layers(model)}
    try:
        for r in range(repetitions):
            repetition = derive(seed, Purpose.REPETITION, r)
            program_model(model, repetition)
            for i, t in enumerate(times):
                drift_model(model, float(t), derive(repetition, Purpose.DRIFT, i))
                with torch.no_grad():
                    values[float(t)].append(float(evaluate(model)))
    finally:
        for name, layer in analog_layers(model):
            layer.mode = modes[name]
    result = {}
    for t, v in values.items():
        mean = sum(v) / len(v)
        std = math.sqrt(sum((a - mean) ** 2 for a in v) / (len(v) - 1)) if len(v) > 1 else 0.0
        result[t] = {"mean": mean, "std": std, "values": v}
    return result
