"""Training entry point, alone or under torchrun:

  torchrun --nproc_per_node N -m ahwa.train --model ahwa.toy:build --data shards/ --out run/
  (torch 1.13 on Python 3.11 needs `torchrun --redirects 1 --tee 1 ...`, see TOOLCHAIN.md)

DDP (gloo on CPU, nccl on GPU) or FSDP (torch >= 2.0), gradient accumulation, autocast on GPU, Adam with linear
decay to 0 and no warm-up, atomic checkpoints and resume, JSON-lines log on rank 0, PEFT adapter at the end.
Every random number is keyed by (seed, step, global sample index) (see ahwa.seeds), so N ranks x micro-batches
give the same numbers as one process with the same global batch.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib
import json
import os
import signal
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from . import files
from ._generated import DEFAULT_SEED
from .analog import analog_layers, seed_noise, set_mode
from .data import ShardDataset, permutation
from .noise import noise_context


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m ahwa.train", description="Train AnalogLinear models (AHWA-LoRA).")
    p.add_argument("--model", required=True, help="factory as module:function, called as function(seed=..., **model_args)")
    p.add_argument("--model-args", default="{}", help="JSON object of keyword arguments for the factory")
    p.add_argument("--data", required=True, help="a shard (.safetensors) or a folder of shards")
    p.add_argument("--out", required=True, help="output folder: log.jsonl, checkpoint.safetensors, adapter/")
    p.add_argument("--batch-size", type=int, default=32, help="global batch (all ranks and micro-batches)")
    p.add_argument("--accumulation", type=int, default=1, help="micro-batches per rank and step")
    p.add_argument("--epochs", type=float, default=15.0)
    p.add_argument("--max-steps", type=int, default=None, help="total steps (overrides --epochs; sets the lr schedule)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--mode", choices=("hardware_aware", "digital"), default="hardware_aware")
    p.add_argument("--full-ahwa", action="store_true", help="train meta-weights and output scales too")
    p.add_argument("--strategy", choices=("ddp", "fsdp"), default="ddp")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--amp", choices=("auto", "none", "bf16", "fp16"), default="auto", help="autocast on GPU (auto: bf16)")
    p.add_argument("--checkpoint-every", type=int, default=0, help="steps between checkpoints (0: only at the end)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.safetensors if it exists")
    p.add_argument("--log-every", type=int, default=1)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave as is)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds before a collective gives up")
    p.add_argument("--debug-kill-at-step", type=int, default=None, help=argparse.SUPPRESS)  # fault injection for tests
    p.add_argument("--debug-kill-rank", type=int, default=0, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def load_factory(spec: str):
    module, _, name = spec.partition(":")
    if not name:
        raise SystemExit(f"ahwa.train: --model {spec!r} must be module:function")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise SystemExit(f"ahwa.train: cannot load model factory {spec!r}: {e}")


def build_model(args):
    try:
        kwargs = json.loads(args.model_args)
    except json.JSONDecodeError as e:
        raise SystemExit(f"ahwa.train: --model-args is not valid JSON: {e}")
    model = load_factory(args.model)(seed=args.seed, **kwargs)
    if not analog_layers(model):
        raise SystemExit(f"ahwa.train: model from {args.model} has no AnalogLinear layer")
    seed_noise(model, args.seed)
    set_mode(model, args.mode)
    if args.full_ahwa:
        if hasattr(model, "configure_training"):  # a generated model: every parameter, as the C# full AHWA
            model.configure_training("full_ahwa")
        for _, layer in analog_layers(model):
            layer.set_full_ahwa(True)
    return model


def peak_memory_mib() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def loss_sum(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Summed cross entropy over the targets (labels != -100): [B, C] with [B] or [B, T, V] with [B, T]."""
    if logits.dim() == labels.dim() + 1:
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1), ignore_index=-100, reduction="sum")
    raise ValueError(f"logits {list(logits.shape)} do not match labels {list(labels.shape)}")


def lora_spec(model):
    for _, layer in analog_layers(model):
        if layer.lora_spec is not None:
            return layer.lora_spec
    raise SystemExit("ahwa.train: the model has no LoRA branch to train")


def _encode(obj, tensors):
    """Nested state (dicts with int or str keys, lists, tuples, numbers, tensors) as JSON plus named tensors."""
    if isinstance(obj, torch.Tensor):
        name = f"t{len(tensors)}"
        tensors[name] = obj.detach().cpu().contiguous()
        return {"t": name}
    if isinstance(obj, dict):
        return {"d": [[_encode(k, tensors), _encode(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"l" if isinstance(obj, list) else "u": [_encode(v, tensors) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"v": obj}
    raise TypeError(f"cannot checkpoint a {type(obj).__name__}")


def _decode(obj, tensors):
    kind, value = next(iter(obj.items()))
    if kind == "t":
        return tensors[value]
    if kind == "d":
        return {_decode(k, tensors): _decode(v, tensors) for k, v in value}
    if kind in ("l", "u"):
        items = [_decode(v, tensors) for v in value]
        return items if kind == "l" else tuple(items)
    return value


def save_checkpoint(path, payload):
    """One safetensors file (no pickle), the structure as JSON in its metadata, written atomically."""
    tensors = {}
    structure = json.dumps(_encode(payload, tensors))
    files.write_atomically(path, files.serialize(tensors, {"ahwa_checkpoint": structure}))


def load_checkpoint(path):
    with open(path, "rb") as f:
        tensors, metadata = files.deserialize(f.read(), path)
    if "ahwa_checkpoint" not in metadata:
        raise SystemExit(f"ahwa.train: '{path}' is not an ahwa checkpoint (no ahwa_checkpoint metadata)")
    return _decode(json.loads(metadata["ahwa_checkpoint"]), tensors)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.strategy == "fsdp":
        from .fsdp import require_fsdp
        require_fsdp()  # exits with the reason on a torch that cannot do it
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    device = torch.device("cuda", local) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    distributed = world > 1 or args.strategy == "fsdp"
    if distributed:
        dist.init_process_group("nccl" if use_cuda else "gloo", timeout=datetime.timedelta(seconds=args.timeout))

    micro_count = world * args.accumulation
    if args.batch_size % micro_count:
        raise SystemExit(f"ahwa.train: --batch-size {args.batch_size} is not divisible by world size {world} x accumulation {args.accumulation}")
    micro = args.batch_size // micro_count
    data = ShardDataset(args.data)
    steps_per_epoch = len(data) // args.batch_size
    if steps_per_epoch == 0:
        raise SystemExit(f"ahwa.train: {len(data)} samples in '{args.data}' are fewer than one batch of {args.batch_size}")
    total = args.max_steps if args.max_steps is not None else int(args.epochs * steps_per_epoch)

    model = build_model(args).to(device)
    lora = lora_spec(model)
    trainable_names = [n for n, p in model.named_parameters() if p.requires_grad]
    if args.strategy == "fsdp":
        from . import fsdp
        wrapped = fsdp.wrap(model, device)
    elif world > 1:
        wrapped = torch.nn.parallel.DistributedDataParallel(model, device_ids=[local] if use_cuda else None)
    else:
        wrapped = model
    params = [p for p in wrapped.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1.0 - s / max(1, total)))
    amp = "none" if not use_cuda else ("bf16" if args.amp == "auto" else args.amp)
    # torch.amp.GradScaler("cuda") on torch >= 2.3; torch.cuda.amp.GradScaler before (deprecated after).
    scaler = (torch.amp.GradScaler("cuda", enabled=amp == "fp16") if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler")
              else torch.cuda.amp.GradScaler(enabled=amp == "fp16"))

    os.makedirs(args.out, exist_ok=True)
    checkpoint_path = os.path.join(args.out, "checkpoint.safetensors")
    fingerprint = {"seed": args.seed, "batch_size": args.batch_size, "lr": args.lr, "total": total,
                   "model": args.model, "model_args": args.model_args, "mode": args.mode, "samples": len(data)}
    start = 0
    if args.resume and os.path.exists(checkpoint_path):
        state = load_checkpoint(checkpoint_path)
        if state["fingerprint"] != fingerprint:
            raise SystemExit(f"ahwa.train: '{checkpoint_path}' was written by a different run: {state['fingerprint']} != {fingerprint}")
        if args.strategy == "fsdp":
            fsdp.load_trainable_state(wrapped, state["trainable"])
            fsdp.load_optimizer_state(wrapped, optimizer, state["optimizer"])
        else:
            with torch.no_grad():
                named = dict(model.named_parameters())
                for n in trainable_names:
                    named[n].copy_(state["trainable"][n])
            optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        start = int(state["step"])

    def checkpoint(step_done):
        if args.strategy == "fsdp":
            trainable, opt = fsdp.full_trainable_state(wrapped), fsdp.optimizer_state(wrapped, optimizer)
        else:
            trainable = {n: p.detach().cpu().clone() for n, p in model.named_parameters() if p.requires_grad}
            opt = optimizer.state_dict()
        if rank == 0:
            save_checkpoint(checkpoint_path, {"step": step_done, "trainable": trainable, "optimizer": opt,
                                              "scheduler": schedule.state_dict(), "scaler": scaler.state_dict(),
                                              "fingerprint": fingerprint})
        if distributed:
            dist.barrier()

    log = open(os.path.join(args.out, "log.jsonl"), "a") if rank == 0 else None
    wrapped.train()
    orders = {}
    step = start
    try:
        for step in range(start, total):
            if args.debug_kill_at_step == step and rank == args.debug_kill_rank:
                os.kill(os.getpid(), signal.SIGKILL)
            epoch, within = divmod(step, steps_per_epoch)
            if epoch not in orders:
                orders = {epoch: permutation(args.seed, epoch, len(data))}
            indices = orders[epoch][within * args.batch_size:(within + 1) * args.batch_size]
            # Normalise by the global target count so every split of the global batch gives the same gradient.
            count = max(1, data.target_count(indices))
            local_sum = torch.zeros((), device=device)
            for m in range(args.accumulation):
                chunk = indices[(m * world + rank) * micro:(m * world + rank + 1) * micro]
                batch = {k: v.to(device) for k, v in data.batch(chunk).items()}
                sync = m == args.accumulation - 1 or not hasattr(wrapped, "no_sync")
                with (contextlib.nullcontext() if sync else wrapped.no_sync()), noise_context(step, chunk.tolist()):
                    with (torch.autocast("cuda", dtype=torch.bfloat16 if amp == "bf16" else torch.float16) if amp != "none" else contextlib.nullcontext()):
                        logits = wrapped(batch["input_ids"], batch["attention_mask"])  # positional: a generated forward names them as its C# method does
                    s = loss_sum(logits, batch["labels"])
                    # DDP averages gradients over ranks: scale by the world size to get the sum.
                    scaler.scale(s * (world / count)).backward()
                local_sum += s.detach()
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            lr = schedule.get_last_lr()[0]
            schedule.step()
            if distributed:
                dist.all_reduce(local_sum)
            if log and (step % args.log_every == 0 or step == total - 1):
                tokens = int(data.tensors["attention_mask"][indices].sum())  # real tokens of the global batch, padding left out
                log.write(json.dumps({"step": step, "loss": float(local_sum) / count, "lr": lr, "time": time.time(), "tokens": tokens}) + "\n")
                log.flush()
            if args.checkpoint_every and (step + 1) % args.checkpoint_every == 0 and step + 1 < total:
                checkpoint(step + 1)
    except RuntimeError as e:
        if distributed:
            print(f"ahwa.train: rank {rank}: step {step} failed in a collective operation; another rank has "
                  f"probably died or become unreachable ({type(e).__name__}: {str(e).splitlines()[0]})", file=sys.stderr, flush=True)
            sys.exit(1)
        raise
    checkpoint(total)
    if args.strategy == "fsdp":
        tensors = {files.PEFT_PREFIX + n: t.float() for n, t in fsdp.full_trainable_state(wrapped).items()}
    else:
        tensors = files.adapter_tensors(model)
    peak = peak_memory_mib()
    print(f"ahwa.train: rank {rank}: peak memory {peak:.0f} MiB", flush=True)
    if rank == 0:
        # A generated model names itself as its C# twin does, so the C# side accepts the adapter as its own.
        base_model = getattr(model, "NAME", None) or args.model
        files.save_adapter(os.path.join(args.out, "adapter"), tensors, files.adapter_config(model, lora, base_model))
        log.write(json.dumps({"done": total, "peak_memory_mib_rank0": round(peak, 1)}) + "\n")
        log.close()
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
