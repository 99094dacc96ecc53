"""The training-time recipe on tiny hand-computed cases."""
import numpy as np
import pytest
import torch

from ahwa import AnalogLinear, ChipSpec, LoraSpec, converter_step, converter_steps, hardware_aware_forward, quantize, split
from ahwa.analog import clip, clip_limit, column_scale
from ahwa.noise import SeededNoise

QUIET = dict(weight_noise=0.0, output_noise=0.0)


def run(weight, x, chip, output_scale=None):
    stats = {}
    out = weight.shape[0]
    y = hardware_aware_forward(x, weight, torch.ones(out) if output_scale is None else output_scale, chip,
                               split(weight.shape[1], chip.tile_rows), split(out, chip.tile_cols),
                               SeededNoise(0, 0, 0, list(range(x.shape[0])), 1), stats)
    return y, stats.get("reruns", 0)


def test_converter_grid_matches_converters_cs():
    assert converter_steps(8) == 254 and converter_steps(1) == 1 and converter_steps(2) == 2
    assert converter_step(8, 1.0) == float(np.float32(2 / 254))
    assert converter_step(8, 12.0) == float(np.float32(24 / 254))
    assert converter_steps(0) == 0 and converter_step(0, 12.0) == 0.0  # ideal
    for bits in (-1, 17):
        with pytest.raises(ValueError, match="between 1 and 16"):
            converter_steps(bits)


def test_ideal_converters_only_clip_and_no_clip_sigma_keeps_weights():
    x = torch.tensor([[0.3, -0.7, 0.123456]])
    weight = torch.tensor([[0.5, -0.25, 9.0], [0.1, 0.2, -0.3]])
    chip = ChipSpec(tile_rows=8, tile_cols=8, dac_bits=0, adc_bits=0, weight_clip_sigma=0.0, output_noise=0.0,
                    weight_noise=0.0, output_bound=100.0)
    y, _ = run(weight, x, chip)
    # Nothing quantised and the outlier weight 9.0 is not clipped: the exact product (column scaling cancels).
    assert torch.allclose(y, x @ weight.t(), atol=1e-6, rtol=0)
    coarse, _ = run(weight, x, ChipSpec(tile_rows=8, tile_cols=8, dac_bits=4, adc_bits=4, weight_clip_sigma=0.0,
                                            output_noise=0.0, weight_noise=0.0, output_bound=100.0))
    assert not torch.allclose(coarse, x @ weight.t(), atol=1e-3, rtol=0)
    assert quantize(torch.tensor([2.5, -0.123457, -3.0]), 0.0, 2.0, False).tolist() == pytest.approx([2.0, -0.123457, -2.0])


def test_quantizer_levels_by_hand():
    step = converter_step(8, 1.0)
    q = quantize(torch.tensor([0.0, 0.004, 0.5, 1.5, -2.0, step * 0.49, step * 0.51]), step, 1.0, False)
    # 0.5 / step = 63.5 rounds half to even: 64.
    expected = [0.0, step, 64 * step, 127 * step, -127 * step, 0.0, step]
    assert torch.allclose(q, torch.tensor(expected, dtype=torch.float32), atol=0, rtol=1e-7)
    # 8 bits over [-1, 1]: exactly 255 levels.
    levels = torch.unique(quantize(torch.linspace(-1.2, 1.2, 20001), step, 1.0, False))
    assert levels.numel() == 255
    # 2 bits: levels -1, 0, 1; 0.5 rounds to even (0).
    assert quantize(torch.tensor([0.5, 0.6, -0.6]), converter_step(2, 1.0), 1.0, False).tolist() == [0.0, 1.0, -1.0]
    # 1 bit: the two levels +-bound.
    assert quantize(torch.tensor([0.3, -0.3]), converter_step(1, 2.0), 2.0, True).tolist() == [2.0, -2.0]


def test_balanced_tile_splitting():
    assert split(1030, 512) == [(0, 344), (344, 343), (687, 343)]
    assert split(512, 512) == [(0, 512)]
    assert split(10, 4) == [(0, 4), (4, 3), (7, 3)]
    assert split(1, 256) == [(0, 1)]
    with pytest.raises(ValueError, match="positive"):
        split(0, 4)
    layer = AnalogLinear(1030, 300, seed=1, chip=ChipSpec(tile_rows=512, tile_cols=256))
    assert layer.in_blocks == [(0, 344), (344, 343), (687, 343)] and layer.out_blocks == [(0, 150), (150, 150)]


def test_clipping_at_k_sigma_and_column_scaling():
    w = torch.tensor([[3.0, -3.0, 3.0, -3.0]])
    # Unbiased std = sqrt(4 * 9 / 3) = sqrt(12); k = 0.5 clips at sqrt(3).
    chip = ChipSpec(weight_clip_sigma=0.5, **QUIET)
    assert clip_limit(w, chip) == pytest.approx(3 ** 0.5, rel=1e-6)
    assert torch.allclose(clip(w, chip), torch.tensor([[1.0, -1.0, 1.0, -1.0]]) * 3 ** 0.5)
    assert column_scale(clip(w, chip)).item() == pytest.approx(3 ** 0.5, rel=1e-6)
    # A constant layer (sigma 0) is not clipped.
    assert clip(torch.full((2, 2), 5.0), chip).eq(5.0).all()
    # Forward of e_0: DAC exact, MVM 1 (normalised), ADC 1 / (24/254) = 10.58 -> 11 steps, times sqrt(3).
    y, reruns = run(w, torch.tensor([[1.0, 0.0, 0.0, 0.0]]), chip)
    assert y.item() == pytest.approx(11 * 24 / 254 * 3 ** 0.5, rel=1e-6) and reruns == 0


def test_noise_management_divides_each_token_by_its_abs_max():
    w = torch.tensor([[1.0, 1.0]])
    step = converter_step(8, 1.0)
    y, _ = run(w, torch.tensor([[0.5, 0.25], [-8.0, 4.0], [0.0, 0.0]]), ChipSpec(adc_bits=16, **QUIET))
    # Token 0 / 0.5 = [1, 0.5], 0.5 on the 8-bit DAC = 64 steps; token 1 / 8 = [-1, 0.5]; token 2 stays 0.
    expected = torch.tensor([(1 + 64 * step) * 0.5, (-1 + 64 * step) * 8, 0.0])
    assert torch.allclose(y.squeeze(1), expected, atol=8 * 12 / 65534)
    y, _ = run(w, torch.tensor([[0.5, 0.25]]), ChipSpec(adc_bits=16, noise_management="none", **QUIET))
    assert y.item() == pytest.approx(64 * step + 32 * step, abs=12 / 65534)


def test_bound_management_redoes_only_clipping_tokens():
    w = torch.ones(1, 4)
    chip = ChipSpec(output_bound=1.5, **QUIET)
    x = torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    y, reruns = run(w, x, chip)
    # Tokens 0 and 2: MVM 4 > 1.5 -> halve: 2 > 1.5 -> halve: DAC(0.25) = 32/127, MVM 4 x 32/127 = 1.00787 fits.
    # ADC (step 3/254): 1.00787 / (3/254) = 85.3 -> 85 -> 85 x 3/254, times input scale x 4.
    adc = 85 * np.float32(3 / 254)
    assert reruns == 4
    assert y[0].item() == pytest.approx(adc * 4, rel=1e-6)
    assert y[2].item() == pytest.approx(adc * 8, rel=1e-6)
    # Token 1: MVM 1 fits at once: 1 / (3/254) = 84.67 -> 85.
    assert y[1].item() == pytest.approx(adc, rel=1e-6)
    # Limit 2: one halving only, the output saturates at the bound: 1.5 x 2.
    y, reruns = run(w, x[:1], chip.replace(bound_management_limit=2.0))
    assert reruns == 1 and y.item() == pytest.approx(3.0, rel=1e-6)
    # Without bound management the output saturates at once.
    y, reruns = run(w, x[:1], chip.replace(bound_management="none"))
    assert reruns == 0 and y.item() == pytest.approx(1.5, rel=1e-6)


def test_partial_sums_over_input_blocks_and_output_scale():
    # Two input blocks of 2: each token block is managed separately, partial sums added digitally.
    w = torch.tensor([[1.0, 1.0, 1.0, 1.0]])
    chip = ChipSpec(tile_rows=2, adc_bits=16, dac_bits=16, weight_clip_sigma=10.0, **QUIET)
    y, _ = run(w, torch.tensor([[1.0, 1.0, 100.0, 100.0]]), chip, output_scale=torch.tensor([0.5]))
    # One tile: 202 would clip (bound 12) and be redone; two tiles: 2 and 2 (x 100) are both in range.
    assert y.item() == pytest.approx(101.0, rel=1e-4)


def test_straight_through_gradients():
    torch.manual_seed(0)
    w = torch.randn(3, 5) * 0.2
    chip = ChipSpec(weight_clip_sigma=10.0, **QUIET)
    x = (torch.randn(4, 5) * 0.5).requires_grad_()
    y, _ = run(w, x, chip)
    y.sum().backward()
    # Quantisers pass the gradient through and the scales are constants: d sum(y) / dx = sum_j W[j, :].
    assert torch.allclose(x.grad, w.sum(0).expand(4, 5), atol=1e-6)
    # Outputs clipped by the ADC (no bound management) pass no gradient.
    x = torch.ones(1, 5, requires_grad=True)
    y, _ = run(torch.ones(1, 5), x, ChipSpec(output_bound=2.0, bound_management="none", **QUIET))
    y.sum().backward()
    assert x.grad.abs().max().item() == 0.0


def test_analog_linear_parameters_and_init():
    layer = AnalogLinear(16, 8, seed=3, lora=LoraSpec(rank=4, alpha=16, dropout=0.0))
    names = {n: p.requires_grad for n, p in layer.named_parameters()}
    assert names == {"weight": False, "bias": False, "output_scale": False, "lora_A.weight": True, "lora_B.weight": True}
    assert layer.lora_B.weight.abs().max().item() == 0.0 and layer.output_scale.eq(1).all()
    bound = 16 ** -0.5  # Kaiming-uniform, a = sqrt(5)
    assert layer.lora_A.weight.abs().max().item() <= bound and layer.lora_A.weight.abs().max().item() > 0.8 * bound
    again = AnalogLinear(16, 8, seed=3, lora=LoraSpec(rank=4, alpha=16, dropout=0.0))
    assert torch.equal(layer.weight, again.weight) and torch.equal(layer.lora_A.weight, again.lora_A.weight)
    # Digital mode with B = 0 is the frozen linear layer; LoRA adds scale x B A x.
    x = torch.randn(2, 3, 16)
    assert torch.allclose(layer(x), torch.nn.functional.linear(x, layer.weight, layer.bias))
    with torch.no_grad():
        layer.lora_B.weight.fill_(0.1)
    expected = torch.nn.functional.linear(x, layer.weight) + 4.0 * (x @ layer.lora_A.weight.t() @ layer.lora_B.weight.t())
    assert torch.allclose(layer(x), expected, atol=1e-5)
    with pytest.raises(ValueError, match="expects 16 input features"):
        layer(torch.randn(2, 15))
    with pytest.raises(ValueError, match="mode"):
        layer.mode = "fast"
