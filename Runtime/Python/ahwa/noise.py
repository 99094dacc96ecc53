"""Noise sources for the analog forwards: seeded (keyed streams, see seeds.py) or injected tensors.

Both answer two kinds of request:
  shared(purpose, key, shape): one draw for the whole batch (weight noise, programming, drift, read noise);
  rows(purpose, key, rows, n): a draw per input row, generated per sample so that it depends only on the
      sample's global index (output noise, LoRA dropout). `rows` are indices into the flattened [tokens, in] input.
Injected tensors are looked up by (purpose, *key): shared ones with the exact shape, per-row ones as a full
[tokens, n] tensor from which the requested rows are taken.
"""
from __future__ import annotations

import contextlib
import dataclasses
from typing import Dict, Optional, Sequence, Tuple

import torch

from .seeds import Purpose, generator


@dataclasses.dataclass
class NoiseContext:
    """Set by the trainer around each micro-batch: the optimiser step and the global index of each sample
    (dimension 0 of the input). Outside a context each layer counts its own forwards and numbers samples 0..B-1."""
    step: int
    samples: Optional[Sequence[int]] = None


_current: list = []


@contextlib.contextmanager
def noise_context(step: int, samples: Optional[Sequence[int]] = None):
    _current.append(NoiseContext(int(step), None if samples is None else [int(s) for s in samples]))
    try:
        yield _current[-1]
    finally:
        _current.pop()


def current_context() -> Optional[NoiseContext]:
    return _current[-1] if _current else None


class SeededNoise:
    def __init__(self, seed: int, layer: int, step: int, samples: Sequence[int], rows_per_sample: int):
        self.seed, self.layer, self.step = int(seed), int(layer), int(step)
        self.samples = list(samples)
        self.rows_per_sample = int(rows_per_sample)

    def shared(self, purpose: Purpose, key: Tuple[int, ...], shape, device, uniform=False) -> torch.Tensor:
        g = generator(self.seed, purpose, self.layer, self.step, *key, device=device)
        draw = torch.rand if uniform else torch.randn
        return draw(tuple(shape), generator=g, device=device, dtype=torch.float32)

    def rows(self, purpose: Purpose, key: Tuple[int, ...], rows: torch.Tensor, n: int, device, uniform=False) -> torch.Tensor:
        rps = self.rows_per_sample
        local = torch.div(rows, rps, rounding_mode="floor")
        within = rows - local * rps
        out = torch.empty(rows.shape[0], n, device=device, dtype=torch.float32)
        draw = torch.rand if uniform else torch.randn
        for s in torch.unique(local).tolist():
            # The sample key comes before the tile key: a sample's stream is the same whatever batch it is in.
            g = generator(self.seed, purpose, self.layer, self.step, self.samples[s], *key, device=device)
            block = draw((rps, n), generator=g, device=device, dtype=torch.float32)
            chosen = local == s
            out[chosen] = block[within[chosen]]
        return out


class InjectedNoise:
    """Noise given as tensors, keyed (purpose, *key), for cross-implementation tests."""

    def __init__(self, tensors: Dict[tuple, torch.Tensor]):
        self.tensors = {(Purpose(k[0]),) + tuple(int(i) for i in k[1:]): v for k, v in tensors.items()}

    def _get(self, purpose, key):
        full = (Purpose(purpose),) + tuple(key)
        if full not in self.tensors:
            raise ValueError(f"injected noise has no tensor for key ({Purpose(purpose).name}, {', '.join(map(str, key))})")
        return full, self.tensors[full]

    def shared(self, purpose, key, shape, device, uniform=False) -> torch.Tensor:
        full, t = self._get(purpose, key)
        if tuple(t.shape) != tuple(shape):
            raise ValueError(f"injected noise {full}: shape {list(t.shape)}, expected {list(shape)}")
        return t.to(device=device, dtype=torch.float32)

    def rows(self, purpose, key, rows, n, device, uniform=False) -> torch.Tensor:
        full, t = self._get(purpose, key)
        if t.dim() != 2 or t.shape[1] != n or (rows.numel() and int(rows.max()) >= t.shape[0]):
            raise ValueError(f"injected noise {full}: shape {list(t.shape)} does not cover rows up to "
                             f"{int(rows.max()) if rows.numel() else 0} with {n} columns")
        return t.to(device=device, dtype=torch.float32)[rows.to(t.device)].to(device)


def seeded_for(seed: int, layer: int, fallback_step: int, batch: int, rows_per_sample: int) -> SeededNoise:
    ctx = current_context()
    step = fallback_step if ctx is None else ctx.step
    samples = list(range(batch)) if ctx is None or ctx.samples is None else ctx.samples
    if len(samples) != batch:
        raise ValueError(f"noise context names {len(samples)} samples but the input batch has {batch}")
    return SeededNoise(seed, layer, step, samples, rows_per_sample)
