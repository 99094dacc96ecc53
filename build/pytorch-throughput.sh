#!/usr/bin/env bash
# Tokens per second of MiniLM AHWA-LoRA training, side by side on this machine: the C# trainer (the AHWA-LoRA phase
# of a quick main job) and the exported PyTorch package under torchrun with 1 and 2 processes, on the same quick
# training split (batch 32). Run it on an otherwise idle machine: ./build/pytorch-throughput.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-out/throughput}")
steps=${STEPS:-12}
rm -rf "$out"
mkdir -p "$out"
dotnet build samples/MiniLmSentiment -c Release -v q -nologo >/dev/null
run() { dotnet run -c Release --no-build --project samples/MiniLmSentiment -- "$@"; }

/usr/bin/time -f "%M" -o "$out/csharp.peak-kib" dotnet run -c Release --no-build --project samples/MiniLmSentiment -- --quick --epochs 2 --repetitions 1 --out "$out/csharp" > "$out/csharp.log"
run --quick --export-pytorch "$out/export" > "$out/export.log"
OUT="$out/py1" "$out/export/launch.sh" train 1 --max-steps "$steps" --threads 2 > "$out/py1.log" 2>&1
OUT="$out/py2" "$out/export/launch.sh" train 2 --max-steps "$steps" --threads 1 > "$out/py2.log" 2>&1

export PYTHONPATH="$out/export"
PY=/usr/bin/python3; command -v python3 >/dev/null && python3 -c "import torch" 2>/dev/null && PY=python3
"$PY" - "$out" <<'PYTHON'
import json, os, re, sys
out = sys.argv[1]
from ahwa.files import load_file
train = load_file(os.path.join(out, "export", "data", "train", "part-00000.safetensors"))
tokens_per_epoch = int(train["attention_mask"].sum())
results = json.load(open(os.path.join(out, "csharp", "results.json")))
run = next(r for r in results["trainings"] if r["label"] == "AHWA-LoRA")
epochs = results["options"]["epochs"]
csharp = epochs * tokens_per_epoch / run["seconds"]
peak_cs = int(open(os.path.join(out, "csharp.peak-kib")).read().split()[-1]) / 1024
print(f"C# trainer, 1 process:       {csharp:8.1f} tokens/s  ({run['steps']} steps in {run['seconds']:.1f} s; peak {peak_cs:.0f} MiB for the whole quick job)")
for name, procs in (("py1", 1), ("py2", 2)):
    rows = [json.loads(l) for l in open(os.path.join(out, name, "log.jsonl")) if '"loss"' in l]
    timed = rows[1:]  # the first step's time includes start-up
    seconds = timed[-1]["time"] - rows[0]["time"]
    tokens = sum(r["tokens"] for r in timed)
    peaks = re.findall(r"peak memory (\d+) MiB", open(os.path.join(out, name + ".log")).read())
    print(f"PyTorch, {procs} process(es):     {tokens / seconds:8.1f} tokens/s  ({len(timed)} steps in {seconds:.1f} s; "
          f"{tokens / seconds / csharp:.2f}x the C# trainer; peak per process {', '.join(peaks)} MiB)")
PYTHON
