"""Drift-sweep evaluation of a trained adapter on the programmed chip:

  python3 -m ahwa.evaluate --model ahwa.toy:build --adapter run/adapter --data shards/ [--times ...] [--repetitions 10]

Per repetition the analog layers are programmed once, then for every time drift and read noise are drawn again
(ahwa.chip.drift_sweep); the metric is accuracy over the targets (labels != -100). Prints one JSON object."""
from __future__ import annotations

import argparse
import json
import sys

import torch

from . import chip, files
from ._generated import DEFAULT_SEED
from .data import ShardDataset
from .noise import noise_context
from .train import build_model


def accuracy(model, data: ShardDataset, batch_size: int, device) -> float:
    correct = total = 0
    for start in range(0, len(data), batch_size):
        indices = torch.arange(start, min(start + batch_size, len(data)))
        batch = {k: v.to(device) for k, v in data.batch(indices).items()}
        # Output noise keyed by batch number and the sample's index in the dataset.
        with noise_context(start // batch_size, indices.tolist()):
            logits = model(batch["input_ids"], batch["attention_mask"])  # positional: a generated forward names them as its C# method does
        labels = batch["labels"]
        keep = labels != -100
        correct += int(((logits.argmax(-1) == labels) & keep).sum())
        total += int(keep.sum())
    return correct / max(1, total)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m ahwa.evaluate", description="Drift sweep of an adapter on the programmed chip.")
    p.add_argument("--model", required=True, help="factory as module:function (as for ahwa.train)")
    p.add_argument("--model-args", default="{}")
    p.add_argument("--adapter", default=None, help="PEFT adapter folder (omit to evaluate the base model)")
    p.add_argument("--data", required=True)
    p.add_argument("--times", type=float, nargs="+", default=list(chip.DRIFT_TIMES))
    p.add_argument("--repetitions", type=int, default=10)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--digital", action="store_true", help="also report the digital (noise-free) accuracy")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--device", choices=("cpu", "cuda"), default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    args.mode, args.full_ahwa = "digital", False
    model = build_model(args).to(device)
    if args.adapter:
        files.load_adapter_into(model, args.adapter)
    model.eval()
    data = ShardDataset(args.data)
    result = {"repetitions": args.repetitions, "seed": args.seed}
    if args.digital:
        with torch.no_grad():
            result["digital"] = accuracy(model, data, args.batch_size, device)
    sweep = chip.drift_sweep(model, lambda m: accuracy(m, data, args.batch_size, device), args.times, args.repetitions, args.seed)
    result["sweep"] = [{"seconds": t, "mean": v["mean"], "std": v["std"]} for t, v in sweep.items()]
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
