"""GRPO with AHWA-LoRA, alone or under torchrun (DDP over prompts, gloo on CPU), the recipe of
Runtime/Lab/Decoding/Grpo.cs and GrpoTrainer.cs in formula and order:

  torchrun --nproc_per_node N -m ahwa.grpo --model m:build --model-args '{"weights": "weights.safetensors"}' \
      --prompts prompts.jsonl --vocab vocab.json --out run/
  python3 -m ahwa.grpo ... --groups groups.safetensors   (fixed groups instead of sampling: off-policy data, tests)

prompts.jsonl: {"prompt_ids": [...], "answer": "19"} a line (tokenised on the C# side, as the shards are);
vocab.json: {"pieces": [...], "end_of_sequence": 1, "padding": 0} (a completion's text is its pieces joined, exact for
the character tokenizer). Per step: PromptsPerStep prompts in the order of (seed, SHUFFLE, epoch), G completions each,
sampled without a cache at a temperature from (seed, SAMPLING, step, k); reward 1 for the exact number (GSM8K's
"#### n" rule or the whole completion), advantages (r - mean) / (std + eps) with Bessel's std, old log-probabilities
from a no-grad forward, then inner_steps Adam updates of -(min(rho A, clip(rho) A) - beta k3) averaged per completion
and over groups; the reference is the initial adapters. Logs one JSON line per update to OUT/log.jsonl.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
from decimal import Decimal, InvalidOperation

import torch
import torch.distributed as dist

from . import files
from ._generated import DEFAULT_SEED
from .data import permutation
from .noise import noise_context
from .seeds import Purpose, generator
from .train import build_model, lora_spec

def number(text: str):
    s = text.strip().replace(",", "").rstrip(".")
    try:
        return Decimal(s) if s and all(c in "+-.0123456789" for c in s) else None
    except InvalidOperation:
        return None


def gsm8k_answer(text: str):
    mark = text.rfind("####")
    return None if mark < 0 else number(text[mark + 4:])


def reward(text: str, answer: Decimal, rule: str) -> float:
    value = gsm8k_answer(text) if rule == "gsm8k" else number(text)
    return 1.0 if value is not None and value == answer else 0.0


def advantages(rewards: torch.Tensor, eps: float) -> torch.Tensor:
    r = rewards.double()
    return ((r - r.mean()) / (r.std() + eps)).float()


def grpo_loss(logp, old, ref, mask, adv, clip: float, beta: float):
    a = adv.unsqueeze(1)
    ratio = torch.exp(logp - old)
    surrogate = torch.minimum(ratio * a, ratio.clamp(1 - clip, 1 + clip) * a)
    delta = ref - logp
    kl = torch.exp(delta) - delta - 1.0
    per_token = -(surrogate - beta * kl)
    lengths = mask.sum(1).clamp_min(1.0)
    return (per_token * mask).sum(1).div(lengths).mean(), (kl * mask).sum(1).div(lengths).mean()


def completion_log_probs(model, prompt: torch.Tensor, completions: torch.Tensor, call: int):
    g, p, length = completions.shape[0], prompt.shape[0], completions.shape[1]
    ids = torch.cat([prompt.unsqueeze(0).expand(g, p), completions], 1)
    with noise_context(call, list(range(g))):
        logits = model(ids, torch.ones_like(ids))[:, p - 1:p - 1 + length].float()
    return torch.log_softmax(logits, -1).gather(-1, ids[:, p:].unsqueeze(-1)).squeeze(-1)


@contextlib.contextmanager
def parameters_set_to(params, values):
    saved = [p.detach().clone() for p in params]
    with torch.no_grad():
        for p, v in zip(params, values):
            p.copy_(v)
    try:
        yield
    finally:
        with torch.no_grad():
            for p, v in zip(params, saved):
                p.copy_(v)


def sample(model, prompt, g: int, max_new: int, eos: int, temperature: float, gen, call: int):
    ids = prompt.unsqueeze(0).expand(g, prompt.shape[0]).clone()
    out = [[] for _ in range(g)]
    done = [False] * g
    with torch.no_grad():
        for step in range(max_new):
            if all(done):
                break
            with noise_context(call + step, list(range(g))):
                logits = model(ids, torch.ones_like(ids))[:, -1].double()
            token = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=gen).squeeze(1)
            for r in range(g):
                if done[r]:
                    token[r] = eos
                else:
                    out[r].append(int(token[r]))
                    done[r] = int(token[r]) == eos
            ids = torch.cat([ids, token.unsqueeze(1)], 1)
    return out


def pad(completions, padding: int):
    length = max(len(c) for c in completions)
    ids = torch.full((len(completions), length), padding, dtype=torch.int64)
    mask = torch.zeros(len(completions), length)
    for r, c in enumerate(completions):
        ids[r, :len(c)] = torch.tensor(c, dtype=torch.int64)
        mask[r, :len(c)] = 1
    return ids, mask


def load_groups(path: str):
    tensors = files.load_file(path)
    groups, k = [], 0
    while f"g{k}.prompt" in tensors:
        g = {f: tensors[f"g{k}.{f}"] for f in ("prompt", "completions", "mask", "rewards")}
        # Ids may be stored as floats (exact below 2^24): the C# safetensors writer writes FP32.
        g["prompt"], g["completions"] = g["prompt"].to(torch.int64), g["completions"].to(torch.int64)
        groups.append(g)
        k += 1
    if not groups:
        raise SystemExit(f"ahwa.grpo: '{path}' holds no groups (tensors g0.prompt, g0.completions, g0.mask, g0.rewards)")
    return groups


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m ahwa.grpo", description="GRPO with AHWA-LoRA (only the adapters train).")
    p.add_argument("--model", required=True)
    p.add_argument("--model-args", default="{}")
    p.add_argument("--prompts", help="JSONL of {prompt_ids, answer}")
    p.add_argument("--vocab", help="JSON {pieces, end_of_sequence, padding}")
    p.add_argument("--groups", help="fixed groups (safetensors) instead of sampling")
    p.add_argument("--answer-rule", choices=("number", "gsm8k"), default="gsm8k")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--inner-steps", type=int, default=1)
    p.add_argument("--prompts-per-step", type=int, default=4)
    p.add_argument("--group-size", type=int, default=8)
    p.add_argument("--max-new-tokens", type=int, default=8)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--clip", type=float, default=0.2)
    p.add_argument("--beta", type=float, default=0.04)
    p.add_argument("--eps", type=float, default=1e-4)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--mode", choices=("hardware_aware", "digital"), default="hardware_aware")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300.0)
    args = p.parse_args(argv)
    args.full_ahwa = False
    if args.groups is None and (args.prompts is None or args.vocab is None):
        p.error("give --prompts and --vocab (sampling) or --groups (fixed groups)")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=args.timeout))
    model = build_model(args)
    lora = lora_spec(model)
    wrapped = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    params = [p for p in model.parameters() if p.requires_grad]
    reference = [p.detach().clone() for p in params]
    total = args.steps * args.inner_steps
    optimizer = torch.optim.Adam(params, lr=args.lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1.0 - s / max(1, total)))
    fixed = load_groups(args.groups) if args.groups else None
    if fixed is None:
        with open(args.vocab) as f:
            vocab = json.load(f)
        with open(args.prompts) as f:
            prompts = [json.loads(line) for line in f if line.strip()]
        for i, item in enumerate(prompts):
            if "prompt_ids" not in item or "answer" not in item:
                raise SystemExit(f"ahwa.grpo: '{args.prompts}' item {i} lacks prompt_ids or answer")
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "log.jsonl"), "a") if rank == 0 else None
    wrapped.train()
    call = 0
    order, epoch, position = None, -1, None
    for step in range(args.steps):
        if fixed is not None:
            groups = fixed
        else:
            groups = []
            for k in range(args.prompts_per_step):
                if order is None or position == len(prompts):
                    epoch, position = epoch + 1, 0
                    order = permutation(args.seed, epoch, len(prompts))
                item = prompts[int(order[position])]
                position += 1
                prompt = torch.tensor(item["prompt_ids"], dtype=torch.int64)
                gen = generator(args.seed, Purpose.SAMPLING, step, k)
                completions = sample(model, prompt, args.group_size, args.max_new_tokens, vocab["end_of_sequence"], args.temperature, gen, call)
                call += args.max_new_tokens
                rewards = torch.tensor([reward("".join(vocab["pieces"][t] for t in c), Decimal(str(item["answer"])), args.answer_rule) for c in completions])
                ids, mask = pad(completions, vocab["padding"])
                groups.append({"prompt": prompt, "completions": ids, "mask": mask, "rewards": rewards})
        if len(groups) < world:
            raise SystemExit(f"ahwa.grpo: {len(groups)} groups per step cannot keep {world} ranks busy (every rank needs one)")
        mine = [i for i in range(len(groups)) if i % world == rank]
        with torch.no_grad():
            old = {i: completion_log_probs(model, groups[i]["prompt"], groups[i]["completions"], call + i) for i in mine}
        call += len(groups)
        for inner in range(args.inner_steps):
            optimizer.zero_grad(set_to_none=True)
            loss_sum = torch.zeros(())
            kl_sum = torch.zeros(())
            for i in mine:
                g = groups[i]
                # The reference first: swapping its values in and out writes the parameters the policy's graph saves.
                # Noise calls keyed by the group's global index, not the rank's loop position: N ranks draw what one
                # process draws.
                with parameters_set_to(params, reference), torch.no_grad():
                    ref = completion_log_probs(model, g["prompt"], g["completions"], call + 2 * i + 1)
                logp = completion_log_probs(wrapped, g["prompt"], g["completions"], call + 2 * i)
                loss, kl = grpo_loss(logp, old[i], ref, g["mask"].float(), advantages(g["rewards"], args.eps), args.clip, args.beta)
                # DDP averages gradients over ranks: scale so the sum over ranks is the mean over all groups.
                (loss * (world / len(groups))).backward()
                loss_sum += loss.detach()
                kl_sum += kl.detach()
            call += 2 * len(groups)
            optimizer.step()
            schedule.step()
            if world > 1:
                dist.all_reduce(loss_sum)
                dist.all_reduce(kl_sum)
            if log:
                mean_reward = float(torch.cat([g["rewards"].float() for g in groups]).mean())
                log.write(json.dumps({"step": step, "inner": inner, "loss": float(loss_sum) / len(groups),
                                      "kl": float(kl_sum) / len(groups), "reward": mean_reward}) + "\n")
                log.flush()
    if rank == 0:
        base_model = getattr(model, "NAME", None) or args.model
        files.save_adapter(os.path.join(args.out, "adapter"), files.adapter_tensors(model), files.adapter_config(model, lora, base_model))
        log.close()
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
