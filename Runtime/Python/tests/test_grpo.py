import math
from decimal import Decimal

import torch

from ahwa import grpo


def test_advantages_use_bessels_std():
    a = grpo.advantages(torch.tensor([1.0, 0.0, 0.0, 1.0]), 1e-4)
    std = math.sqrt(1.0 / 3)
    assert torch.allclose(a, torch.tensor([0.5, -0.5, -0.5, 0.5]) / (std + 1e-4))


def test_loss_of_a_hand_computed_group_as_in_csharp():
    ln15, ln2, ln05 = math.log(1.5), math.log(2), math.log(0.5)
    logp = torch.tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True)
    old = torch.tensor([[-1 - ln15, -2.0], [-0.5 - ln05, -3 - ln2]])
    ref = torch.tensor([[-1.0, -2 + ln2], [-0.5 + ln05, -3.0]])
    mask = torch.tensor([[1.0, 1.0], [1.0, 0.0]])
    loss, kl = grpo.grpo_loss(logp, old, ref, mask, torch.tensor([1.0, -1.0]), 0.2, 0.1)
    kl01, kl10 = 1 - ln2, ln2 - 0.5
    row0, row1 = (-1.2 - (1.0 - 0.1 * kl01)) / 2, -(-0.8 - 0.1 * kl10)
    assert abs(float(loss) - (row0 + row1) / 2) < 1e-6
    assert abs(float(kl) - (kl01 / 2 + kl10) / 2) < 1e-6
    loss.backward()
    assert abs(float(logp.grad[0, 0])) < 1e-7 and abs(float(logp.grad[1, 1])) < 1e-7
    assert abs(float(logp.grad[0, 1]) + 1.1 / 4) < 1e-6


def test_rewards_follow_the_gsm8k_and_whole_number_rules():
    assert grpo.reward("so 3 + 4 = 7 #### 1,234", Decimal(1234), "gsm8k") == 1.0
    assert grpo.reward("1234", Decimal(1234), "gsm8k") == 0.0
    assert grpo.reward(" 19 ", Decimal(19), "number") == 1.0
    assert grpo.reward("19+", Decimal(19), "number") == 0.0
