"""Against numbers produced by the C# implementation (fixtures/csharp_reference.json; generator beside it):
calibration batch, simulator forward with bound management over several tiles, drift compensation, PCM formulas,
the quantiser grids and tile splitting."""
import json
import os

import numpy as np
import pytest
import torch

from ahwa import AnalogLinear, ChipSpec, converter_step, converter_steps, hardware_aware_forward, quantize, split
from ahwa.chip import ProgrammedLayer, _adc, calibration_batch, drift_mean, drift_std, programming_std, read_noise_std
from ahwa.noise import SeededNoise

with open(os.path.join(os.path.dirname(__file__), "fixtures", "csharp_reference.json")) as f:
    REF = json.load(f)
OUTS, INS, TOKENS = 7, 10, 6
# As in the generator: 4 x 3 tiles (3 x 3 blocks), bound 1.5 so bound management runs, no output noise, no clipping.
CHIP = ChipSpec(tile_rows=4, tile_cols=3, output_noise=0.0, output_bound=1.5, weight_clip_sigma=1e30)


def t(name, *shape):
    return torch.tensor(REF[name], dtype=torch.float32).reshape(*shape) if shape else torch.tensor(REF[name])


def layer():
    lay = AnalogLinear(INS, OUTS, bias=False, seed=0, chip=CHIP, mode="programmed")
    with torch.no_grad():
        lay.weight.copy_(t("weight", OUTS, INS))
        lay.output_scale.copy_(t("scale", OUTS))
    lay.programmed = ProgrammedLayer(lay)
    return lay


def test_calibration_batch_is_bit_identical():
    assert torch.equal(calibration_batch(5), t("calibration5", 64, 5))


def test_simulator_forward_is_bit_identical():
    lay = layer()
    assert torch.equal(lay.programmed.column_scale.squeeze(1), t("column_scale"))
    with torch.no_grad():
        assert torch.equal(lay(t("x", TOKENS, INS)), t("ideal_forward", TOKENS, OUTS))


def test_drift_compensation_and_drifted_forward_match():
    lay = layer()
    state = lay.programmed
    # Take the C# programmed and drifted tiles (its random streams differ from torch's) and recompute the rest.
    state.effective = t("programmed_weights", OUTS, INS) / state.column_scale
    state.baseline = state.read_out(lay)
    state.effective = t("drifted_weights", OUTS, INS) / state.column_scale
    factor = np.float32(state.baseline / max(state.read_out(lay), 1e-12))
    assert factor == pytest.approx(REF["compensation"][0], rel=1e-6)
    state.compensation = torch.tensor(REF["compensation"], dtype=torch.float32)
    with torch.no_grad():
        assert torch.equal(lay(t("x", TOKENS, INS)), t("drifted_forward", TOKENS, OUTS))


def test_pcm_formulas_match():
    g = torch.tensor(REF["g"], dtype=torch.float64)
    for name, f in (("programming_std", programming_std), ("drift_mean", drift_mean), ("drift_std", drift_std)):
        assert torch.allclose(f(g, 25.0), torch.tensor(REF[name], dtype=torch.float64), rtol=1e-12, atol=0), name
    read = torch.stack([read_noise_std(g, s, 25.0) for s in REF["t"]], 1).reshape(-1)
    assert torch.allclose(read, torch.tensor(REF["read_noise_std"], dtype=torch.float64), rtol=1e-12, atol=0)


@pytest.mark.parametrize("bits, bound", [(8, 1), (8, 12), (6, 1), (2, 1), (1, 1)])
def test_quantisers_match_including_ties(bits, bound):
    values, expected = t(f"quantize_{bits}_{bound}_in"), t(f"quantize_{bits}_{bound}")
    assert torch.equal(_adc(values, ChipSpec(adc_bits=bits, output_bound=float(bound))), expected)
    ste = quantize(values, converter_step(bits, bound), bound, converter_steps(bits) == 1)
    if bits == 1:
        # HardwareAwareForward.cs takes sign(0) = 0 where Quantizer.cs gives +bound; each is mirrored.
        assert torch.equal(ste[values != 0], expected[values != 0]) and (ste[values == 0] == 0).all()
    else:
        # HardwareAwareForward.cs rounds v / step, Quantizer.cs v x (1 / step): off grid they agree; at an exact
        # FP32 half-step tie (the generator's second part, after 131 grid values) the two may pick neighbours.
        assert torch.equal(ste[:131], expected[:131])
        off = (ste - expected).abs()
        assert ((off == 0) | ((off - converter_step(bits, bound)).abs() < 1e-6)).all()


def test_tile_splitting_matches():
    pairs = [(1030, 512), (512, 512), (10, 4), (384, 256), (1536, 512), (7, 3)]
    assert [[list(b) for b in split(*p)] for p in pairs] == REF["splits"]


def test_hardware_aware_forward_without_noise_matches_the_simulator():
    # Same recipe, written for autograd (x / scale instead of x * (1 / scale)): equal up to FP32 rounding.
    y = hardware_aware_forward(t("x", TOKENS, INS), t("weight", OUTS, INS), t("scale", OUTS),
                               CHIP.replace(weight_noise=0.0), split(INS, 4), split(OUTS, 3), SeededNoise(0, 0, 0, list(range(TOKENS)), 1))
    assert torch.allclose(y, t("ideal_forward", TOKENS, OUTS), rtol=1e-6, atol=1e-6)
