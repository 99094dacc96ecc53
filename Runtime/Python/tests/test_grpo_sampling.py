"""ahwa.grpo's own sampling path (the C# trainer's counterpart tests fixed groups): seeded completions, rewards,
only the adapters train, and two ranks under torchrun give the single process's losses."""
import json
import os

import torch

from ahwa import files, grpo
from ahwa.toy import build_causal
from test_train import RANK_ADAPTER_TOLERANCE, run, torchrun

# Token 0 pads, 1 ends a completion, 2..11 are the digits 0..9, the rest letters.
PIECES = ["", "<end>"] + [str(d) for d in range(10)] + ["a", "b", "c", "d"]


def write_task(folder):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump({"pieces": PIECES, "end_of_sequence": 1, "padding": 0}, f)
    with open(os.path.join(folder, "prompts.jsonl"), "w") as f:
        for a, b in [(1, 2), (2, 5), (3, 3), (4, 1)]:
            f.write(json.dumps({"prompt_ids": [12, 2 + a, 13, 2 + b], "answer": a + b}) + "\n")


def grpo_args(task, out, *extra):
    return ["-m", "ahwa.grpo", "--model", "ahwa.toy:build_causal", "--prompts", os.path.join(task, "prompts.jsonl"),
            "--vocab", os.path.join(task, "vocab.json"), "--answer-rule", "number", "--out", out, "--steps", "2",
            "--prompts-per-step", "2", "--group-size", "4", "--max-new-tokens", "3", "--lr", "5e-2", "--threads", "1",
            "--timeout", "30", *extra]


def log(out):
    with open(os.path.join(out, "log.jsonl")) as f:
        return [json.loads(line) for line in f]


def test_sampling_is_seeded_and_only_the_adapters_change(tmp_path):
    task = str(tmp_path / "task")
    write_task(task)
    runs = []
    for name, seed in [("a", "42"), ("b", "42"), ("c", "7")]:
        out = str(tmp_path / name)
        grpo.main(grpo_args(task, out, "--seed", seed)[2:])  # in process: one process needs no launcher
        runs.append((log(out), files.load_adapter(os.path.join(out, "adapter"))[0]))
    (log_a, adapter_a), (log_b, adapter_b), (log_c, _) = runs
    assert log_a == log_b  # same seed: the same completions, rewards, losses and adapter
    assert all(torch.equal(adapter_a[k], adapter_b[k]) for k in adapter_a)
    assert [r["reward"] for r in log_a] != [r["reward"] for r in log_c] or [r["loss"] for r in log_a] != [r["loss"] for r in log_c]
    assert len(log_a) == 2 and all(0.0 <= r["reward"] <= 1.0 for r in log_a)
    # Only LoRA tensors are saved and they moved away from their start (B starts at zero).
    assert adapter_a and all("lora_" in k for k in adapter_a)
    assert any(float(v.abs().max()) > 0 for k, v in adapter_a.items() if "lora_B" in k)


def test_sampled_completions_end_at_the_end_token_and_rewards_read_them():
    model = build_causal(seed=3)
    prompt = torch.tensor([12, 4, 13, 5])
    completions = grpo.sample(model, prompt, g=6, max_new=4, eos=1, temperature=1.0, gen=torch.Generator().manual_seed(5), call=0)
    assert len(completions) == 6 and all(1 <= len(c) <= 4 for c in completions)
    assert all(1 not in c[:-1] for c in completions)  # nothing is sampled after the end token
    again = grpo.sample(model, prompt, g=6, max_new=4, eos=1, temperature=1.0, gen=torch.Generator().manual_seed(5), call=0)
    assert completions == again
    ids, mask = grpo.pad(completions, 0)
    assert ids.shape == mask.shape and int(mask.sum()) == sum(len(c) for c in completions)


def test_two_ranks_give_the_single_process_losses(tmp_path):
    task = str(tmp_path / "task")
    write_task(task)
    single, double = str(tmp_path / "single"), str(tmp_path / "double")
    grpo.main(grpo_args(task, single)[2:])
    code, text = run(torchrun(*grpo_args(task, double)), timeout=120)
    assert code == 0, text
    one, two = log(single), log(double)
    assert [r["reward"] for r in one] == [r["reward"] for r in two]
    assert max(abs(a["loss"] - b["loss"]) for a, b in zip(one, two)) < 1e-5
    a, b = files.load_adapter(os.path.join(single, "adapter"))[0], files.load_adapter(os.path.join(double, "adapter"))[0]
    assert max(float((a[k] - b[k]).abs().max()) for k in a) < RANK_ADAPTER_TOLERANCE
