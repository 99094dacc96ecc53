"""ahwa.decoder: the Python twins of the C# decoder blocks (the C#-Python agreement itself is tested from C#)."""
import math

import pytest
import torch

from ahwa import decoder


def test_cache_returns_every_token_so_far_and_refuses_misuse():
    cache = decoder.KeyValueCache(2)
    for layer in range(2):
        cache.append(layer, torch.full((1, 2, 3, 4), float(layer)), torch.zeros(1, 2, 3, 4))
    cache.advance(3)
    keys, _ = cache.append(0, torch.full((1, 2, 1, 4), 9.0), torch.zeros(1, 2, 1, 4))
    assert keys.shape == (1, 2, 4, 4) and keys[0, 0, :, 0].tolist() == [0.0, 0.0, 0.0, 9.0]
    with pytest.raises(RuntimeError, match="layer 1 holds 3 tokens, not 4"):
        cache.advance(1)
    with pytest.raises(RuntimeError, match="layer 0 already holds 4 tokens but the cache is at 3"):
        cache.append(0, torch.zeros(1, 2, 1, 4), torch.zeros(1, 2, 1, 4))
    with pytest.raises(IndexError):
        cache.append(2, torch.zeros(1, 2, 1, 4), torch.zeros(1, 2, 1, 4))
    assert cache.length == 3 and cache.layers == 2


def test_llama3_scaling_keeps_high_divides_low_and_blends_between():
    plain = decoder.InverseFrequencies(16, 10000.0, 1.0, 1.0, 4.0, 64.0)
    scaled = decoder.InverseFrequencies(16, 10000.0, 8.0, 1.0, 4.0, 64.0)
    wavelengths = [2 * math.pi / f for f in plain]
    assert scaled[0] == plain[0] and wavelengths[0] < 16  # short wavelengths stay
    assert all(s == p / 8 for s, p, w in zip(scaled, plain, wavelengths) if w > 64)  # long ones are divided
    blended = [i for i, w in enumerate(wavelengths) if 16 <= w <= 64]
    assert blended and all(plain[i] / 8 < scaled[i] < plain[i] for i in blended)
    with pytest.raises(ValueError, match="low_freq_factor < high_freq_factor"):
        decoder.InverseFrequencies(16, 10000.0, 8.0, 4.0, 1.0, 64.0)


def test_attention_is_causal_and_shares_key_value_heads_by_group():
    torch.manual_seed(0)
    q, k, v = torch.randn(1, 4, 5, 8), torch.randn(1, 2, 5, 8), torch.randn(1, 2, 5, 8)
    out = decoder.Attention(q, k, v, None, 0)
    changed = v.clone()
    changed[:, :, 4] += 10  # the last token's values reach only the last position
    assert torch.allclose(decoder.Attention(q, k, changed, None, 0)[:, :, :4], out[:, :, :4])
    # query head 3 reads key-value head 1 (heads 2 and 3 share it)
    alone = decoder.Attention(q[:, 3:4], k[:, 1:2], v[:, 1:2], None, 0)
    assert torch.allclose(alone[:, 0], out[:, 3], atol=1e-6)


def test_rms_norm_normalises_in_float32_and_scales():
    norm = decoder.RmsNorm(4, 1e-5)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    x = torch.tensor([[3.0, -3.0, 3.0, -3.0]], dtype=torch.float64)
    y = norm(x)
    assert torch.allclose(y.float(), torch.tensor([[1.0, -2.0, 3.0, -4.0]]), atol=1e-5)
