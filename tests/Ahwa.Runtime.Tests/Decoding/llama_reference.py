"""An independent LLaMA forward, written from the architecture (Touvron et al. 2023; Meta's LLaMA-3 rope scaling),
not from Ahwa's code: it reads a Hugging Face folder itself (config.json, model.safetensors or the sharded index;
F32, F16 or BF16), computes in float64 one step at a time, and prints JSON.

usage: llama_reference.py FOLDER CASE.json
CASE: {"ids": [[...], ...], "norm_input": [[...]]}
out:  {"logits": [...], "inverse_frequencies": [...], "norm_output": [...], "tensors": n, "unused": [...]}"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = data[begin:end]
        if entry["dtype"] == "F32":
            values = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif entry["dtype"] == "F16":
            values = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        elif entry["dtype"] == "BF16":
            # bfloat16 is the upper half of a float32
            values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        else:
            raise ValueError(f"{path}: {name} has dtype {entry['dtype']}")
        tensors[name] = torch.from_numpy(values.reshape(entry["shape"]).copy())
    return tensors


def read_folder(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(folder, name)))
    return tensors


def inverse_frequencies(config, head):
    base = config["rope_theta"]
    freqs = np.array([1.0 / base ** (2 * i / head) for i in range(head // 2)])
    scaling = config.get("rope_scaling")
    if scaling is None:
        return freqs
    factor, low, high = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"]
    old = scaling["original_max_position_embeddings"]
    wavelen = 2 * math.pi / freqs
    scaled = np.where(wavelen > old / low, freqs / factor, freqs)
    smooth = (old / wavelen - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen <= old / low) & (wavelen >= old / high)
    return np.where(medium, blended, scaled)


def rms_norm(x, weight, eps):
    return weight * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))


def rotate(x, freqs):
    """Rotates each pair (x[i], x[i + d/2]) of every position t by the angle t * freqs[i]."""
    tokens, half = x.shape[-2], x.shape[-1] // 2
    out = torch.empty_like(x)
    for t in range(tokens):
        for i in range(half):
            c, s = math.cos(t * freqs[i]), math.sin(t * freqs[i])
            a, b = x[..., t, i], x[..., t, i + half]
            out[..., t, i] = a * c - b * s
            out[..., t, i + half] = b * c + a * s
    return out


def forward(config, w, ids, used):
    def get(name):
        used.add(name)
        return w[name]

    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads", heads)
    head = config.get("head_dim", hidden // heads)
    eps = config["rms_norm_eps"]
    freqs = inverse_frequencies(config, head)
    ids = torch.tensor(ids)
    batch, tokens = ids.shape
    h = get("model.embed_tokens.weight")[ids]
    for n in range(config["num_hidden_layers"]):
        p = f"model.layers.{n}."
        x = rms_norm(h, get(p + "input_layernorm.weight"), eps)
        q = (x @ get(p + "self_attn.q_proj.weight").T).reshape(batch, tokens, heads, head).permute(0, 2, 1, 3)
        k = (x @ get(p + "self_attn.k_proj.weight").T).reshape(batch, tokens, kv_heads, head).permute(0, 2, 1, 3)
        v = (x @ get(p + "self_attn.v_proj.weight").T).reshape(batch, tokens, kv_heads, head).permute(0, 2, 1, 3)
        q, k = rotate(q, freqs), rotate(k, freqs)
        group = heads // kv_heads
        context = torch.zeros(batch, heads, tokens, head, dtype=torch.float64)
        for hd in range(heads):
            kh, vh = k[:, hd // group], v[:, hd // group]
            for t in range(tokens):
                scores = (q[:, hd, t:t + 1] @ kh[:, :t + 1].transpose(1, 2)) / math.sqrt(head)
                context[:, hd, t] = (torch.softmax(scores, -1) @ vh[:, :t + 1])[:, 0]
        h = h + context.permute(0, 2, 1, 3).reshape(batch, tokens, heads * head) @ get(p + "self_attn.o_proj.weight").T
        x = rms_norm(h, get(p + "post_attention_layernorm.weight"), eps)
        gate = x @ get(p + "mlp.gate_proj.weight").T
        h = h + (gate * torch.sigmoid(gate) * (x @ get(p + "mlp.up_proj.weight").T)) @ get(p + "mlp.down_proj.weight").T
    h = rms_norm(h, get("model.norm.weight"), eps)
    head_weight = get("model.embed_tokens.weight") if config.get("tie_word_embeddings", False) else get("lm_head.weight")
    return h @ head_weight.T, freqs


def main():
    folder, case_path = sys.argv[1], sys.argv[2]
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    with open(case_path) as f:
        case = json.load(f)
    w = read_folder(folder)
    used = set()
    logits, freqs = forward(config, w, case["ids"], used)
    out = {"logits": logits.flatten().tolist(), "inverse_frequencies": list(map(float, freqs)), "tensors": len(w),
           "unused": sorted(set(w) - used)}
    if "norm_input" in case:
        x = torch.tensor(case["norm_input"], dtype=torch.float64)
        out["norm_output"] = rms_norm(x, w["model.norm.weight"], config["rms_norm_eps"]).flatten().tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
