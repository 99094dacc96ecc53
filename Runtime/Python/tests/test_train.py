"""The training entry point: DDP under torchrun against one process, a killed rank, resume, FSDP's absence."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from ahwa import files
from ahwa.data import write_shard
from ahwa.toy import make_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
# Ranks vs one process: the all-reduce sums gradients in another order, and Adam amplifies that rounding where a
# gradient is near zero; this bound is a few percent of one Adam step at the learning rates these tests use.
RANK_ADAPTER_TOLERANCE = 1e-4
TORCHRUN = [PYTHON, "-m", "torch.distributed.run", "--redirects", "1", "--tee", "1"]  # torchrun, same program
STEPS = 6


def env():
    e = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")
    e.pop("CI", None)
    return e


def run(cmd, timeout=90):
    """Runs in its own session and kills that whole group on timeout: no process outlives the test."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env(), start_new_session=True, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"timed out after {timeout} s: {' '.join(cmd)}\n{out}")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # stragglers of this run's own group, if any
        except ProcessLookupError:
            pass
    return proc.returncode, out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def train_args(data, out, *extra):
    return ["-m", "ahwa.train", "--model", "ahwa.toy:build", "--data", data, "--out", out, "--batch-size", "8",
            "--max-steps", str(STEPS), "--lr", "5e-3", "--threads", "1", "--timeout", "20", "--checkpoint-every", "2", *extra]


def torchrun(*args):
    return TORCHRUN + ["--nnodes", "1", "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", str(free_port()), *args]


def losses(out):
    with open(os.path.join(out, "log.jsonl")) as f:
        return [r["loss"] for r in map(json.loads, f) if "loss" in r]


def adapter(out):
    return files.load_adapter(os.path.join(out, "adapter"))[0]


def max_difference(a, b):
    assert sorted(a) == sorted(b)
    return max(float((a[k] - b[k]).abs().max()) for k in a)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    ids, mask, labels = make_data(48, 8, 32, seed=1)
    os.makedirs(root / "data")
    write_shard(str(root / "data" / "a.safetensors"), ids[:20], mask[:20], labels[:20])
    write_shard(str(root / "data" / "b.safetensors"), ids[20:], mask[20:], labels[20:])
    return root


@pytest.fixture(scope="module")
def single(work):
    out = str(work / "single")
    code, log = run([PYTHON] + train_args(str(work / "data"), out))
    assert code == 0, log
    return out


def test_help():
    for module in ("ahwa.train", "ahwa.evaluate"):
        code, out = run([PYTHON, "-m", module, "--help"], timeout=60)
        assert code == 0 and "--model" in out and "--data" in out, out
    assert "--strategy {ddp,fsdp}" in run([PYTHON, "-m", "ahwa.train", "--help"])[1]


@pytest.mark.parametrize("accumulation", ["1", "2"])
def test_two_rank_ddp_matches_one_process(work, single, accumulation):
    out = str(work / f"ddp{accumulation}")
    code, log = run(torchrun(*train_args(str(work / "data"), out, "--accumulation", accumulation)))
    assert code == 0, log
    a, b = losses(single), losses(out)
    assert len(a) == len(b) == STEPS
    loss_diff = max(abs(x - y) for x, y in zip(a, b))
    adapter_diff = max_difference(adapter(single), adapter(out))
    print(f"DDP x accumulation {accumulation} vs one process: max loss difference {loss_diff:.3g}, adapter {adapter_diff:.3g}")
    assert loss_diff < 1e-5 and adapter_diff < RANK_ADAPTER_TOLERANCE
    # The adapter did move: the comparison is not between two untrained adapters.
    init = files.adapter_tensors(__import__("ahwa.toy", fromlist=["build"]).build(seed=42))
    assert max_difference(init, adapter(single)) > 1e-3


def test_killed_rank_gives_a_clear_error(work):
    out = str(work / "killed")
    start = time.time()
    code, log = run(torchrun(*train_args(str(work / "data"), out, "--debug-kill-at-step", "2", "--debug-kill-rank", "1")), timeout=90)
    assert code != 0, log
    assert time.time() - start < 90
    # torchrun names the dead rank and its signal.
    assert re.search(r"rank\s*:\s*1 \(local_rank: 1\)\s*exitcode\s*:\s*-9", log) and "SIGKILL" in log, log
    # Rank 0 says what happened in its own words, unless torchrun stopped it before its collective failed.
    survivor = "ahwa.train: rank 0: step 2 failed in a collective operation; another rank has probably died"
    assert survivor in log or re.search(r"rank\s*:\s*0 \(local_rank: 0\)\s*exitcode\s*:\s*-15", log), log
    assert not os.path.exists(os.path.join(out, "adapter"))


def test_resume_reproduces_the_uninterrupted_adapter(work, single):
    out = str(work / "resumed")
    args = train_args(str(work / "data"), out, "--resume")
    code, log = run([PYTHON] + args + ["--debug-kill-at-step", "3"])
    assert code == -signal.SIGKILL, log
    assert os.path.exists(os.path.join(out, "checkpoint.safetensors")) and not os.path.exists(os.path.join(out, "adapter"))
    assert [n for n in os.listdir(out) if n.endswith(".tmp")] == []
    code, log = run([PYTHON] + args)
    assert code == 0, log
    assert max_difference(adapter(single), adapter(out)) == 0.0
    assert losses(out)[-3:] == losses(single)[-3:]
    # A checkpoint from another run is refused, by name.
    code, log = run([PYTHON] + train_args(str(work / "data"), out, "--resume", "--lr", "1e-3"))
    assert code != 0 and "was written by a different run" in log


FSDP_BLOCKED = ("import sys, runpy; sys.modules['torch.distributed.fsdp'] = None; "
                "sys.argv = ['ahwa.train'] + sys.argv[1:]; runpy.run_module('ahwa.train', run_name='__main__')")


def test_fsdp_unavailable_message(work):
    args = train_args(str(work / "data"), str(work / "fsdp"), "--strategy", "fsdp")[2:]
    code, log = run([PYTHON, "-c", FSDP_BLOCKED] + args, timeout=60)
    assert code != 0 and "--strategy fsdp is unavailable with torch" in log and "Use --strategy ddp" in log, log
    if int(torch.__version__.split(".")[0]) < 2:  # this machine's torch cannot do FSDP at all
        code, log = run([PYTHON] + train_args(str(work / "data"), str(work / "fsdp"), "--strategy", "fsdp"), timeout=60)
        assert code != 0 and f"unavailable with torch {torch.__version__}" in log, log
    assert not os.path.exists(str(work / "fsdp" / "adapter"))
