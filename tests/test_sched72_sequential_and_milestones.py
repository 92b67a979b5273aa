"""A OneCycleLR inside a SequentialLR: its momentum as torch's SequentialLR leaves it (before, during, after the
cycle), and a part whose total_steps ends before its next milestone refused at fit start, not at its epoch.
MultiStepLR's milestones as 0-d NumPy arrays or torch tensors: taken as their integers."""
import warnings

import numpy as np
import pytest
from torch_twin import X, Y, small_net

import chainrule as cr
from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler


def _torch_sequential(milestones, epochs):
    """torch's (lr, momentum) of each epoch: ConstantLR, OneCycleLR(total_steps=6), ConstantLR, made in that order."""
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.5)
    parts = [sched.ConstantLR(opt, factor=0.5, total_iters=2), sched.OneCycleLR(opt, 0.1, total_steps=6),
             sched.ConstantLR(opt, factor=0.5, total_iters=2)]
    scheduler, seen = sched.SequentialLR(opt, parts, milestones=milestones), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            seen.append((opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]))
            opt.step()
            scheduler.step()
    return seen


class _Momentum(cr.callbacks.Callback):
    def __init__(self, seen):
        self.seen = seen

    def on_epoch_begin(self, epoch):
        self.seen.append(self.network.optimizer.momentum)


def _ours(milestones):
    # the parts' own rates: 0.004 is the rate torch's later ConstantLRs start from (OneCycleLR's initial_lr)
    return optim.SequentialLR([optim.ConstantLR(0.004, 0.5, 2), optim.OneCycleLR(0.1, 6),
                               optim.ConstantLR(0.004, 0.5, 2)], milestones)


def test_momentum_in_a_sequential_is_torchs_before_during_and_after_the_cycle():
    want = _torch_sequential([3, 10], 14)
    net = small_net()
    opt = optim.SGD(_ours([3, 10]), momentum=0.5)
    seen = []
    net.fit(X, Y, optimizer=opt, epochs=14, batch_size=16, verbose=0, callbacks=[_Momentum(seen)])
    np.testing.assert_allclose(seen, [m for _, m in want], rtol=1e-12, atol=0)
    np.testing.assert_allclose([opt.schedule(e) for e in range(3, 10)], [r for r, _ in want[3:10]], rtol=1e-12)
    assert len({round(m, 12) for m in seen}) >= 5


def test_a_middle_one_cycle_past_its_total_steps_is_refused_at_fit_start():
    with pytest.raises(ValueError, match="Tried to step 7 times"):        # torch's, the truth, at epoch 10
        _torch_sequential([3, 11], 12)
    net = small_net()
    before = [w.copy() for w in net.get_weights()]
    with pytest.raises(ValidationError, match=r"schedules\[1\], OneCycleLR\(.*total_steps=6.*runs from epoch 3 to 10 "
                                              r"\(8 epochs.*its epoch 7; give it total_steps=7 or more"):
        net.fit(X, Y, optimizer=optim.SGD(_ours([3, 11]), momentum=0.5), epochs=12, batch_size=16, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.get_weights()))           # nothing trained
    assert net.epochs_trained == 0


def test_a_middle_one_cycle_within_the_fit_s_reach_still_trains():
    """Guards what already worked: a fit that ends before the cycle runs out trains."""
    net = small_net()
    net.fit(X, Y, optimizer=optim.SGD(_ours([3, 11]), momentum=0.5), epochs=10, batch_size=16, verbose=0)
    assert net.epochs_trained == 10


@pytest.mark.parametrize("make", [np.array, torch.tensor], ids=["numpy", "torch"])
def test_multistep_milestones_as_0d_arrays_are_their_integers(make):
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([p], lr=0.1)
    scheduler, want = sched.MultiStepLR(opt, milestones=[2, 5], gamma=0.5), []
    for _ in range(8):
        want.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    ours = optim.MultiStepLR(0.1, [make(2), make(5)], gamma=0.5)
    assert ours.milestones == [2, 5] and all(type(m) is int for m in ours.milestones)
    np.testing.assert_allclose([ours(e) for e in range(8)], want, rtol=1e-15)
    assert optim.get_optimizer({"name": "sgd", "lr": ours.config()}).schedule.milestones == [2, 5]


@pytest.mark.parametrize("bad, pattern", [
    (np.array(2.5), r"milestones\[1\] must be an integer \(an epoch index\); got 2.5"),
    (torch.tensor(2.0), r"milestones\[1\] must be an integer \(an epoch index\); got 2.0"),
    (np.array([3]), r"milestones\[1\] must be an integer \(an epoch index\).*shape \(1,\).*milestones\[1\]\.item\(\)"),
])
def test_multistep_non_integer_milestones_are_refused_naming_the_element(bad, pattern):
    with pytest.raises(ChainruleTypeError, match=pattern):
        optim.MultiStepLR(0.1, [1, bad])
