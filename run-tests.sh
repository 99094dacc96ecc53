#!/usr/bin/env bash
# Builds the solution and runs every test project; ends with "N passed, N failed".
# Usage: ./run-tests.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-tests.sh: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Several test processes share 2 cores, each with LibTorch's OpenMP threads: waiting threads sleep rather than spin,
# so they do not take the cores from the processes doing the work.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

# The kernel cross-checks need the RISC-V compilers and QEMU (Debian packages). Install what is missing when we
# can (root, as in CI); otherwise say what to install. The tests fail, never skip, without them.
need_packages=()
command -v gcc >/dev/null 2>&1 || need_packages+=(gcc)
command -v make >/dev/null 2>&1 || need_packages+=(make)
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || need_packages+=(gcc-riscv64-linux-gnu)
command -v qemu-riscv64 >/dev/null 2>&1 || need_packages+=(qemu-user)
command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || need_packages+=(gcc-riscv64-unknown-elf)
[ -f /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs ] || need_packages+=(picolibc-riscv64-unknown-elf)
command -v qemu-system-riscv32 >/dev/null 2>&1 || need_packages+=(qemu-system-misc)
# The PyTorch target's package (Runtime/Python) runs on Debian's torch; call /usr/bin/python3 (PATH may hold another).
[ -x /usr/bin/python3 ] || need_packages+=(python3)
/usr/bin/python3 -c "import torch" >/dev/null 2>&1 || need_packages+=(python3-torch)
/usr/bin/python3 -c "import numpy" >/dev/null 2>&1 || need_packages+=(python3-numpy)
/usr/bin/python3 -c "import pytest" >/dev/null 2>&1 || need_packages+=(python3-pytest)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-tests.sh: installing ${need_packages[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null \
      || { echo "run-tests.sh: apt-get install ${need_packages[*]} failed" >&2; exit 2; }
  else
    echo "run-tests.sh: missing tools; install them with: sudo apt-get install ${need_packages[*]}" >&2
    exit 2
  fi
fi
log=$(mktemp)
timings=$(mktemp -d)
py_log=$(mktemp)
trap 'rm -rf "$log" "$timings" "$py_log"' EXIT

# The Python tests of the PyTorch target need no .NET build: they run beside it (a fresh build leaves a core idle much
# of its time) and report after the .NET tests.
(cd Runtime/Python && /usr/bin/python3 -m pytest tests -q -p no:cacheprovider --junitxml "$timings/python.xml" > "$py_log" 2>&1) &
py_pid=$!
trap 'kill "$py_pid" 2>/dev/null; rm -rf "$log" "$timings" "$py_log"' EXIT

dotnet build Compiler.sln -c Release -v minimal -nologo > "$log" 2>&1
build_status=$?
grep -E "error|warning|Ahwa:" "$log" | sort -u
if [ "$build_status" -ne 0 ]; then
  tail -30 "$log" >&2
  echo "run-tests.sh: the build failed (dotnet build exited with $build_status)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# One test project at a time (-m:1): on 2 cores the projects side by side took 8.75 minutes and 5.3 GB, in sequence
# 6.6 minutes and 1.8 GB (2026-12-06, same machine, same tests): each project already fills the cores with its own
# parallel test classes and LibTorch threads, and side by side they only slowed each other (the smoke test 134 s
# against 70 s).
dotnet test Compiler.sln -c Release --no-build -nologo -m:1 --logger trx --results-directory "$timings/dotnet" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=0; failed=0
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(sed -nE 's/.*(Passed|Failed)! +- +Failed: +([0-9]+), +Passed: +([0-9]+).*/\3 \2/p' "$log")

# The Python tests started before the build (pytest prints "N passed[, N failed]" on its last line).
wait "$py_pid"
py_status=$?
cat "$py_log"
py_summary=$(tail -1 "$py_log")
py_passed=$(grep -oE '[0-9]+ passed' <<< "$py_summary" | grep -oE '[0-9]+')
py_failed=$(( $(grep -oE '[0-9]+ (failed|errors?)' <<< "$py_summary" | grep -oE '[0-9]+' | paste -sd+ - | sed 's/^$/0/') ))
passed=$((passed + ${py_passed:-0})); failed=$((failed + ${py_failed:-0}))
if [ "$py_status" -ne 0 ] && [ "${py_failed:-0}" -eq 0 ]; then
  echo "run-tests.sh: pytest exited with $py_status without a failing test." >&2
  failed=$((failed + 1))
fi
[ "$py_status" -eq 0 ] || status=1

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "run-tests.sh: dotnet test exited with $status without a failing test (a test host crashed?)." >&2
  failed=1
fi
/usr/bin/python3 build/slowest-tests.py "$timings" 10 || echo "run-tests.sh: the slowest-tests table could not be made." >&2
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
