"""Checks a translated model against outputs the C# (TorchSharp) model computed for the same weights and inputs:

  python3 -m ahwa.agreement --model mini_lm:build --model-args '{"weights": "weights.safetensors", "entry": "Classify"}' \
      --inputs inputs.safetensors --expected expected.safetensors --out agreement.json

inputs holds the forward's arguments as arg0, arg1, ...; expected holds one output per mode (digital, hardware_aware),
computed in eval mode with the chip's weight and output noise set to 0, so both sides are deterministic (clipping,
column scaling, DAC/ADC, noise and bound management still apply). The result JSON gives, per mode, the largest
difference relative to the largest expected magnitude, and how many samples (rows) agree within 1e-5 of it: converter and
bound-management decisions are discontinuous, so a value within float error of a threshold can go either way and move
its own sample a long way; the other samples are unaffected."""
from __future__ import annotations

import argparse
import json

import torch

from .analog import set_mode
from .files import load_file, write_atomically
from .train import load_factory

MODES = ("digital", "hardware_aware")
ROW_TOLERANCE = 1e-5  # a sample (row of the output) agrees when its largest difference is within this fraction of the scale


def compare(model, inputs, expected):
    args = [inputs[f"arg{i}"] for i in range(len(inputs))]
    result = {}
    model.eval()
    with torch.no_grad():
        for mode in MODES:
            if mode not in expected:
                continue
            set_mode(model, mode)
            got = model(*args).float()
            want = expected[mode].float()
            if tuple(got.shape) != tuple(want.shape):
                raise ValueError(f"{mode}: output shape {list(got.shape)}, expected {list(want.shape)}")
            scale = float(want.abs().max()) or 1.0
            per_row = (got - want).abs().reshape(want.shape[0], -1).amax(1) / scale if want.dim() > 0 else (got - want).abs().reshape(1) / scale
            result[mode] = {"max_relative": float((got - want).abs().max()) / scale, "max_abs": float((got - want).abs().max()),
                            "scale": scale, "elements": int(want.numel()), "rows": int(per_row.numel()),
                            "rows_agreeing": int((per_row <= ROW_TOLERANCE).sum())}
    return result


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m ahwa.agreement", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--model-args", default="{}")
    p.add_argument("--inputs", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    kwargs = json.loads(args.model_args)
    model = load_factory(args.model)(seed=0, weight_noise=0.0, output_noise=0.0, **kwargs)
    result = compare(model, load_file(args.inputs), load_file(args.expected))
    write_atomically(args.out, json.dumps(result, indent=2).encode("utf-8"))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
