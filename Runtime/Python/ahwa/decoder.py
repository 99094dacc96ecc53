"""The building blocks of a LLaMA-family decoder, as Runtime/Core/Decoders/Decoder.cs, RmsNorm.cs and
KeyValueCache.cs are for the C# model: a translated forward calls these under the C# names (Decoder.Rotate(...)
becomes ahwa_decoder.Rotate(...)), so both compute the same thing step for step."""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch
from torch import nn


class RmsNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) in float32, cast back, times `weight` (Hugging Face's one parameter)."""

    def __init__(self, size: int, epsilon: float):
        super().__init__()
        if size < 1:
            raise ValueError(f"an RMS norm needs at least one feature, got {size}")
        if not epsilon > 0:
            raise ValueError(f"the RMS norm's epsilon (rms_norm_eps) must be positive, got {epsilon}")
        self.epsilon = float(epsilon)
        self.weight = nn.Parameter(torch.ones(size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.to(torch.float32)
        h = h * (h.pow(2).mean(-1, keepdim=True) + self.epsilon).rsqrt()
        return self.weight * h.to(x.dtype)


def InverseFrequencies(head_size: int, theta: float, factor: float, low: float, high: float, original: float) -> List[float]:
    """theta^(-2i/d) in double; factor 1: unscaled, above 1: LLaMA-3's scaling (Decoder.InverseFrequencies)."""
    if head_size < 2 or head_size % 2 != 0:
        raise ValueError(f"rotary embeddings need an even head size, got {head_size}")
    if not theta > 1:
        raise ValueError(f"rope_theta must be above 1, got {theta}")
    if not factor >= 1:
        raise ValueError(f"the rope_scaling factor must be at least 1 (1: no scaling), got {factor}")
    if factor > 1 and not (low > 0 and high > low and original > 0):
        raise ValueError(f"LLaMA-3 rope scaling needs 0 < low_freq_factor < high_freq_factor and "
                         f"original_max_position_embeddings > 0, got low {low}, high {high}, original {original}")
    frequencies = []
    for i in range(head_size // 2):
        f = 1.0 / math.pow(theta, 2.0 * i / head_size)
        if factor > 1:
            wavelength = 2 * math.pi / f
            if wavelength > original / low:
                f = f / factor
            elif wavelength >= original / high:
                smooth = (original / wavelength - low) / (high - low)
                f = (1 - smooth) * f / factor + smooth * f
        frequencies.append(f)
    return frequencies


def RotaryAngles(input_ids: torch.Tensor, start: int, head_size: int, theta: float, factor: float, low: float, high: float,
                 original: float) -> torch.Tensor:
    """Angles [tokens, head size] of positions start .. start + tokens - 1, each frequency twice, float32 (the
    products are formed in double, as in C#)."""
    frequencies = torch.tensor(InverseFrequencies(head_size, theta, factor, low, high, original), dtype=torch.float64)
    positions = torch.arange(int(start), int(start) + input_ids.shape[1], dtype=torch.float64)
    angles = (positions[:, None] * frequencies[None, :]).to(torch.float32)
    return torch.cat([angles, angles], 1).to(input_ids.device)


def Rotate(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    half = x.shape[3] // 2
    rotated = torch.cat([x.narrow(3, half, half).neg(), x.narrow(3, 0, half)], 3)
    return x * angles.cos() + rotated * angles.sin()


def Attention(queries: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, cache: Optional["KeyValueCache"],
              layer: int) -> torch.Tensor:
    """Causal grouped-query attention over the cached tokens and these ones (Decoder.Attention)."""
    heads, tokens, head_size, kv_heads = queries.shape[1], queries.shape[2], queries.shape[3], keys.shape[1]
    if kv_heads < 1 or heads % kv_heads != 0:
        raise ValueError(f"layer {layer}: {heads} query heads cannot share {kv_heads} key-value heads evenly")
    cached = 0 if cache is None else cache.length
    if cache is not None:
        keys, values = cache.append(layer, keys, values)
    if heads != kv_heads:
        keys = keys.repeat_interleave(heads // kv_heads, 1)
        values = values.repeat_interleave(heads // kv_heads, 1)
    future = torch.ones(tokens, keys.shape[2], dtype=torch.bool, device=queries.device).triu(cached + 1)
    scores = queries.matmul(keys.transpose(2, 3)).div(math.sqrt(head_size)).masked_fill(future, float("-inf"))
    return torch.softmax(scores.to(torch.float32), -1).to(queries.dtype).matmul(values)


class KeyValueCache:
    """Keys and values per layer, [batch, key-value heads, tokens, head size] (KeyValueCache.cs): each layer appends
    the new tokens' keys and values, then advance moves past them once every layer has."""

    def __init__(self, layers: int):
        if layers < 1:
            raise ValueError(f"a key-value cache needs at least one layer, got {layers}")
        self.keys: List[Optional[torch.Tensor]] = [None] * layers
        self.values: List[Optional[torch.Tensor]] = [None] * layers
        self.length = 0

    @property
    def layers(self) -> int:
        return len(self.keys)

    def append(self, layer: int, keys: torch.Tensor, values: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= layer < self.layers:
            raise IndexError(f"the cache holds layers 0 to {self.layers - 1}, not {layer}")
        held = 0 if self.keys[layer] is None else self.keys[layer].shape[2]
        if held != self.length:
            raise RuntimeError(f"layer {layer} already holds {held} tokens but the cache is at {self.length}: "
                               "call advance once per forward, after the last layer")
        keys, values = keys.detach(), values.detach()
        self.keys[layer] = keys if self.keys[layer] is None else torch.cat([self.keys[layer], keys], 2)
        self.values[layer] = values if self.values[layer] is None else torch.cat([self.values[layer], values], 2)
        return self.keys[layer], self.values[layer]

    def advance(self, tokens: int) -> None:
        for layer in range(self.layers):
            held = 0 if self.keys[layer] is None else self.keys[layer].shape[2]
            if held != self.length + tokens:
                raise RuntimeError(f"layer {layer} holds {held} tokens, not {self.length + tokens}: every layer must "
                                   "append the new tokens before advance")
        self.length += int(tokens)
