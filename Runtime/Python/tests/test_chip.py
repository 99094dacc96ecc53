"""Programmed-chip evaluation: PCM formulas, programming, drift, read noise, compensation, the sweep."""
import math

import pytest
import torch

from ahwa import AnalogLinear, ChipSpec, InjectedNoise, LoraSpec, Purpose
from ahwa.analog import clip_limit
from ahwa.chip import (DRIFT_TIMES, calibration_batch, drift_mean, drift_std, drift_sweep, drift_to, program,
                       programming_std, read_noise_std)

G = 25.0
QUIET = dict(dac_bits=16, adc_bits=16, output_noise=0.0, weight_clip_sigma=100.0)


def zero_noise(layer, purposes=(Purpose.PROGRAMMING, Purpose.DRIFT, Purpose.READ_NOISE)):
    tensors = {}
    for bo, (_, cn) in enumerate(layer.out_blocks):
        for bi, (_, rn) in enumerate(layer.in_blocks):
            for polarity in (0, 1):
                for purpose in purposes:
                    tensors[(purpose, bo, bi, polarity)] = torch.zeros(cn, rn)
    return InjectedNoise(tensors)


def test_pcm_formulas_at_hand_points():
    g = torch.tensor([25.0, 0.0, 1.25], dtype=torch.float64)  # g_r = 1, floor, 0.05
    assert programming_std(g, G).tolist() == pytest.approx([0.26348 + 1.9650 - 1.1731, 0.26348, 0.26348 + 1.9650 * 0.05 - 1.1731 * 0.0025])
    # g_r = 1: mean 0.0244 -> clipped up to 0.049, std -0.0059 -> 0.008; g_r = 1e-7 (floor): 0.274 -> 0.1, 0.1956 -> 0.045.
    assert drift_mean(g, G).tolist() == pytest.approx([0.049, 0.1, -0.0155 * math.log(0.05) + 0.0244])
    assert drift_std(g, G).tolist() == pytest.approx([0.008, 0.045, -0.0125 * math.log(0.05) - 0.0059])
    # Q = 0.0088 at g_max; at g = 0 the 1e-3 floor gives 8.8 -> capped at 0.2.
    root = math.sqrt(math.log((3600 + 20 + 250e-9) / 500e-9))
    assert read_noise_std(g, 3600, G).tolist() == pytest.approx([0.0088 * root, 0.2 * root, 0.0088 / 0.05 ** 0.65 * root])


def test_programming_without_noise_is_exact_and_drift_is_compensated():
    layer = AnalogLinear(6, 4, seed=1, chip=ChipSpec(tile_rows=4, tile_cols=3, **QUIET))
    with torch.no_grad():
        layer.weight.copy_(torch.sign(layer.weight) * 0.3)  # every |w| maps to g_max: one drift exponent, 0.049
    state = program(layer, seed=0, noise=zero_noise(layer))
    assert torch.allclose(state.g_plus, 25 * (layer.weight > 0).float()) and torch.allclose(state.nu_plus[layer.weight > 0], torch.tensor(0.049))
    assert torch.allclose(state.effective, torch.sign(layer.weight))
    x = torch.randn(7, 6)
    layer.mode = "programmed"
    digital = torch.nn.functional.linear(x, layer.weight, layer.bias)
    assert torch.allclose(layer(x), digital, atol=1e-3)
    drift_to(layer, 31536000.0, seed=0, noise=zero_noise(layer))
    decay = ((31536000.0 + 20) / 20) ** -0.049
    assert torch.allclose(state.effective, torch.sign(layer.weight) * decay, rtol=1e-5)
    # Global compensation undoes a uniform drift: baseline / current = 1 / decay.
    assert state.compensation[0].item() == pytest.approx(1 / decay, rel=1e-5)
    assert torch.allclose(layer(x), digital, atol=1e-3)


def test_programming_noise_statistics():
    layer = AnalogLinear(64, 64, bias=False, seed=2, chip=ChipSpec(tile_rows=32, tile_cols=32))
    with torch.no_grad():
        layer.weight.fill_(1.0)
    state = program(layer, seed=11)
    g = state.g_plus.double()  # target 25 uS everywhere, far from the floor at 0
    sigma = 0.26348 + 1.9650 - 1.1731
    n = g.numel()
    assert abs(g.mean().item() - 25) < 3 * sigma / math.sqrt(n)
    assert abs(g.std().item() - sigma) < 3 * sigma / math.sqrt(2 * (n - 1))
    # G- targets 0: max(0.26348 N, 0), so half the devices read exactly zero.
    assert abs((state.g_minus == 0).double().mean().item() - 0.5) < 3 * 0.5 / math.sqrt(n)
    nu = state.nu_plus.double()  # |0.049 + 0.008 N|
    assert abs(nu.mean().item() - 0.049) < 3 * 0.008 / math.sqrt(n)
    # Same seed, same chip; another seed, another chip.
    assert torch.equal(program(layer, seed=11).g_plus, state.g_plus)
    assert not torch.equal(program(layer, seed=12).g_plus, state.g_plus)


def test_read_noise_is_redrawn_and_relative():
    layer = AnalogLinear(32, 32, bias=False, seed=3)
    with torch.no_grad():
        layer.weight.fill_(1.0)
    state = program(layer, seed=1, noise=zero_noise(layer))
    drift_to(layer, 0.0, seed=5)
    read = state.effective.clone()
    # At t = 0 there is no drift; read noise std = Q(1) sqrt(ln((t0 + t_read) / (2 t_read))) relative to g_max.
    sigma = 0.0088 * math.sqrt(math.log((20 + 250e-9) / 500e-9))
    within = read - 1.0
    assert abs(within.std().item() - sigma) < 3 * sigma / math.sqrt(2 * (within.numel() - 1))
    drift_to(layer, 0.0, seed=6)
    assert not torch.equal(state.effective, read)


def test_calibration_batch_is_the_simulators():
    batch = calibration_batch(5)
    assert batch.shape == (64, 5) and batch.abs().max() < 1
    assert torch.equal(batch, calibration_batch(5)) and not torch.equal(batch[:, :4], calibration_batch(4))


def test_programmed_forward_backward_is_straight_through():
    layer = AnalogLinear(8, 5, seed=4, lora=LoraSpec(2, 4, 0.0))
    program(layer, seed=3)
    drift_to(layer, 3600.0, seed=4)
    layer.mode = "programmed"
    x = torch.randn(3, 8, requires_grad=True)
    layer(x).sum().backward()
    w = layer.programmed.weight(layer) + 2.0 * layer.lora_B.weight @ layer.lora_A.weight
    assert torch.allclose(x.grad, w.sum(0).expand(3, 8), atol=1e-5)
    assert layer.lora_A.weight.grad is not None


def test_drift_sweep_protocol():
    torch.manual_seed(0)
    model = torch.nn.Sequential(AnalogLinear(8, 8, seed=1, index=0), AnalogLinear(8, 2, seed=1, index=1))
    x = torch.randn(16, 8)
    reference = model(x).detach()

    def error(m):
        return (m(x) - reference).pow(2).mean().item()

    result = drift_sweep(model, error, DRIFT_TIMES, repetitions=3, seed=42)
    assert list(result) == list(DRIFT_TIMES)
    for t, v in result.items():
        assert len(v["values"]) == 3 and v["std"] > 0 and v["mean"] > 0
    assert result[315360000.0]["mean"] > result[0.0]["mean"]  # ten years are worse than no drift
    assert drift_sweep(model, error, (0.0,), repetitions=1, seed=42)[0.0]["std"] == 0.0
    assert drift_sweep(model, error, DRIFT_TIMES, repetitions=3, seed=42) == result
    assert all(layer.mode == "digital" for layer in model)


def test_programmed_forward_with_injected_noise_by_hand():
    torch.manual_seed(2)
    layer = AnalogLinear(3, 2, seed=5, chip=ChipSpec(output_bound=12.0))
    noise = zero_noise(layer)
    program(layer, seed=0, noise=noise)
    layer.mode = "programmed"
    x = torch.randn(4, 3)
    injected = torch.randn(4, 2)
    y = layer(x, noise=InjectedNoise({(Purpose.OUTPUT_NOISE, 0, 0, 0): injected}))
    # Quantizer.cs: code = round(v x steps / (2 bound)), clamped, times the step; weights exact (no programming noise).
    limit = clip_limit(layer.weight, layer.chip)
    w = layer.weight.detach().clamp(-limit, limit)
    c = w.abs().amax(1, keepdim=True)
    s = x.abs().amax(1, keepdim=True)
    q = torch.round(x * (1 / s) * 127).clamp(-127, 127) * float(torch.tensor(2 / 254, dtype=torch.float32))
    out = q @ (w / c).t() + 0.04 * injected
    adc = torch.round(out * float(torch.tensor(254 / 24, dtype=torch.float32))).clamp(-127, 127) * float(torch.tensor(24 / 254, dtype=torch.float32))
    assert torch.allclose(y, adc * s * c.t() + layer.bias, atol=1e-5)


def test_chip_spec_names_and_validation():
    spec = ChipSpec.from_dict({"TileRows": 256, "tileCols": 256, "DacBits": 6, "BoundManagement": "Iterative",
                               "NoiseManagement": 1, "Device": "PcmLike", "GMaxMicroSiemens": 25.0})
    assert (spec.tile_rows, spec.tile_cols, spec.dac_bits, spec.bound_management, spec.noise_management, spec.device) == \
        (256, 256, 6, "iterative", "abs_max", "pcm_like")
    assert ChipSpec() == ChipSpec(tile_rows=512, tile_cols=512, tiles=1024, dac_bits=8, adc_bits=8, output_bound=12.0,
                                  output_noise=0.04, weight_noise=0.067, weight_clip_sigma=3.0, bound_management="iterative",
                                  bound_management_limit=1000.0, noise_management="abs_max", device="pcm_like",
                                  g_max_micro_siemens=25.0)
    with pytest.raises(ValueError, match="ChipSpec has no field 'Colour'"):
        ChipSpec.from_dict({"Colour": 1})
    with pytest.raises(ValueError, match=r"^ChipSpec.adc_bits is 17; it must be 0 \(ideal\) or between 1 and 16 bits\.$"):
        ChipSpec(adc_bits=17)
    with pytest.raises(ValueError, match=r"^ChipSpec.bound_management_limit is 0.5; it must be at least 1 and finite\.$"):
        ChipSpec(bound_management_limit=0.5)
