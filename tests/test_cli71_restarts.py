"""`chainrule train --schedule restarts:T_0=...,T_mult=...`: the engine's CosineAnnealingWarmRestarts from --lr, each
epoch's rate (as history.jsonl logs it) torch's scheduler's stepped once an epoch."""
import json

import numpy as np
import pytest
from conftest import cmd

torch = pytest.importorskip("torch")


def test_restarts_trains_at_torchs_rates(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    rows = ["a,b,y"] + [f"{a},{b},{'p' if a + b > 0 else 'q'}" for a, b in X]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--hidden", "4", "--optimizer", "sgd", "--lr", "0.1",
            "--epochs", 7, "--out", tmp_path / "m.npz", "--checkpoint-dir", tmp_path / "ck", "--quiet",
            "--schedule", "restarts:T_0=2,T_mult=2,eta_min=0.01")
    assert r.returncode == 0, r.stderr
    got = [json.loads(line)["logs"]["lr"] for line in (tmp_path / "ck" / "history.jsonl").read_text().splitlines()]
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    scheduler, want = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, 2, 2, eta_min=0.01), []
    for _ in range(7):
        want.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
