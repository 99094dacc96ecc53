"""A small model built from AnalogLinear layers, and a synthetic dataset: the example `--model` for
ahwa.train / ahwa.evaluate and what the tests train. Generated code provides its own factories the same way:
a callable taking seed= and keyword arguments, returning an nn.Module whose forward(input_ids, attention_mask)
gives logits."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .analog import AnalogLinear
from .seeds import Purpose, generator
from .spec import ChipSpec, LoraSpec


class ToyClassifier(nn.Module):
    def __init__(self, seed: int, vocab: int, dim: int, hidden: int, classes: int, chip: ChipSpec, lora: LoraSpec, mode: str):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        with torch.no_grad():
            self.embeddings.weight.normal_(0, 1, generator=generator(seed, Purpose.INITIALISATION, 1000, 0))
        self.embeddings.weight.requires_grad_(False)  # base model: frozen
        self.dense = AnalogLinear(dim, hidden, seed=seed, index=0, chip=chip, lora=lora, mode=mode)
        self.output = AnalogLinear(hidden, dim, seed=seed, index=1, chip=chip, lora=lora, mode=mode)
        self.classifier = nn.Linear(dim, classes)  # digital task head, trained (modules_to_save)
        with torch.no_grad():
            bound = dim ** -0.5
            self.classifier.weight.uniform_(-bound, bound, generator=generator(seed, Purpose.INITIALISATION, 1001, 0))
            self.classifier.bias.zero_()

    def forward(self, input_ids, attention_mask):
        h = self.embeddings(input_ids)
        h = h + self.output(F.gelu(self.dense(h)))
        mask = attention_mask.to(h.dtype).unsqueeze(-1)
        pooled = (h * mask).sum(1) / mask.sum(1).clamp_min(1)
        return self.classifier(pooled)


def build(seed: int, vocab: int = 32, dim: int = 16, hidden: int = 24, classes: int = 2, tile: int = 8,
          rank: int = 4, alpha: float = 8.0, dropout: float = 0.1, mode: str = "hardware_aware") -> ToyClassifier:
    chip = ChipSpec(tile_rows=tile, tile_cols=tile)
    return ToyClassifier(seed, vocab, dim, hidden, classes, chip, LoraSpec(rank, alpha, dropout), mode)


class ToyCausalLm(nn.Module):
    """A next-token model small enough for the GRPO tests: each position sees the running mean of the embeddings so
    far (causal), two analog layers with LoRA, and a head tied to the frozen embeddings."""

    def __init__(self, seed: int, vocab: int, dim: int, hidden: int, chip: ChipSpec, lora: LoraSpec, mode: str):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, dim)
        with torch.no_grad():
            self.embeddings.weight.normal_(0, 1, generator=generator(seed, Purpose.INITIALISATION, 1000, 0))
        self.embeddings.weight.requires_grad_(False)
        self.dense = AnalogLinear(dim, hidden, seed=seed, index=0, chip=chip, lora=lora, mode=mode)
        self.output = AnalogLinear(hidden, dim, seed=seed, index=1, chip=chip, lora=lora, mode=mode)

    def forward(self, input_ids, attention_mask):
        e = self.embeddings(input_ids) * attention_mask.to(torch.float32).unsqueeze(-1)
        seen = torch.arange(1, input_ids.shape[1] + 1, dtype=e.dtype).view(1, -1, 1)
        h = e.cumsum(1) / seen
        h = h + self.output(F.gelu(self.dense(h)))
        return h @ self.embeddings.weight.t()


def build_causal(seed: int, vocab: int = 16, dim: int = 16, hidden: int = 24, tile: int = 8, rank: int = 4, alpha: float = 8.0,
                 dropout: float = 0.0, mode: str = "hardware_aware") -> ToyCausalLm:
    chip = ChipSpec(tile_rows=tile, tile_cols=tile)
    return ToyCausalLm(seed, vocab, dim, hidden, chip, LoraSpec(rank, alpha, dropout), mode)


def make_data(n: int, seq: int, vocab: int, seed: int):
    """Label 1 when more than half of the real tokens are below vocab / 2; random padding at the end."""
    g = generator(seed, Purpose.SHUFFLE, 10_000)
    ids = torch.randint(1, vocab, (n, seq), generator=g)
    lengths = torch.randint(seq // 2, seq + 1, (n,), generator=g)
    mask = (torch.arange(seq)[None, :] < lengths[:, None]).long()
    ids = ids * mask
    low = ((ids < vocab // 2) & (mask > 0)).sum(1)
    labels = (2 * low > lengths).long()
    return ids, mask, labels
