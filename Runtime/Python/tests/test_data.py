"""The shard format and the evaluation entry point."""
import json
import os
import subprocess
import sys

import pytest
import torch

from ahwa import files
from ahwa.data import ShardDataset, permutation, write_shard
from ahwa.toy import make_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_shards_round_trip_in_file_order(tmp_path):
    ids, mask, labels = make_data(10, 6, 16, seed=3)
    write_shard(str(tmp_path / "b.safetensors"), ids[4:], mask[4:], labels[4:])
    write_shard(str(tmp_path / "a.safetensors"), ids[:4], mask[:4], labels[:4])
    data = ShardDataset(str(tmp_path))
    assert len(data) == 10 and torch.equal(data.tensors["input_ids"], ids) and torch.equal(data.tensors["labels"], labels)
    assert data.target_count(torch.tensor([0, 1, 2])) == 3
    assert sorted(permutation(42, 0, 10).tolist()) == list(range(10)) and torch.equal(permutation(42, 0, 10), permutation(42, 0, 10))
    assert not torch.equal(permutation(42, 0, 10), permutation(42, 1, 10))


def test_shard_errors_name_file_and_tensor(tmp_path):
    path = str(tmp_path / "s.safetensors")
    files.save_file({"input_ids": torch.zeros(2, 3, dtype=torch.int64), "attention_mask": torch.zeros(2, 3, dtype=torch.int64)}, path)
    with pytest.raises(ValueError, match=r"s.safetensors': shard lacks tensor 'labels'"):
        ShardDataset(path)
    files.save_file({"input_ids": torch.zeros(2, 3, dtype=torch.int64), "attention_mask": torch.zeros(2, 3, dtype=torch.int64),
                     "labels": torch.zeros(3, dtype=torch.int64)}, path)
    with pytest.raises(ValueError, match=r"tensor 'labels' has shape \[3\]"):
        ShardDataset(path)
    files.save_file({"input_ids": torch.zeros(2, 3), "attention_mask": torch.zeros(2, 3, dtype=torch.int64),
                     "labels": torch.zeros(2, dtype=torch.int64)}, path)
    with pytest.raises(ValueError, match=r"tensor 'input_ids' has dtype torch.float32"):
        ShardDataset(path)
    with pytest.raises(FileNotFoundError, match="no dataset at"):
        ShardDataset(str(tmp_path / "missing"))


def test_evaluate_entry_point_runs_the_drift_sweep(tmp_path):
    ids, mask, labels = make_data(16, 6, 32, seed=4)
    write_shard(str(tmp_path / "d.safetensors"), ids, mask, labels)
    from ahwa.toy import build
    files.save_model_adapter(build(seed=42), str(tmp_path / "adapter"), build(seed=42).dense.lora_spec)
    cmd = [sys.executable, "-m", "ahwa.evaluate", "--model", "ahwa.toy:build", "--adapter", str(tmp_path / "adapter"),
           "--data", str(tmp_path / "d.safetensors"), "--times", "0", "31536000", "--repetitions", "2", "--threads", "1", "--digital"]
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [r["seconds"] for r in result["sweep"]] == [0.0, 31536000.0] and result["repetitions"] == 2
    assert all(0 <= r["mean"] <= 1 and r["std"] >= 0 for r in result["sweep"]) and 0 <= result["digital"] <= 1


def test_checkpoint_structure_round_trips_without_pickle(tmp_path):
    from ahwa.train import load_checkpoint, save_checkpoint
    p = torch.nn.Parameter(torch.randn(3))
    opt = torch.optim.Adam([p], lr=1e-3)
    p.grad = torch.ones(3)
    opt.step()
    payload = {"step": 4, "optimizer": opt.state_dict(), "pair": (1, 2.5, None, "x"), "nested": [{"a": torch.arange(3)}]}
    path = str(tmp_path / "c.safetensors")
    save_checkpoint(path, payload)
    back = load_checkpoint(path)
    assert back["step"] == 4 and back["pair"] == (1, 2.5, None, "x") and torch.equal(back["nested"][0]["a"], torch.arange(3))
    assert list(back["optimizer"]["state"]) == [0]  # int keys survive
    fresh = torch.optim.Adam([torch.nn.Parameter(torch.zeros(3))], lr=1e-3)
    fresh.load_state_dict(back["optimizer"])
    assert torch.equal(fresh.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])


def test_loss_is_summed_over_targets_for_sequence_and_token_labels():
    from ahwa.train import loss_sum
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    expected = 2 * torch.nn.functional.cross_entropy(logits, torch.tensor([0, 0]))
    assert torch.allclose(loss_sum(logits, torch.tensor([0, 0])), expected)
    tokens = torch.randn(2, 3, 5)
    labels = torch.tensor([[1, -100, 2], [-100, -100, 4]])
    keep = labels != -100
    assert torch.allclose(loss_sum(tokens, labels), torch.nn.functional.cross_entropy(tokens[keep], labels[keep], reduction="sum"))
    with pytest.raises(ValueError, match=r"logits \[2, 2\] do not match labels \[2, 2\]"):
        loss_sum(logits, torch.zeros(2, 2, dtype=torch.long))
