"""The suite itself: with CI=true a missing torch is a failure, never a skip."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Hide torch from a fresh interpreter, then run this test folder's collection.
WITHOUT_TORCH = ("import sys; sys.modules['torch'] = None; import pytest; "
                 "sys.exit(pytest.main([sys.argv[1], '-q', '-p', 'no:cacheprovider']))")


def collect_without_torch(ci):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH, HERE], capture_output=True, text=True, timeout=60, env=env)


def test_missing_torch_fails_on_ci():
    done = collect_without_torch(ci=True)
    assert done.returncode not in (0, 5), done.stdout + done.stderr  # 5 = nothing collected
    assert "CI=true but torch cannot be imported" in done.stdout + done.stderr


def test_missing_torch_off_ci_collects_nothing():
    done = collect_without_torch(ci=False)
    assert done.returncode == 5, done.stdout + done.stderr
