"""Writes a Hugging Face checkpoint folder of a tiny random BERT or MobileBERT for question answering (config.json and
model.safetensors under the names BertForQuestionAnswering / MobileBertForQuestionAnswering save, with the model
prefix and, for BERT, a pooler the QA model does not use), the tensors' names and shapes derived from the config
alone; prints the reference forward's outputs on the inputs of the test's JSON.
Usage: hf_folder.py bert|mobilebert FOLDER INPUT.json"""
import json
import os
import struct
import sys

import torch

import bert_reference
import mobilebert_reference

CONFIGS = {
    "bert": {"model_type": "bert", "architectures": ["BertForQuestionAnswering"], "vocab_size": 40, "hidden_size": 16,
             "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 24, "max_position_embeddings": 16,
             "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": 1e-12},
    "mobilebert": {"model_type": "mobilebert", "architectures": ["MobileBertForQuestionAnswering"], "vocab_size": 50,
                   "embedding_size": 8, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                   "intermediate_size": 24, "intra_bottleneck_size": 16, "true_hidden_size": 16,
                   "num_feedforward_networks": 4, "max_position_embeddings": 16, "type_vocab_size": 2,
                   "key_query_shared_bottleneck": True, "use_bottleneck_attention": False, "trigram_input": True,
                   "normalization_type": "no_norm", "hidden_act": "relu"},
}


def shapes(c):
    """Every tensor of the QA model as Hugging Face names it (without the model prefix), from the config."""
    h, i, L = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    s = {"embeddings.position_embeddings.weight": [c["max_position_embeddings"], h],
         "embeddings.token_type_embeddings.weight": [c["type_vocab_size"], h],
         "embeddings.LayerNorm.weight": [h], "embeddings.LayerNorm.bias": [h]}

    def linear(name, n_out, n_in):
        s[name + ".weight"], s[name + ".bias"] = [n_out, n_in], [n_out]

    def norm(name, n):
        s[name + ".weight"], s[name + ".bias"] = [n], [n]

    if c["model_type"] == "bert":
        s["embeddings.word_embeddings.weight"] = [c["vocab_size"], h]
        for l in range(L):
            pre = "encoder.layer.%d." % l
            for n in ("query", "key", "value"):
                linear(pre + "attention.self." + n, h, h)
            linear(pre + "attention.output.dense", h, h)
            norm(pre + "attention.output.LayerNorm", h)
            linear(pre + "intermediate.dense", i, h)
            linear(pre + "output.dense", h, i)
            norm(pre + "output.LayerNorm", h)
        linear("pooler.dense", h, h)
    else:
        e, b = c["embedding_size"], c["intra_bottleneck_size"]
        s["embeddings.word_embeddings.weight"] = [c["vocab_size"], e]
        linear("embeddings.embedding_transformation", h, 3 * e)
        for l in range(L):
            pre = "encoder.layer.%d." % l
            linear(pre + "attention.self.query", b, b)
            linear(pre + "attention.self.key", b, b)
            linear(pre + "attention.self.value", b, h)
            linear(pre + "attention.output.dense", b, b)
            norm(pre + "attention.output.LayerNorm", b)
            linear(pre + "intermediate.dense", i, b)
            linear(pre + "output.dense", b, i)
            norm(pre + "output.LayerNorm", b)
            linear(pre + "output.bottleneck.dense", h, b)
            norm(pre + "output.bottleneck.LayerNorm", h)
            for part in ("input", "attention"):
                linear(pre + "bottleneck.%s.dense" % part, b, h)
                norm(pre + "bottleneck.%s.LayerNorm" % part, b)
            for f in range(c["num_feedforward_networks"] - 1):
                linear(pre + "ffn.%d.intermediate.dense" % f, i, b)
                linear(pre + "ffn.%d.output.dense" % f, b, i)
                norm(pre + "ffn.%d.output.LayerNorm" % f, b)
    return s


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = tensors[name].contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(kind, folder, input_path):
    c = CONFIGS[kind]
    torch.manual_seed(7)
    p = {}
    for name, shape in shapes(c).items():
        p[name] = torch.randn(shape) * 0.2 + (1.0 if name.endswith("LayerNorm.weight") else 0.0)
    p["qa_outputs.weight"], p["qa_outputs.bias"] = torch.randn(2, c["hidden_size"]) * 0.2, torch.randn(2) * 0.2
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    # The QA head sits outside the model prefix, as Hugging Face saves it.
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      {(n if n.startswith("qa_outputs") else kind + "." + n): t for n, t in p.items()})
    with open(input_path) as f:
        case = json.load(f)
    reference = (bert_reference if kind == "bert" else mobilebert_reference).forward
    result = reference(p, case["ids"], case["types"], case["mask"], c["num_attention_heads"])
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
