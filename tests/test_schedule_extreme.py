"""CosineAnnealingLR with an eta_min far above lr (torch takes it: the rate rises from lr to eta_min): its rates are
torch's, finite throughout; the closed form's (lr - eta_min) * (1 + cos) overflowed to -inf for eta_min=1e308."""
import math

import pytest
from schedule_oracle import torch, torch_rates

from chainrule import optim


@pytest.mark.parametrize("eta_min", [1e300, 1e308, 1.7e308])
def test_cosine_rising_to_a_huge_eta_min_is_torchs_and_finite(eta_min):
    ours = optim.CosineAnnealingLR(0.001, T_max=10, eta_min=eta_min)
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, eta_min), 11, lr=0.001,
                         dtype=torch.float64)
    rates = [ours(e) for e in range(11)]
    assert all(math.isfinite(r) for r in rates)
    assert rates[0] == pytest.approx(0.001) and rates[10] == pytest.approx(eta_min)
    assert rates == pytest.approx(theirs, rel=1e-9)
