"""CosineAnnealingWarmRestarts and OneCycleLR, torch's schedules whose rate rises again, against torch's schedulers
stepped once an epoch: the same rates for 40 epochs, and a network trained beside torch's twin for 35 epochs, 15 then
20 through cr.save / cr.load (torch's through its state dicts), has torch's weights (1e-12)."""
import numpy as np
import pytest
from torch_twin import X, Y, assert_weights_as_torch, small_net, torch_steps

import chainrule as cr
from chainrule import optim
from chainrule.errors import ChainruleError, ValidationError

torch = pytest.importorskip("torch")
from schedule_oracle import torch_rates  # noqa: E402

sched = torch.optim.lr_scheduler

CASES = [
    ("restarts every 5", lambda: optim.CosineAnnealingWarmRestarts(0.1, T_0=5, eta_min=0.001),
     lambda o: sched.CosineAnnealingWarmRestarts(o, 5, eta_min=0.001)),
    ("restarts doubling", lambda: optim.CosineAnnealingWarmRestarts(0.1, T_0=3, T_mult=2),
     lambda o: sched.CosineAnnealingWarmRestarts(o, 3, 2)),
    ("restarts tripling, eta_min above", lambda: optim.CosineAnnealingWarmRestarts(0.1, 2, T_mult=3, eta_min=0.2),
     lambda o: sched.CosineAnnealingWarmRestarts(o, 2, 3, eta_min=0.2)),
    ("one cycle", lambda: optim.OneCycleLR(0.1, total_steps=40, cycle_momentum=False),
     lambda o: sched.OneCycleLR(o, 0.1, total_steps=40, cycle_momentum=False)),
    ("one cycle linear", lambda: optim.OneCycleLR(0.1, 40, pct_start=0.45, anneal_strategy="linear", div_factor=10.0,
                                                 cycle_momentum=False),
     lambda o: sched.OneCycleLR(o, 0.1, total_steps=40, pct_start=0.45, anneal_strategy="linear", div_factor=10.0,
                                cycle_momentum=False)),
    ("one cycle three phases", lambda: optim.OneCycleLR(0.1, 40, pct_start=0.25, three_phase=True, cycle_momentum=False,
                                                       final_div_factor=100.0),
     lambda o: sched.OneCycleLR(o, 0.1, total_steps=40, pct_start=0.25, three_phase=True, final_div_factor=100.0,
                                cycle_momentum=False)),
]
IDS = [c[0] for c in CASES]


def _torch_rates(make, epochs):
    """torch's rates, float64 parameter (schedule_oracle's loop)."""
    return torch_rates(make, epochs, dtype=torch.float64)


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=IDS)
def test_the_rates_are_torchs_for_40_epochs(name, ours, theirs):
    schedule, want = ours(), _torch_rates(theirs, 40)
    np.testing.assert_allclose([schedule(e) for e in range(40)], want, rtol=1e-12, atol=0)
    assert len(set(np.round(want, 12))) >= 5                             # the rate moves: a test of the formula


class _Rates(cr.callbacks.Callback):
    def __init__(self):
        self.rates = []

    def on_epoch_begin(self, epoch):
        self.rates.append(self.network.optimizer.lr)


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=IDS)
def test_training_beside_torchs_scheduler_through_a_save_and_load(name, ours, theirs, tmp_path):
    net = small_net()
    model = cr.to_torch(net)
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler, want = theirs(topt), []
    for epoch in range(35):
        if epoch == 15:                      # torch's save and load: new optimizer and scheduler from the dicts
            saved = topt.state_dict(), scheduler.state_dict()
            topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            scheduler = theirs(topt)                      # made first: making one sets the rate of its epoch 0
            topt.load_state_dict(saved[0])
            scheduler.load_state_dict(saved[1])
        want.append(topt.param_groups[0]["lr"])
        torch_steps(model, topt, X, Y, 1)
        scheduler.step()
    first, second = _Rates(), _Rates()
    args = dict(batch_size=len(X), shuffle=False, verbose=0)
    net.fit(X, Y, optimizer=optim.SGD(ours(), momentum=0.9), epochs=15, callbacks=[first], **args)
    cr.save(net, tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    assert again.optimizer.schedule.config() == ours().config()
    again.fit(X, Y, epochs=20, callbacks=[second], **args)
    np.testing.assert_allclose(first.rates + second.rates, want, rtol=1e-12, atol=0)
    assert_weights_as_torch(again, model)


def test_both_are_registered_and_rebuilt_from_their_config():
    from chainrule.training.schedules import SCHEDULES
    for _, ours, _ in CASES:
        schedule = ours()
        cfg = schedule.config()
        assert SCHEDULES[cfg["name"]] is type(schedule)
        again = optim.get_optimizer({"name": "sgd", "lr": cfg}).schedule
        assert again.config() == cfg and [again(e) for e in range(40)] == [schedule(e) for e in range(40)]


def test_one_cycle_past_total_steps_is_refused_as_torch_refuses_to_step_there():
    net = small_net()
    with pytest.raises(ValueError, match="Tried to step 11 times"):            # torch's, the truth
        model = cr.to_torch(net)
        topt = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = sched.OneCycleLR(topt, 0.1, total_steps=10, cycle_momentum=False)
        for _ in range(11):
            topt.step()
            scheduler.step()
    with pytest.raises(ValidationError, match=r"total_steps=10\) has no rate for epoch 11 .*give total_steps"):
        optim.OneCycleLR(0.1, 10)(11)
    with pytest.raises(ValidationError, match=r"total_steps=10.* has a rate for epochs 0 to 10 .*to epoch 11"):
        net.fit(X, Y, optimizer=optim.SGD(optim.OneCycleLR(0.1, 10)), epochs=12, batch_size=len(X), verbose=0)


@pytest.mark.parametrize("call, pattern", [
    (lambda: optim.OneCycleLR(0.1, 10, pct_start=0.1), r"pct_start=0.1 with total_steps=10 gives a phase of no epochs"),
    (lambda: optim.OneCycleLR(0.1, 10, anneal_strategy="cosine"), r"anneal_strategy must be 'cos' or 'linear'"),
    (lambda: optim.OneCycleLR(0.1, 10, pct_start=1.5), r"pct_start must be in"),
    (lambda: optim.OneCycleLR(0.1, 0), r"total_steps must be a positive integer"),
    (lambda: optim.CosineAnnealingWarmRestarts(0.1, T_0=0), r"T_0 must be a positive integer"),
    (lambda: optim.CosineAnnealingWarmRestarts(0.1, 5, T_mult=1.5), r"T_mult must be a positive integer"),
])
def test_bad_arguments_are_refused_naming_them(call, pattern):
    with pytest.raises(ChainruleError, match=pattern):
        call()


def test_torch_divides_by_0_where_a_phase_has_no_epochs():
    p = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ZeroDivisionError):
        sched.OneCycleLR(torch.optim.SGD([p], lr=0.1), 0.1, total_steps=10, pct_start=0.1, cycle_momentum=False)
