"""safetensors read/write by hand and PEFT adapter folders, compatible with Runtime/Lab/Formats/SafeTensors.cs and
AdapterFiles.cs (adapter_model.safetensors with base_model.model.-prefixed names, adapter_config.json)."""
from __future__ import annotations

import json
import os
import shutil
import struct
import sys
import tempfile
from typing import Dict, Optional, Tuple

import numpy as np
import torch

PEFT_PREFIX = "base_model.model."
WEIGHTS_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"

# name -> (torch dtype, bytes per element)
DTYPES = {
    "F64": (torch.float64, 8), "F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
    "I64": (torch.int64, 8), "I32": (torch.int32, 4), "I16": (torch.int16, 2), "I8": (torch.int8, 1),
    "U8": (torch.uint8, 1), "BOOL": (torch.bool, 1),
}
_NAMES = {dtype: name for name, (dtype, _) in DTYPES.items()}

if sys.byteorder != "little":  # the format is little-endian and tensors are written as raw memory
    raise ImportError("ahwa.files needs a little-endian machine")


def _to_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)  # numpy has no bfloat16; the bits are what is stored
    return t.numpy().tobytes()


def serialize(tensors: Dict[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> bytes:
    """Tensors ordered by element size (largest first), then name, so each is aligned to its own size; the header
    is padded with spaces to a multiple of 8 bytes."""
    for name, t in tensors.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"tensor name {name!r} must be a non-empty string")
        if t.dtype not in _NAMES:
            raise ValueError(f"tensor '{name}' has dtype {t.dtype}, which safetensors cannot store here")
    order = sorted(tensors, key=lambda n: (-DTYPES[_NAMES[tensors[n].dtype]][1], n))
    header: dict = {"__metadata__": dict(metadata if metadata is not None else {"format": "pt"})}
    blobs, offset = [], 0
    for name in order:
        data = _to_bytes(tensors[name])
        header[name] = {"dtype": _NAMES[tensors[name].dtype], "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def _unique_pairs(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise _Duplicate(k)
        seen[k] = v
    return seen


class _Duplicate(Exception):
    pass


def deserialize(data: bytes, file: str = "<bytes>") -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    def bad(message, tensor=None):
        where = f"'{file}'" + (f": tensor '{tensor}'" if tensor is not None else "")
        return ValueError(f"{where}: {message}")

    if len(data) < 8:
        raise bad(f"not a safetensors file: {len(data)} bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise bad(f"header length {n} exceeds the file ({len(data)} bytes)")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"), object_pairs_hook=_unique_pairs)
    except _Duplicate as e:
        raise bad("appears twice in the header", str(e.args[0])) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise bad("the header is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise bad("__metadata__ must map strings to strings")
    body = memoryview(data)[8 + n:]
    entries = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
            raise bad("lacks dtype, shape or data_offsets", name)
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in DTYPES:
            raise bad(f"has dtype {dtype!r}; supported: {', '.join(DTYPES)}", name)
        if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            raise bad(f"has shape {shape!r}; dimensions must be integers >= 0", name)
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
                or offsets[0] < 0 or offsets[1] < offsets[0]):
            raise bad(f"has data offsets {offsets!r}; expected [begin, end] with 0 <= begin <= end", name)
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if offsets[1] - offsets[0] != count * DTYPES[dtype][1]:
            raise bad(f"has shape {shape} ({dtype}) = {count * DTYPES[dtype][1]} bytes but data offsets {offsets} "
                      f"= {offsets[1] - offsets[0]} bytes", name)
        entries.append((offsets[0], offsets[1], name, dtype, shape))
    entries.sort()
    position = 0
    for begin, end, name, _, _ in entries:
        if begin != position:
            what = "overlaps the previous tensor" if begin < position else "leaves a gap after the previous tensor"
            raise bad(f"data offsets [{begin}, {end}] {what} (expected begin {position})", name)
        position = end
    if position != len(body):
        raise bad(f"tensor data ends at byte {position} but the data section has {len(body)} bytes")
    tensors = {}
    for begin, end, name, dtype, shape in entries:
        torch_dtype = DTYPES[dtype][0]
        raw = bytes(body[begin:end])
        if torch_dtype in (torch.float16, torch.bfloat16):
            t = torch.from_numpy(np.frombuffer(raw, dtype=np.int16).copy()).view(torch_dtype)
        elif torch_dtype == torch.bool:
            t = torch.from_numpy(np.frombuffer(raw, dtype=np.uint8).copy()).to(torch.bool)
        else:
            t = torch.from_numpy(np.frombuffer(raw, dtype=torch.empty(0, dtype=torch_dtype).numpy().dtype).copy())
        tensors[name] = t.reshape(shape)
    return tensors, metadata


def save_file(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None):
    write_atomically(path, serialize(tensors, metadata))


def load_file(path: str) -> Dict[str, torch.Tensor]:
    with open(path, "rb") as f:
        return deserialize(f.read(), path)[0]


def write_atomically(path: str, data: bytes):
    """Temporary file in the same folder, fsync, rename: readers see the old file or the new one."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


# PEFT adapter folders

def adapter_tensors(model: torch.nn.Module) -> Dict[str, torch.Tensor]:
    """The task's own parameters (every trainable one: LoRA matrices and task heads), by PEFT name."""
    return {PEFT_PREFIX + name: p.detach().float().cpu().clone() for name, p in model.named_parameters() if p.requires_grad}


def adapter_config(model: torch.nn.Module, lora, base_model: str = "", task_type: Optional[str] = None) -> dict:
    """The fields AdapterFiles.cs writes, in its order."""
    from .analog import analog_layers
    targets = [name for name, layer in analog_layers(model) if layer.lora_spec is not None]
    lora_modules = {name + ".lora_A" for name in targets} | {name + ".lora_B" for name in targets}
    heads = []
    for name, p in model.named_parameters():
        module = name.rsplit(".", 1)[0]
        if p.requires_grad and module not in lora_modules and module not in heads:
            heads.append(module)
    layers = dict(analog_layers(model))
    return {
        "peft_type": "LORA", "base_model_name_or_path": base_model, "task_type": task_type,
        "r": lora.rank, "lora_alpha": lora.alpha, "lora_dropout": lora.dropout, "bias": "none",
        "fan_in_fan_out": False, "inference_mode": True, "target_modules": targets,
        "rank_pattern": {n: layers[n].lora_spec.rank for n in targets if layers[n].lora_spec.rank != lora.rank},
        "alpha_pattern": {n: layers[n].lora_spec.alpha for n in targets if layers[n].lora_spec.alpha != lora.alpha},
        "modules_to_save": heads,
    }


def save_adapter(directory: str, tensors: Dict[str, torch.Tensor], config: dict):
    """Writes both files into a temporary sibling folder, then swaps it in by rename."""
    directory = os.path.abspath(directory)
    parent = os.path.dirname(directory)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="." + os.path.basename(directory) + ".", suffix=".tmp", dir=parent)
    try:
        os.chmod(staging, 0o755)  # mkdtemp creates 0700
        with open(os.path.join(staging, WEIGHTS_FILE), "wb") as f:
            f.write(serialize(tensors, {"format": "pt"}))
        with open(os.path.join(staging, CONFIG_FILE), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)
        old = None
        if os.path.exists(directory):
            old = staging + ".old"
            os.replace(directory, old)
        os.replace(staging, directory)
        if old:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def save_model_adapter(model, directory: str, lora, base_model: str = "", task_type: Optional[str] = None):
    save_adapter(directory, adapter_tensors(model), adapter_config(model, lora, base_model, task_type))


def load_adapter(directory: str) -> Tuple[Dict[str, torch.Tensor], dict]:
    weights, config_path = os.path.join(directory, WEIGHTS_FILE), os.path.join(directory, CONFIG_FILE)
    for path, what in ((weights, "adapter weights"), (config_path, "adapter config")):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no {what} at '{path}'")
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"'{config_path}' is not a PEFT LoRA config: {e}") from None
    if not isinstance(config, dict) or config.get("peft_type") != "LORA":
        raise ValueError(f"'{config_path}': peft_type is {config.get('peft_type') if isinstance(config, dict) else None!r}, not 'LORA'")
    return load_file(weights), config


def apply_adapter(model: torch.nn.Module, tensors: Dict[str, torch.Tensor], source: str = "adapter"):
    """Checks every tensor against the model's trainable parameters before changing anything, then copies."""
    params = {PEFT_PREFIX + n: p for n, p in model.named_parameters() if p.requires_grad}
    for name, t in tensors.items():
        if name not in params:
            raise ValueError(f"{source}: tensor '{name}' does not belong to the model")
        if tuple(t.shape) != tuple(params[name].shape):
            raise ValueError(f"{source}: tensor '{name}' has shape {list(t.shape)}; the model expects {list(params[name].shape)}")
    missing = [n for n in params if n not in tensors]
    if missing:
        raise ValueError(f"{source}: tensor '{missing[0]}' is missing ({len(missing)} missing in all)")
    with torch.no_grad():
        for name, t in tensors.items():
            params[name].copy_(t.to(params[name].dtype))


def load_adapter_into(model, directory: str):
    tensors, _ = load_adapter(directory)
    apply_adapter(model, tensors, os.path.join(directory, WEIGHTS_FILE))
