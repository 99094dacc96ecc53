"""What the generated PyTorch models use, as Runtime/Core/Modules/AhwaModuleBase.cs, AhwaModel.cs and LayerFactory.cs
are for the generated C#: layers registered under dotted Hugging Face paths, a factory that creates each layer from
the model's layer table, descriptors for the generated members, and the helpers the translated forwards call.

A generated module (see Targets/Codegen/Python) defines one AhwaModel subclass per [AnalogModel] and one AhwaBlock
subclass per [AnalogBlock], with the layer table as LAYERS and the chip as CHIP, and a build() factory for
ahwa.train / ahwa.evaluate."""
from __future__ import annotations

import dataclasses
import math
from typing import Dict, Iterable, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ._generated import DEFAULT_SEED
from .analog import AnalogLinear, add_lora
from .files import load_file
from .noise import seeded_for
from .seeds import Purpose, generator
from .spec import ChipSpec, LoraSpec

MODES = ("digital", "hardware_aware", "programmed")


@dataclasses.dataclass(frozen=True)
class LayerEntry:
    """One row of a generated LAYERS table: LayerSpec of Targets/Hardware/Specs.cs."""
    name: str
    analog: bool
    in_features: int
    out_features: int
    bias: bool
    lora: Optional[LoraSpec]


def layer_table(rows: Iterable[tuple]) -> Dict[str, LayerEntry]:
    """From (name, "analog"|"digital", in, out, bias, rank, alpha, dropout) rows; rank 0 means no adapter."""
    table = {}
    for name, kind, n_in, n_out, bias, rank, alpha, dropout in rows:
        if name in table:
            raise ValueError(f"layer table names '{name}' twice")
        table[name] = LayerEntry(name, kind == "analog", int(n_in), int(n_out), bool(bias),
                                 LoraSpec(int(rank), float(alpha), float(dropout)) if rank else None)
    return table


def join(prefix: str, name: str) -> str:
    """LayerNaming.Join."""
    return name if not prefix else prefix + "." + name


def block_prefix(name: str, index: int) -> str:
    """LayerNaming.BlockPrefix: encoder.layer + 3 -> encoder.layer.3."""
    return f"{name}.{index}"


class DigitalLinear(nn.Module):
    """Runtime/Core/Modules/DigitalLinear.cs: weight and bias as nn.Linear, an optional LoRA branch with PEFT's names.
    Its LoRA dropout mask is drawn from the layer's keyed stream, like AnalogLinear's."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, seed: int, index: int,
                 lora: Optional[LoraSpec] = None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.lora_spec = lora
        self.noise_seed, self.noise_index = int(seed), int(index)
        self.forward_calls = 0
        bound = 1.0 / math.sqrt(in_features)
        g = generator(seed, Purpose.INITIALISATION, index, 0)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound, generator=g))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound, generator=g)) if bias else None
        add_lora(self, in_features, out_features, lora, seed, index)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if input.shape[-1] != self.in_features:
            raise ValueError(f"DigitalLinear expects {self.in_features} input features, got shape {list(input.shape)}")
        self.forward_calls += 1
        y = F.linear(input, self.weight, self.bias)
        if self.lora_spec is None:
            return y
        x = input
        p = self.lora_spec.dropout
        if self.training and p > 0:
            batch = input.shape[0] if input.dim() > 1 else 1
            flat = x.reshape(-1, self.in_features)
            noise = seeded_for(self.noise_seed, self.noise_index, self.forward_calls, batch, max(1, flat.shape[0] // batch))
            rows = torch.arange(flat.shape[0], device=x.device)
            keep = noise.rows(Purpose.DROPOUT, (), rows, self.in_features, x.device, uniform=True) >= p
            x = (flat * keep.to(flat.dtype) * (1.0 / (1.0 - p))).reshape(input.shape)
        return y + self.lora_B(self.lora_A(x)) * self.lora_spec.scale


class LayerFactory:
    """Creates layers by full name from the model's table; analog layers are numbered in creation order (their key
    in every seeded stream), digital ones after them."""

    def __init__(self, table: Dict[str, LayerEntry], seed: int, chip: ChipSpec, mode: str):
        self.table, self.seed, self.chip, self.mode = table, int(seed), chip, mode
        self.analog_count = 0
        self.digital_count = 0

    def _entry(self, name: str, analog: bool) -> LayerEntry:
        if name not in self.table:
            raise KeyError(f"the model's layer table has no layer '{name}'")
        entry = self.table[name]
        if entry.analog != analog:
            raise ValueError(f"layer '{name}' is {'analog' if entry.analog else 'digital'}, not {'analog' if analog else 'digital'}")
        return entry

    def analog(self, name: str) -> AnalogLinear:
        e = self._entry(name, True)
        layer = AnalogLinear(e.in_features, e.out_features, e.bias, seed=self.seed, index=self.analog_count,
                             chip=self.chip, lora=e.lora, mode=self.mode)
        self.analog_count += 1
        return layer

    def digital(self, name: str) -> DigitalLinear:
        e = self._entry(name, False)
        self.digital_count += 1
        return DigitalLinear(e.in_features, e.out_features, e.bias, seed=self.seed, index=100_000 + self.digital_count, lora=e.lora)


class Layer:
    """A generated layer member: resolves its path on each access, so wrappers (DDP, FSDP) that replace children
    are seen."""

    def __init__(self, path: str):
        self.path = path

    def __get__(self, owner, kind=None):
        return self if owner is None else owner.get_submodule(self.path)


class Blocks:
    """A generated [Blocks] member: the blocks at name.0 .. name.(count-1), resolved on each access."""

    def __init__(self, name: str, count: int):
        self.name, self.count = name, count

    def __get__(self, owner, kind=None):
        if owner is None:
            return self
        return [owner.get_submodule(block_prefix(self.name, i)) for i in range(self.count)]


class AhwaModule(nn.Module):
    """Registers modules under dotted paths with a plain container per intermediate segment (as the C# ModuleScope),
    so state_dict keys are Hugging Face's: encoder.layer.3.attention.self.query.weight."""

    def register_layer(self, path: str, module: nn.Module) -> nn.Module:
        segments = path.split(".")
        if not path or any(not s for s in segments):
            raise ValueError(f"invalid layer path '{path}'")
        parent: nn.Module = self
        for segment in segments[:-1]:
            child = parent._modules.get(segment)
            if child is None:
                child = nn.Module()
                parent.add_module(segment, child)
            parent = child
        existing = parent._modules.get(segments[-1])
        if existing is module:
            return module  # a field registered itself under this very name
        if existing is not None:
            raise ValueError(f"a module is already registered at '{path}'")
        # A user field that holds the module was registered under its field name by nn.Module; as in C#, a module
        # registered at a path lives there only, and the field keeps referring to it.
        for name, child in list(self._modules.items()):
            if child is module:
                del self._modules[name]
                object.__setattr__(self, name, module)
        parent.add_module(segments[-1], module)
        return module

    def OnLayersCreated(self):
        """Overridden by a translated OnLayersCreated."""

    @property
    def ahwa_device(self) -> torch.device:
        """Where tensors created inside a forward go: the device of the model's first parameter or buffer."""
        for p in self.parameters():
            return p.device
        for b in self.buffers():
            return b.device
        return torch.device("cpu")


class AhwaBlock(AhwaModule):
    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix


class AhwaModel(AhwaModule):
    """Base of a generated model: the layer table, the chip, the factory; forward calls the entry method."""
    LAYERS: Sequence[tuple] = ()
    CHIP: dict = {}
    NAME: Optional[str] = None
    ENTRY: Optional[str] = None

    def __init__(self, seed: int = DEFAULT_SEED, mode: str = "digital", chip: Optional[ChipSpec] = None, entry: Optional[str] = None):
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}: must be one of {MODES}")
        self.chip_spec = chip or ChipSpec.from_dict(self.CHIP)
        self.factory = LayerFactory(layer_table(self.LAYERS), seed, self.chip_spec, mode)
        self.entry = entry or self.ENTRY
        if self.entry is not None and not callable(getattr(type(self), self.entry, None)):
            raise ValueError(f"{type(self).__name__} has no method '{self.entry}' to use as forward")

    def configure_training(self, regime: str = "ahwa_lora"):
        """AhwaModel.ConfigureTraining: AHWA-LoRA trains the LoRA matrices and the digital layers (task heads), with
        meta-weights, output scales, biases, embeddings and norms frozen; full AHWA trains every parameter."""
        if regime not in ("ahwa_lora", "full_ahwa"):
            raise ValueError(f"training regime {regime!r}: must be 'ahwa_lora' or 'full_ahwa'")
        adapter = set()
        for module in self.modules():
            if isinstance(module, DigitalLinear):
                adapter.update(id(p) for p in module.parameters())
            elif isinstance(module, AnalogLinear) and module.lora_spec is not None:
                adapter.update(id(p) for p in (module.lora_A.weight, module.lora_B.weight))
        for p in self.parameters():
            p.requires_grad_(regime == "full_ahwa" or id(p) in adapter)
        return self

    def forward(self, *args, **kwargs):
        if self.entry is None:
            raise RuntimeError(f"{type(self).__name__} has no Forward method: pass entry='MethodName' to choose one")
        return getattr(self, self.entry)(*args, **kwargs)


def load_weights(model: nn.Module, path: str, may_stay_unloaded: Sequence[str] = ("lora_A", "lora_B")):
    """Loads a safetensors file of the model's state (as Ahwa.Lab writes it) and accounts for every name: a tensor
    the model does not have, a shape that differs, or a model parameter the file lacks (other than LoRA matrices,
    which an exported base model may leave out) is an error naming the file and the tensor."""
    tensors = load_file(path)
    state = model.state_dict()
    for name, t in tensors.items():
        if name not in state:
            raise ValueError(f"'{path}': tensor '{name}' is not a parameter of {type(model).__name__}")
        if tuple(t.shape) != tuple(state[name].shape):
            raise ValueError(f"'{path}': tensor '{name}' has shape {list(t.shape)}; the model expects {list(state[name].shape)}")
    missing = [n for n in state if n not in tensors and not any(part in n.split(".") for part in may_stay_unloaded)]
    if missing:
        raise ValueError(f"'{path}': tensor '{missing[0]}' is missing ({len(missing)} model tensors missing in all)")
    with torch.no_grad():
        for name, t in tensors.items():
            state[name].copy_(t.to(state[name].dtype))
    return model


def cs_divide(a, b):
    """C#'s integer division (truncates toward zero), where the translated operands are both integers."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
