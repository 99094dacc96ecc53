"""BERT's forward from the architecture (Devlin et al. 2019; Hugging Face's names: embeddings with a layer norm,
post-norm layers, GELU, layer norm eps 1e-12, the span head qa_outputs), written apart from the C# model it checks."""
import torch
import torch.nn.functional as F


def forward(p, ids, types, mask, heads):
    """The last hidden state and the span logits (flattened), the layer count and the tensors never read."""
    used = set()

    def w(name):
        used.add(name)
        return p[name]

    def dense(prefix, x):
        return F.linear(x, w(prefix + ".weight"), w(prefix + ".bias"))

    def norm(prefix, x):
        return F.layer_norm(x, x.shape[-1:], w(prefix + ".weight"), w(prefix + ".bias"), eps=1e-12)

    ids = torch.tensor(ids, dtype=torch.long)
    types = torch.tensor(types, dtype=torch.long)
    mask = torch.tensor(mask, dtype=torch.float32)
    batch, tokens = ids.shape
    h = F.embedding(ids, w("embeddings.word_embeddings.weight")) + w("embeddings.position_embeddings.weight")[:tokens][None] \
        + F.embedding(types, w("embeddings.token_type_embeddings.weight"))
    h = norm("embeddings.LayerNorm", h)
    additive = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
    layer = 0
    while "encoder.layer.%d.attention.self.query.weight" % layer in p:
        pre = "encoder.layer.%d." % layer
        q, k, v = (dense(pre + "attention.self." + n, h) for n in ("query", "key", "value"))
        width = q.shape[-1] // heads

        def split(t):
            return t.reshape(batch, tokens, heads, width).permute(0, 2, 1, 3)

        scores = torch.einsum("bhqd,bhkd->bhqk", split(q), split(k)) / (width ** 0.5) + additive
        context = torch.einsum("bhqk,bhkd->bhqd", scores.softmax(-1), split(v)).permute(0, 2, 1, 3).reshape(batch, tokens, heads * width)
        a = norm(pre + "attention.output.LayerNorm", dense(pre + "attention.output.dense", context) + h)
        h = norm(pre + "output.LayerNorm", dense(pre + "output.dense", F.gelu(dense(pre + "intermediate.dense", a))) + a)
        layer += 1
    spans = dense("qa_outputs", h)
    unused = sorted(set(p) - used)
    return {"layers": layer, "hidden": h.flatten().tolist(), "spans": spans.flatten().tolist(), "unused": unused}
