"""ScheduleWarning says what to do, in the words of where it is said (Python's epochs=, train's --epochs), and the
remedy it names works: a fit of that many epochs reaches the change, at torch's rate. A run trained in parts
(--checkpoint-dir, then --resume) is warned in the part that cannot reach the change, not in the one that does."""
import json
import re
import warnings

import numpy as np
import pytest
from schedule_oracle import torch, torch_rates

import chainrule as cr
from chainrule.optim import MultiStepLR, StepLR
from chainrule.training.schedules import ScheduleWarning


class Rates(cr.callbacks.Callback):
    def __init__(self):
        self.rates = []

    def on_epoch_begin(self, epoch):
        self.rates.append(self.network.optimizer.lr)


def _fit(net, schedule, epochs):
    X = np.random.default_rng(0).normal(size=(16, 2))
    rates = Rates()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        net.fit(X, X[:, :1], epochs=epochs, batch_size=16, optimizer=cr.optim.SGD(lr=schedule), verbose=0,
                callbacks=[rates])
    return [str(w.message) for w in seen if issubclass(w.category, ScheduleWarning)], rates.rates


def _net():
    return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)


CASES = [(lambda: MultiStepLR(0.1, milestones=[10]), lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [10]),
          "milestones", 0),
         (lambda: StepLR(0.1, step_size=10), lambda o: torch.optim.lr_scheduler.StepLR(o, 10), "step_size", 0),
         (lambda: StepLR(0.1, step_size=10), lambda o: torch.optim.lr_scheduler.StepLR(o, 10), "step_size", 3)]


def _trained(make, before):
    """A network trained `before` epochs already (the schedule's count goes on from them)."""
    net = _net()
    if before:
        _fit(net, make(), before)
    return net


@pytest.mark.parametrize("make, theirs, key, before", CASES)
def test_python_s_warning_names_the_epochs_that_reach_the_change_and_they_do(make, theirs, key, before):
    said, _ = _fit(_trained(make, before), make(), 3)
    assert len(said) == 1, said
    needed = re.search(r"give epochs=(\d+) or more, or a schedule that changes sooner \(its (\w+) within the "
                       r"epochs\)$", said[0])
    assert needed and needed.group(2) == key, said[0]
    again, rates = _fit(_trained(make, before), make(), int(needed.group(1)))
    assert again == []                           # the remedy reaches the change: nothing to warn of
    torchs = torch_rates(theirs, before + len(rates))
    assert rates[-1] == pytest.approx(torchs[-1]) and rates[-1] != rates[0]    # the last epoch trains at the new rate
    shorter, _ = _fit(_trained(make, before), make(), int(needed.group(1)) - 1)
    assert len(shorter) == 1                     # one epoch fewer does not reach it


def test_a_run_in_parts_is_warned_in_the_part_that_cannot_reach_the_change_only(tmp_path):
    from conftest import cmd, iris_table
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    run = ("train", tmp_path / "iris.csv", "--target", "species", "--hidden", 4, "--lr", 0.01, "--out",
           tmp_path / "m.npz", "--quiet", "--schedule", "multistep:milestones=10", "--checkpoint-dir", tmp_path / "ck")
    first = cmd(*run, "--epochs", 5)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [
        "chainrule: warning: --schedule 'multistep:milestones=10': the rate first changes at epoch 10 (counted from "
        "0), and this fit ends at epoch 4 (--epochs 5); it trains at 0.01 throughout: to change it, give --epochs 11 "
        "or more (with --resume, this run goes on to them), or a --schedule that changes sooner (its milestones "
        "within the epochs)"]
    second = cmd(*run, "--epochs", 11, "--resume")         # the remedy: the whole run's epochs reach the milestone
    assert second.returncode == 0 and second.stderr == "", second.stderr
    rates = [json.loads(line)["logs"]["lr"] for line in (tmp_path / "ck" / "history.jsonl").read_text().splitlines()]
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[10]), 11, lr=0.01)
    assert rates == pytest.approx(theirs)


@pytest.mark.parametrize("fixed, reach", [({"epochs": 2}, "give epochs=11 or more"),
                                          ({}, "give epochs of 11 or more in the grid")])
def test_a_sweep_names_its_own_epochs_in_the_remedy(sweep_data, fixed, reach):
    from chainrule.sweep import run_sweep
    grid = {"lr": [StepLR(0.01, 10)], **({} if fixed else {"epochs": [2, 3]})}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, hidden_layer_sizes=(4,), **fixed)
    said = [str(w.message) for w in seen if issubclass(w.category, ScheduleWarning)]
    assert len(said) == 1 and f"{reach}, or a schedule that changes sooner (its step_size" in said[0], said


def test_a_later_schedule_starting_within_the_fit_at_the_rate_held_is_warned_where_its_rate_first_changes():
    """SequentialLR([StepLR(0.01, 10), StepLR(0.01, 4)], milestones=[3]) over 5 epochs: its second schedule starts at
    epoch 3 at the same rate and first changes it at 7 (torch's); the milestone 3 within the fit hid the warning."""
    from chainrule.optim import SequentialLR
    make = lambda: SequentialLR([StepLR(0.01, 10), StepLR(0.01, 4)], milestones=[3])     # noqa: E731
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.SequentialLR(
        o, [torch.optim.lr_scheduler.StepLR(o, 10), torch.optim.lr_scheduler.StepLR(o, 4)], milestones=[3]), 8,
        lr=0.01)
    assert theirs[:7] == [0.01] * 7 and theirs[7] != 0.01
    said, _ = _fit(_net(), make(), 5)
    assert len(said) == 1 and "first changes at epoch 7 " in said[0] and "give epochs=8 or more" in said[0], said
    assert _fit(_net(), make(), 8)[0] == []
