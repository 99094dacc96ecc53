"""safetensors by hand and PEFT adapter folders."""
import json
import os
import struct

import pytest
import torch

from ahwa import files
from ahwa.toy import build


def raw(header: dict, body: bytes, pad=True) -> bytes:
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body


def test_round_trip_every_dtype(tmp_path):
    tensors = {
        "f32": torch.randn(3, 4), "f16": torch.randn(5).half(), "bf16": torch.randn(2, 3).bfloat16(),
        "f64": torch.randn(2).double(), "i64": torch.arange(6).reshape(2, 3), "i32": torch.arange(3, dtype=torch.int32),
        "u8": torch.arange(4, dtype=torch.uint8), "flag": torch.tensor([True, False, True]),
        "scalar": torch.tensor(2.5), "empty": torch.zeros(0, 3),
    }
    path = str(tmp_path / "t.safetensors")
    files.save_file(tensors, path, {"format": "pt", "note": "x"})
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert (8 + n) % 8 == 0
    back, metadata = files.deserialize(data, path)
    assert metadata == {"format": "pt", "note": "x"}
    assert set(back) == set(tensors)
    for name, t in tensors.items():
        assert back[name].dtype == t.dtype and back[name].shape == t.shape and torch.equal(back[name], t), name


def test_f32_bytes_equal_the_csharp_writer():
    # SafeTensors.Serialize: names in ordinal order, compact JSON (dtype, shape, data_offsets), space padding to 8.
    a, b = torch.tensor([1.0, 2.0]), torch.tensor([[3.0], [4.0], [5.0]])
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "F32", "shape": [3, 1], "data_offsets": [8, 20]}}
    expected = raw(header, a.numpy().tobytes() + b.numpy().tobytes())
    assert files.serialize({"b": b, "a": a}) == expected


DUPLICATE = b'{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'
GOOD = {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "y": {"dtype": "F16", "shape": [2], "data_offsets": [8, 12]}}


@pytest.mark.parametrize("data, message", [
    (b"\x01\x02", "not a safetensors file: 2 bytes"),
    (struct.pack("<Q", 100) + b"{}", "header length 100 exceeds"),
    (struct.pack("<Q", 4) + b"{no}", "not valid JSON"),
    (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
    (struct.pack("<Q", len(DUPLICATE)) + DUPLICATE + bytes(8), "tensor 'x': appears twice"),
    (raw({"x": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}, bytes(4)), "tensor 'x': has dtype 'Q7'"),
    (raw({"x": {"dtype": "F32", "shape": [1]}}, bytes(4)), "tensor 'x': lacks dtype, shape or data_offsets"),
    (raw({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, bytes(4)), "tensor 'x': has shape [-1]"),
    (raw({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(8)), "tensor 'x': has shape [3] (F32) = 12 bytes"),
    (raw({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, bytes(8)), "tensor 'x': has data offsets [4, 0]"),
    (raw({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "y": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)), "tensor 'y': data offsets [4, 8] overlaps"),
    (raw({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)), "tensor 'x': data offsets [4, 8] leaves a gap"),
    (raw(GOOD, bytes(16)), "tensor data ends at byte 12 but the data section has 16 bytes"),
    (raw(GOOD, bytes(10)), "tensor data ends at byte 12 but the data section has 10 bytes"),
    (raw({"__metadata__": {"format": 1}}, b""), "__metadata__ must map strings to strings"),
])
def test_every_validation_error_names_file_and_tensor(data, message):
    with pytest.raises(ValueError) as error:
        files.deserialize(data, "model.safetensors")
    assert "'model.safetensors'" in str(error.value) and message in str(error.value), str(error.value)


def test_header_without_padding_is_read():
    assert torch.equal(files.deserialize(raw(GOOD, bytes(12), pad=False))[0]["x"], torch.zeros(2))


def test_peft_folder_round_trip_and_apply(tmp_path):
    model = build(seed=1)
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(p.numel())))
    folder = str(tmp_path / "adapter")
    files.save_model_adapter(model, folder, model.dense.lora_spec, base_model="toy")
    files.save_model_adapter(model, folder, model.dense.lora_spec, base_model="toy")  # replaces atomically
    assert sorted(os.listdir(tmp_path)) == ["adapter"]
    assert sorted(os.listdir(folder)) == [files.CONFIG_FILE, files.WEIGHTS_FILE]
    tensors, config = files.load_adapter(folder)
    assert sorted(tensors) == sorted(["base_model.model.dense.lora_A.weight", "base_model.model.dense.lora_B.weight",
                                      "base_model.model.output.lora_A.weight", "base_model.model.output.lora_B.weight",
                                      "base_model.model.classifier.weight", "base_model.model.classifier.bias"])
    assert config["peft_type"] == "LORA" and config["r"] == 4 and config["lora_alpha"] == 8.0 and config["lora_dropout"] == 0.1
    assert config["target_modules"] == ["dense", "output"] and config["modules_to_save"] == ["classifier"]
    fresh = build(seed=1)
    files.load_adapter_into(fresh, folder)
    for (n, p), (_, q) in zip(model.named_parameters(), fresh.named_parameters()):
        assert torch.equal(p, q), n


def test_adapter_errors_leave_the_model_unchanged(tmp_path):
    model = build(seed=2)
    tensors = files.adapter_tensors(model)
    before = {n: p.clone() for n, p in model.named_parameters()}
    changed = {k: v + 1 for k, v in tensors.items()}
    cases = [
        ({**changed, "base_model.model.extra.weight": torch.zeros(1)}, "tensor 'base_model.model.extra.weight' does not belong"),
        ({**changed, "base_model.model.classifier.bias": torch.zeros(3)}, "has shape [3]; the model expects [2]"),
        ({k: v for k, v in changed.items() if "classifier.bias" not in k}, "tensor 'base_model.model.classifier.bias' is missing"),
    ]
    for bad, message in cases:
        with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
            files.apply_adapter(model, bad, "a.safetensors")
        assert all(torch.equal(p, before[n]) for n, p in model.named_parameters())
    with pytest.raises(FileNotFoundError, match="no adapter weights"):
        files.load_adapter(str(tmp_path))
    folder = str(tmp_path / "a")
    files.save_adapter(folder, tensors, {"peft_type": "PREFIX"})
    with pytest.raises(ValueError, match="peft_type is 'PREFIX', not 'LORA'"):
        files.load_adapter(folder)
