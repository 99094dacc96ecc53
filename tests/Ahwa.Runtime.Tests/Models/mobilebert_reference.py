"""MobileBERT's forward from the architecture (Sun et al. 2020; Hugging Face's names and default flags:
trigram input, bottlenecks, key/query shared bottleneck, values from the full width, stacked FFNs, NoNorm, relu),
written apart from the C# model it checks. Reads the weights and inputs the test wrote, prints the outputs as JSON."""
import json
import sys

import torch
import torch.nn.functional as F


def main(path):
    with open(path) as f:
        spec = json.load(f)
    p = {n: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for n, v in spec["params"].items()}
    print(json.dumps(forward(p, spec["ids"], spec["types"], spec["mask"], spec["heads"])))


def forward(p, ids, types, mask, heads):
    """The last hidden state and the span logits (flattened), the layer count and the tensors never read."""
    used = set()

    def w(name):
        used.add(name)
        return p[name]

    def dense(prefix, x):
        return F.linear(x, w(prefix + ".weight"), w(prefix + ".bias"))

    def no_norm(prefix, x):
        return x * w(prefix + ".weight") + w(prefix + ".bias")

    ids = torch.tensor(ids, dtype=torch.long)
    types = torch.tensor(types, dtype=torch.long)
    mask = torch.tensor(mask, dtype=torch.float32)
    batch, tokens = ids.shape

    e = F.embedding(ids, w("embeddings.word_embeddings.weight"))
    # Trigram: [next token, this token, previous token], zero beyond the sequence.
    e = torch.cat([F.pad(e[:, 1:], (0, 0, 0, 1)), e, F.pad(e[:, :-1], (0, 0, 1, 0))], dim=2)
    h = dense("embeddings.embedding_transformation", e)
    h = h + w("embeddings.position_embeddings.weight")[torch.arange(tokens)][None] + F.embedding(types, w("embeddings.token_type_embeddings.weight"))
    h = no_norm("embeddings.LayerNorm", h)
    additive = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min

    layer = 0
    while "encoder.layer.%d.attention.self.query.weight" % layer in p:
        pre = "encoder.layer.%d." % layer
        layer_input = no_norm(pre + "bottleneck.input.LayerNorm", dense(pre + "bottleneck.input.dense", h))
        shared = no_norm(pre + "bottleneck.attention.LayerNorm", dense(pre + "bottleneck.attention.dense", h))
        q, k, v = dense(pre + "attention.self.query", shared), dense(pre + "attention.self.key", shared), dense(pre + "attention.self.value", h)
        width = q.shape[-1] // heads

        def split(t):
            return t.reshape(batch, tokens, heads, width).permute(0, 2, 1, 3)

        scores = torch.einsum("bhqd,bhkd->bhqk", split(q), split(k)) / (width ** 0.5) + additive
        context = torch.einsum("bhqk,bhkd->bhqd", scores.softmax(-1), split(v)).permute(0, 2, 1, 3).reshape(batch, tokens, heads * width)
        a = no_norm(pre + "attention.output.LayerNorm", dense(pre + "attention.output.dense", context) + layer_input)
        f = 0
        while (pre + "ffn.%d.intermediate.dense.weight" % f) in p:
            fp = pre + "ffn.%d." % f
            a = no_norm(fp + "output.LayerNorm", dense(fp + "output.dense", F.relu(dense(fp + "intermediate.dense", a))) + a)
            f += 1
        out = no_norm(pre + "output.LayerNorm", dense(pre + "output.dense", F.relu(dense(pre + "intermediate.dense", a))) + a)
        h = no_norm(pre + "output.bottleneck.LayerNorm", dense(pre + "output.bottleneck.dense", out) + h)
        layer += 1

    spans = dense("qa_outputs", h)
    unused = sorted(set(p) - used)
    return {"layers": layer, "hidden": h.flatten().tolist(), "spans": spans.flatten().tolist(), "unused": unused}


if __name__ == "__main__":
    main(sys.argv[1])
