"""Pre-tokenised shards: each a safetensors file with integer tensors input_ids [N, T], attention_mask [N, T]
and labels ([N, T] for token tasks, [N] for sequence tasks; -100 = ignored). A dataset is one shard or a folder
of *.safetensors shards, concatenated in file-name order; a sample's global index is its position there."""
from __future__ import annotations

import os
from typing import Dict, List

import torch

from .files import load_file, save_file
from .seeds import Purpose, generator

FIELDS = ("input_ids", "attention_mask", "labels")
_INTEGER = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def write_shard(path: str, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor):
    tensors = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
    _check(tensors, path)
    save_file({k: v.to(torch.int64) for k, v in tensors.items()}, path, {"format": "ahwa-shard"})


def _check(tensors: Dict[str, torch.Tensor], path: str):
    for field in FIELDS:
        if field not in tensors:
            raise ValueError(f"'{path}': shard lacks tensor '{field}'")
        if tensors[field].dtype not in _INTEGER:
            raise ValueError(f"'{path}': tensor '{field}' has dtype {tensors[field].dtype}; shards hold integers")
    ids, mask, labels = (tensors[f] for f in FIELDS)
    if ids.dim() != 2 or tuple(mask.shape) != tuple(ids.shape):
        raise ValueError(f"'{path}': input_ids {list(ids.shape)} and attention_mask {list(mask.shape)} must both be [N, T]")
    if labels.shape[0] != ids.shape[0] or labels.dim() not in (1, 2) or (labels.dim() == 2 and labels.shape != ids.shape):
        raise ValueError(f"'{path}': tensor 'labels' has shape {list(labels.shape)}; expected [N] or [N, T] with N, T of input_ids {list(ids.shape)}")


def shard_paths(path: str) -> List[str]:
    if os.path.isdir(path):
        paths = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".safetensors"))
        if not paths:
            raise ValueError(f"'{path}': no *.safetensors shards in this folder")
        return paths
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no dataset at '{path}'")
    return [path]


class ShardDataset:
    def __init__(self, path: str):
        parts = []
        for p in shard_paths(path):
            tensors = load_file(p)
            _check(tensors, p)
            if parts and (tensors["input_ids"].shape[1] != parts[0]["input_ids"].shape[1] or tensors["labels"].dim() != parts[0]["labels"].dim()):
                raise ValueError(f"'{p}': sequence length or label shape differs from the first shard")
            parts.append({k: tensors[k].to(torch.int64) for k in FIELDS})
        self.tensors = {k: torch.cat([part[k] for part in parts]) for k in FIELDS}

    def __len__(self) -> int:
        return int(self.tensors["input_ids"].shape[0])

    def batch(self, indices: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {k: v[indices] for k, v in self.tensors.items()}

    def target_count(self, indices: torch.Tensor) -> int:
        return int((self.tensors["labels"][indices] != -100).sum())


def permutation(seed: int, epoch: int, n: int) -> torch.Tensor:
    """The sample order of an epoch: a permutation drawn from (seed, SHUFFLE, epoch)."""
    return torch.randperm(n, generator=generator(seed, Purpose.SHUFFLE, epoch))
