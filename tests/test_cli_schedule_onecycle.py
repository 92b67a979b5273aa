"""`--schedule onecycle:total_steps=...`: torch's OneCycleLR, --lr its max_lr; each epoch's rate in history.jsonl is
torch's, and a total_steps too short for --epochs is refused before training (it failed at the epoch past it)."""
import json

import numpy as np
import pytest
from conftest import cmd

torch = pytest.importorskip("torch")
ROWS = "a,b,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{'xy'[i % 2]}\n" for i in range(40))
S = torch.optim.lr_scheduler


def train(tmp_path, *options, epochs=8):
    (tmp_path / "t.csv").write_text(ROWS)
    return cmd("train", "t.csv", "--target", "y", "--hidden", "4", "--optimizer", "sgd", "--lr", "0.2", "--epochs",
               epochs, "--out", "m.npz", "--checkpoint-dir", "ck", "--quiet", *options, cwd=tmp_path)


def torch_rates(epochs, **kwargs):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    scheduler = S.OneCycleLR(opt, max_lr=0.2, cycle_momentum=False, **kwargs)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize("spec, kwargs", [
    ("onecycle:total_steps=8", {"total_steps": 8}),
    ("OneCycleLR:total_steps=10,pct_start=0.4,anneal_strategy=linear,div_factor=10", dict(
        total_steps=10, pct_start=0.4, anneal_strategy="linear", div_factor=10.0)),
    ("onecycle:total_steps=9,three_phase=true,final_div_factor=100", dict(
        total_steps=9, three_phase=True, final_div_factor=100.0)),
])
def test_each_epochs_rate_is_torchs_onecycle(tmp_path, spec, kwargs):
    done = train(tmp_path, "--schedule", spec)
    assert done.returncode == 0, done.stderr
    logs = [json.loads(line)["logs"] for line in (tmp_path / "ck" / "history.jsonl").read_text().splitlines()]
    np.testing.assert_allclose([log["lr"] for log in logs], torch_rates(8, **kwargs), rtol=0, atol=1e-12)
    assert max(log["lr"] for log in logs) == pytest.approx(0.2, abs=0.02)       # --lr is the peak


def test_a_total_steps_too_short_is_refused_before_training(tmp_path):
    done = train(tmp_path, "--schedule", "onecycle:total_steps=4")
    assert done.returncode == 2 and done.stdout == "", done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("chainrule train: error: argument --schedule:") and "--epochs 8" in line, line
    assert "give fewer --epochs or total_steps=8 " in line, line
    assert not (tmp_path / "ck").exists() and not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("spec, said", [
    ("onecycle:total_steps=8,max_lr=0.5", "key 'max_lr' (torch's) is not taken here: --lr is onecycle's max_lr"),
    ("onecycle:total_steps=8,lr=0.5", "key 'lr' is not taken here: --lr is onecycle's max_lr"),
    ("onecycle:total_steps=8,three_phase=yes", "three_phase must be True or False; got 'yes'"),
    ("onecycle:pct_start=0.3", "onecycle needs total_steps=..."),
    # verbose is the command line's own key for every schedule: its reason is its own, not max_lr's
    ("onecycle:total_steps=8,verbose=true", "key 'verbose' is not taken here: the rate is in each epoch's line"),
])
def test_onecycle_keys_are_refused_naming_them(tmp_path, spec, said):
    done = train(tmp_path, "--schedule", spec)
    assert done.returncode == 2 and said in done.stderr, done.stderr


@pytest.mark.parametrize("options, epochs", [(["--schedule", "onecycle:total_steps=4"], 8),
                                             (["--schedule", "linear:total_iters=2", "--schedule",
                                               "onecycle@3:total_steps=2"], 8)])
def test_the_total_steps_advised_is_one_torch_steps_through(tmp_path, options, epochs):
    """The refusal's total_steps is torch's for the epochs the one-cycle schedule runs (its epochs * steps_per_epoch):
    torch's loop, stepping after each epoch, takes it to its end, the lowest rate at the run's last epoch; one fewer
    (what 'at least --epochs - 1' advised) makes torch's last step raise."""
    import re
    done = train(tmp_path, *options, epochs=epochs)
    line = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 2 and line.startswith("chainrule train: error: argument --schedule:"), done.stderr
    advised = int(re.search(r"--epochs or (?:a total_steps of at least |total_steps=)(\d+)", line).group(1))
    runs = epochs - (3 if "@3" in options[-1] else 0)               # the epochs the one-cycle schedule is stepped
    rates = torch_rates(runs, total_steps=advised)                  # raises where torch refuses a step
    assert rates[-1] == pytest.approx(0.2 / 25 / 1e4, rel=1e-9)     # max_lr / div_factor / final_div_factor
    with pytest.raises(ValueError, match="Tried to step"):
        torch_rates(runs, total_steps=advised - 1)
    fixed = [o.replace("total_steps=4", f"total_steps={advised}").replace("total_steps=2", f"total_steps={advised}")
             for o in options]
    again = tmp_path / "again"
    again.mkdir()
    assert train(again, *fixed, epochs=epochs).returncode == 0
