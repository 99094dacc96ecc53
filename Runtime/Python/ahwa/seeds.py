"""The one seed scheme: every draw comes from a stream derived from (seed, purpose, index...).

stream_seed(seed, purpose, i1, i2, ...) folds the indices into a 63-bit torch.Generator seed with SplitMix64's
finaliser: x = mix(seed ^ (purpose << 56)), then x = mix(((x ^ i) + 0x9E3779B97F4A7C15) mod 2^64) for each
index in order. The stream never depends on thread, rank or batch layout, only on the key.

Keys used by the package (layer = the layer's noise index, step = optimiser step or forward counter,
sample = the sample's global index in the dataset):
  INITIALISATION (seed, INITIALISATION, layer, tensor)                 tensor 0 = weight, 1 = lora_A
  WEIGHT_NOISE   (seed, WEIGHT_NOISE, layer, step, out_block, in_block)   shared by the whole global batch
  OUTPUT_NOISE   (seed, OUTPUT_NOISE, layer, step, sample, out_block, in_block, iteration)  [rows of sample, n]
  DROPOUT        (seed, DROPOUT, layer, step, sample)        uniform [rows of sample, in]
  PROGRAMMING    (seed, PROGRAMMING, layer, 0, out_block, in_block, polarity)   polarity 0 = G+, 1 = G-
  DRIFT          (seed, DRIFT, layer, 0, out_block, in_block, polarity)         drift-exponent normals
  READ_NOISE     (seed, READ_NOISE, layer, 0, out_block, in_block, polarity)    seed = the drift_to seed
  SHUFFLE        (seed, SHUFFLE, epoch)                      permutation of the dataset
  SAMPLING       (seed, SAMPLING, step, prompt)              GRPO's completions of a prompt (ahwa.grpo)
Programmed-chip forwards key OUTPUT_NOISE like training with seed = the last program/drift_to seed and step =
the call number since then (or the context's step). The drift sweep's protocol seeds are C#'s own
(Runtime/Lab/Evaluation/DriftSweep.cs), derived with derive(), the C# RandomStream.Derive: repetition r programs
with derive(seed, REPETITION, r), time index t draws drift and read noise with derive(that, DRIFT, t).
Weight noise, programming, drift and read noise are [out_block rows, in_block cols] tensors (the tile as a slice
of the out x in weight); per-row draws are [rows of the sample, n] with rows in the sample's own order. Because per-sample draws are keyed by the global sample index and batch-shared draws by the
step, N ranks (or accumulation micro-batches) see the same numbers as one process with the global batch.
"""
from __future__ import annotations

import torch

from ._generated import Purpose  # StreamPurpose of Runtime/Simulator/RandomStream.cs, generated from it

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z: int) -> int:
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def stream_seed(seed: int, purpose: Purpose, *index: int) -> int:
    x = mix64((int(seed) & MASK64) ^ (int(purpose) << 56))
    for i in index:
        x = mix64(((x ^ (int(i) & MASK64)) + GOLDEN) & MASK64)
    return x >> 1  # 63 bits: accepted by manual_seed on every torch version


def derive(seed: int, purpose: Purpose, index: int) -> int:
    """RandomStream.Derive(seed, purpose, index): the first number of the C# stream For(seed, purpose, index), whose
    stream id is (purpose << 48) ^ index. A 64-bit seed for the next level of the scheme."""
    return Xoshiro256(int(seed) & MASK64, ((int(purpose) << 48) ^ (int(index) & MASK64)) & MASK64).next_uint64()


def generator(seed: int, purpose: Purpose, *index: int, device="cpu") -> torch.Generator:
    g = torch.Generator(device=torch.device(device))
    g.manual_seed(stream_seed(seed, purpose, *index))
    return g


class Xoshiro256:
    """Runtime/Simulator/RandomStream.cs (xoshiro256** seeded through SplitMix64), uniform draws only: the
    simulator's fixed calibration batch is generated with it, so both implementations read out with the same input."""

    def __init__(self, seed: int, stream: int):
        x = (seed ^ mix64((stream + GOLDEN) & MASK64)) & MASK64
        state = []
        for _ in range(4):
            x = (x + GOLDEN) & MASK64
            state.append(mix64(x))
        self.s = state

    def next_uint64(self) -> int:
        s0, s1, s2, s3 = self.s
        rot = lambda v, k: ((v << k) | (v >> (64 - k))) & MASK64
        result = (rot((s1 * 5) & MASK64, 7) * 9) & MASK64
        t = (s1 << 17) & MASK64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rot(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_open_unit(self) -> float:
        return ((self.next_uint64() >> 11) + 0.5) * (1.0 / (1 << 53))
