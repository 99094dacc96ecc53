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
