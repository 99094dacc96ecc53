"""The FSDP path (torch >= 2.0 only), kept apart so that nothing else imports torch.distributed.fsdp: on torch
1.13 under Python 3.11 that import fails inside torch.distributed._shard."""
from __future__ import annotations

import importlib
import sys

import torch


def require_fsdp():
    """Returns the FSDP class, or exits with a message saying why FSDP cannot be used."""
    version = torch.__version__
    python = ".".join(map(str, sys.version_info[:3]))
    if int(version.split(".")[0]) < 2:
        reason = "FSDP with frozen base weights needs use_orig_params, which arrived in torch 2.0"
        try:
            importlib.import_module("torch.distributed.fsdp")  # only to report the import error if there is one
        except Exception as e:  # the known failure on torch 1.13 + Python 3.11 is a dataclass ValueError
            reason = f"importing torch.distributed.fsdp failed ({type(e).__name__}: {e})"
        raise SystemExit(f"ahwa.train: --strategy fsdp is unavailable with torch {version} on Python {python}: "
                         f"{reason}. Use --strategy ddp, or torch >= 2.0.")
    try:
        FullyShardedDataParallel = importlib.import_module("torch.distributed.fsdp").FullyShardedDataParallel
    except Exception as e:
        raise SystemExit(f"ahwa.train: --strategy fsdp is unavailable with torch {version} on Python {python}: "
                         f"importing torch.distributed.fsdp failed ({type(e).__name__}: {e}). Use --strategy ddp.")
    return FullyShardedDataParallel


def wraps_alone(module: torch.nn.Module) -> bool:
    """The wrapping policy: each repeated block of a generated model (an AhwaBlock: one encoder or decoder layer) is its
    own FSDP unit, so one layer's weights are gathered at a time; a model without blocks is one unit."""
    from .model import AhwaBlock
    return isinstance(module, AhwaBlock)


def wrap_units(model: torch.nn.Module) -> list:
    """The names of the modules wrap() makes their own FSDP units, in order (testable without FSDP)."""
    return [name for name, module in model.named_modules() if module is not model and wraps_alone(module)]


def wrap(model: torch.nn.Module, device: torch.device):
    FSDP = require_fsdp()
    import functools
    policy = functools.partial(importlib.import_module("torch.distributed.fsdp.wrap").lambda_auto_wrap_policy, lambda_fn=wraps_alone)
    # use_orig_params: frozen analog weights and trainable LoRA matrices can share a flat parameter.
    return FSDP(model, auto_wrap_policy=policy, use_orig_params=True, device_id=device if device.type == "cuda" else None)


def full_trainable_state(wrapped) -> dict:
    FSDP = require_fsdp()
    with FSDP.summon_full_params(wrapped, writeback=False):
        return {n: p.detach().cpu().clone() for n, p in wrapped.module.named_parameters() if p.requires_grad}


def load_trainable_state(wrapped, state: dict):
    FSDP = require_fsdp()
    with FSDP.summon_full_params(wrapped, writeback=True):
        params = dict(wrapped.module.named_parameters())
        with torch.no_grad():
            for n, t in state.items():
                params[n].copy_(t)


def optimizer_state(wrapped, optimizer) -> dict:
    return require_fsdp().full_optim_state_dict(wrapped, optimizer)


def load_optimizer_state(wrapped, optimizer, state: dict):
    optimizer.load_state_dict(require_fsdp().shard_full_optim_state_dict(state, wrapped))
