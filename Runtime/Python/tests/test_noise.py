"""Noise statistics, the keyed streams and injected noise."""
import math

import numpy as np
import pytest
import torch

from ahwa import AnalogLinear, ChipSpec, InjectedNoise, LoraSpec, Purpose, noise_context, stream_seed
from ahwa.analog import clip, column_scale
from ahwa.seeds import Xoshiro256, mix64

FINE = dict(dac_bits=16, adc_bits=16, weight_clip_sigma=100.0)


def within_3_se_of_std(samples: torch.Tensor, sigma: float):
    n = samples.numel()
    s = samples.double().std().item()
    # The standard error of a sample standard deviation of n normal draws is sigma / sqrt(2 (n - 1)).
    assert abs(s - sigma) < 3 * sigma / math.sqrt(2 * (n - 1)), f"std {s}, expected {sigma} (n = {n})"


def test_weight_noise_std_per_tile_is_0067_of_the_tile_max():
    layer = AnalogLinear(32, 32, bias=False, seed=5, mode="hardware_aware",
                         chip=ChipSpec(tile_rows=16, tile_cols=16, output_noise=0.0, **FINE))
    with torch.no_grad():  # give the tiles different abs-maxima
        layer.weight[:16, :16] *= 0.25
    normalised = clip(layer.weight, layer.chip) / column_scale(clip(layer.weight, layer.chip))
    x = torch.eye(32)  # one-hot inputs read the (noisy) weights column by column
    errors = {tile: [] for tile in [(0, 0), (0, 1), (1, 0), (1, 1)]}
    for step in range(6):
        with noise_context(step):
            y = layer(x) / column_scale(clip(layer.weight, layer.chip)).t()
        # y[i, j] = normalised[j, i] + noise; ADC error (16 bits) is 2e-4 at most, far below the 0.067 x max noise.
        error = (y - normalised.t()).t()
        for bo, bi in errors:
            errors[(bo, bi)].append(error[bo * 16:(bo + 1) * 16, bi * 16:(bi + 1) * 16].reshape(-1))
    for (bo, bi), parts in errors.items():
        tile_max = normalised[bo * 16:(bo + 1) * 16, bi * 16:(bi + 1) * 16].abs().max().item()
        within_3_se_of_std(torch.cat(parts), 0.067 * tile_max)


def test_weight_noise_is_shared_by_the_batch_and_new_each_step():
    layer = AnalogLinear(8, 4, seed=1, mode="hardware_aware", chip=ChipSpec(output_noise=0.0, **FINE))
    x = torch.randn(1, 8).repeat(3, 1)
    with noise_context(7, [10, 11, 12]):
        y = layer(x)
    assert torch.equal(y[0], y[1]) and torch.equal(y[1], y[2])
    with noise_context(8, [10, 11, 12]):
        assert not torch.equal(layer(x)[0], y[0])
    with noise_context(7, [99, 98, 97]):  # batch-shared: independent of the samples
        assert torch.equal(layer(x), y)


def test_output_noise_std_is_004():
    layer = AnalogLinear(8, 16, bias=False, seed=2, mode="hardware_aware", chip=ChipSpec(weight_noise=0.0, **FINE))
    with torch.no_grad():
        layer.weight.copy_(torch.sign(layer.weight))  # column scale 1
    # Zero inputs: the DAC gives 0 and the output is the output noise alone (input scale 1).
    with noise_context(0, list(range(300))):
        y = layer(torch.zeros(300, 8))
    within_3_se_of_std(y, 0.04)
    assert abs(y.mean().item()) < 3 * 0.04 / math.sqrt(y.numel())


def test_per_sample_noise_depends_only_on_the_global_sample_index():
    layer = AnalogLinear(8, 4, seed=3, mode="hardware_aware", lora=LoraSpec(2, 4, 0.5))
    torch.manual_seed(0)
    x = torch.randn(4, 5, 8)  # 4 samples of 5 tokens
    layer.train()
    with noise_context(2, [40, 41, 42, 43]):
        whole = layer(x)
    with noise_context(2, [42, 43]):
        second_half = layer(x[2:])
    with noise_context(2, [41]):
        one = layer(x[1:2])
    assert torch.allclose(whole[2:], second_half, atol=1e-6) and torch.allclose(whole[1:2], one, atol=1e-6)
    with noise_context(2, [7, 41, 42, 43]):
        assert not torch.allclose(layer(x)[0], whole[0])


def test_injected_noise_reproduces_the_recipe_by_hand():
    torch.manual_seed(1)
    chip = ChipSpec(tile_rows=3, tile_cols=2, output_bound=100.0)  # 2 x 2 tiles, nothing clips
    layer = AnalogLinear(6, 4, seed=4, mode="hardware_aware", chip=chip)
    x = torch.randn(5, 6)
    tensors = {}
    for bo in range(2):
        for bi in range(2):
            tensors[(Purpose.WEIGHT_NOISE, bo, bi)] = torch.randn(2, 3)
            tensors[(Purpose.OUTPUT_NOISE, bo, bi, 0)] = torch.randn(5, 2)
    y = layer(x, noise=InjectedNoise(tensors))
    # The recipe written out plainly.
    w = layer.weight.detach()
    limit = np.float32(w.std().item()) * np.float32(3.0)
    w = w.clamp(-float(limit), float(limit))
    c = w.abs().amax(1, keepdim=True)
    wn = w / c
    dac, adc = np.float32(2 / 254), np.float32(24 / 254)
    expected = torch.zeros(5, 4)
    for bo in range(2):
        for bi in range(2):
            tile = wn[2 * bo:2 * bo + 2, 3 * bi:3 * bi + 3]
            tile = tile + tensors[(Purpose.WEIGHT_NOISE, bo, bi)] * float(np.float32(tile.abs().max().item()) * np.float32(0.067))
            xb = x[:, 3 * bi:3 * bi + 3]
            s = xb.abs().amax(1, keepdim=True)
            q = torch.round((xb / s).clamp(-1, 1) / float(dac)) * float(dac)
            out = q @ tile.t() + 0.04 * tensors[(Purpose.OUTPUT_NOISE, bo, bi, 0)]
            expected[:, 2 * bo:2 * bo + 2] += torch.round(out.clamp(-100, 100) / float(np.float32(200 / 254))) * float(np.float32(200 / 254)) * s
    expected = expected * c.t() + layer.bias
    assert torch.allclose(y, expected, atol=1e-5)
    with pytest.raises(ValueError, match="WEIGHT_NOISE, 1, 1"):
        layer(x, noise=InjectedNoise({k: v for k, v in tensors.items() if k != (Purpose.WEIGHT_NOISE, 1, 1)}))


def test_stream_keys_are_distinct_and_stable():
    keys = {stream_seed(42, Purpose.OUTPUT_NOISE, 0, 1, 2), stream_seed(42, Purpose.OUTPUT_NOISE, 0, 2, 1),
            stream_seed(42, Purpose.WEIGHT_NOISE, 0, 1, 2), stream_seed(43, Purpose.OUTPUT_NOISE, 0, 1, 2),
            stream_seed(42, Purpose.OUTPUT_NOISE, 0, 1), stream_seed(42, Purpose.OUTPUT_NOISE, 0, 1, 2, 0)}
    assert len(keys) == 6 and all(0 <= k < 2 ** 63 for k in keys)
    assert stream_seed(42, Purpose.OUTPUT_NOISE, 0, 1, 2) == stream_seed(42, Purpose.OUTPUT_NOISE, 0, 1, 2)


def test_xoshiro_port_matches_the_reference_algorithm():
    # SplitMix64 from state 0 and xoshiro256** from state (1, 2, 3, 4): published reference outputs.
    assert mix64(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF
    r = Xoshiro256(0, 0)
    r.s = [1, 2, 3, 4]
    assert [r.next_uint64() for _ in range(4)] == [11520, 0, 1509978240, 1215971899390074240]
    u = Xoshiro256(0x5EEDCA11B, 6)
    draws = [u.next_open_unit() for _ in range(1000)]
    assert 0 < min(draws) and max(draws) < 1 and abs(sum(draws) / 1000 - 0.5) < 0.05


def test_without_context_each_forward_draws_anew_and_seed_noise_restarts():
    from ahwa import seed_noise
    model = torch.nn.Sequential(AnalogLinear(8, 8, seed=1, mode="hardware_aware"), AnalogLinear(8, 8, seed=1, mode="hardware_aware"))
    seed_noise(model, 9)
    assert [m.noise_index for m in model] == [0, 1] and all(m.noise_seed == 9 for m in model)
    x = torch.randn(2, 8)
    first, second = model(x), model(x)
    assert not torch.equal(first, second)
    seed_noise(model, 9)
    assert torch.equal(model(x), first)
