"""OneCycleLR's cycle_momentum, torch's default: the momentum (SGD's, RMSprop's) or Adam's beta1 moves against the
rate. A network trained beside torch's twin under torch's DEFAULT OneCycleLR, 2 batches an epoch for 12 epochs, 5
then 7 through cr.save / cr.load (torch's through its state dicts), has torch's weights (1e-12); an optimizer with
neither momentum nor beta1 is refused, as torch refuses it."""
import numpy as np
import pytest
from torch_twin import X, Y, assert_weights_as_torch, small_net

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

OPTIMIZERS = {
    "sgd momentum": (lambda s: optim.SGD(s, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    "sgd no momentum": (lambda s: optim.SGD(s), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd nesterov": (lambda s: optim.SGD(s, momentum=0.5, nesterov=True),
                     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, nesterov=True)),
    "rmsprop": (lambda s: optim.RMSprop(s, momentum=0.5), lambda p: torch.optim.RMSprop(p, lr=0.1, momentum=0.5)),
    "adam": (lambda s: optim.Adam(s), lambda p: torch.optim.Adam(p, lr=0.1)),
    "adamw": (lambda s: optim.AdamW(s, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1)),
}
SCHEDULES = {
    "defaults": ({}, {}),
    "linear": ({"anneal_strategy": "linear", "pct_start": 0.4}, {"anneal_strategy": "linear", "pct_start": 0.4}),
    "three phases": ({"three_phase": True, "pct_start": 0.25, "base_momentum": 0.6, "max_momentum": 0.9},
                     {"three_phase": True, "pct_start": 0.25, "base_momentum": 0.6, "max_momentum": 0.9}),
}


def _torch_epoch(model, topt):
    for rows in (slice(0, 8), slice(8, 16)):           # 2 batches, in order
        topt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.from_numpy(X[rows])), torch.from_numpy(Y[rows])).backward()
        topt.step()


class _Seen(cr.callbacks.Callback):
    """The rate and momentum (or beta1) each epoch trains with."""

    def __init__(self, seen):
        self.seen = seen

    def on_epoch_begin(self, epoch):
        opt = self.network.optimizer
        self.seen.append((opt.lr, opt.betas[0] if hasattr(opt, "betas") else opt.momentum))


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
@pytest.mark.parametrize("shape", list(SCHEDULES))
def test_training_under_torchs_default_one_cycle_through_a_save_and_load(kind, shape, tmp_path):
    ours, theirs = OPTIMIZERS[kind]
    kw_ours, kw_theirs = SCHEDULES[shape]
    net = small_net()
    model = cr.to_torch(net)
    topt = theirs(model.parameters())
    scheduler, want = sched.OneCycleLR(topt, 0.1, total_steps=12, **kw_theirs), []
    for epoch in range(12):
        if epoch == 5:                                      # torch's save and load, mid-cycle
            saved = topt.state_dict(), scheduler.state_dict()
            topt = theirs(model.parameters())
            scheduler = sched.OneCycleLR(topt, 0.1, total_steps=12, **kw_theirs)
            topt.load_state_dict(saved[0])
            scheduler.load_state_dict(saved[1])
        group = topt.param_groups[0]
        want.append((group["lr"], group["betas"][0] if "betas" in group else group["momentum"]))
        _torch_epoch(model, topt)
        scheduler.step()
    seen: list = []
    args = dict(batch_size=8, shuffle=False, verbose=0, callbacks=[_Seen(seen)])
    net.fit(X, Y, optimizer=ours(optim.OneCycleLR(0.1, 12, **kw_ours)), epochs=5, **args)
    cr.save(net, tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    again.fit(X, Y, epochs=7, **args)
    np.testing.assert_allclose(seen, want, rtol=1e-12, atol=0)
    assert len({round(m, 12) for _, m in want}) >= 3                      # the momentum moves
    assert_weights_as_torch(again, model)


def test_an_optimizer_without_momentum_is_refused_as_torch_refuses_it():
    p = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):            # torch's, the truth
        sched.OneCycleLR(torch.optim.Adagrad([p], lr=0.1), 0.1, total_steps=10)
    with pytest.raises(ValidationError, match=r"OneCycleLR\(.*cycle_momentum=True.*Adagrad has no momentum or beta1"
                                              r".*give cycle_momentum=False"):
        optim.Adagrad(optim.OneCycleLR(0.1, 10))
    with pytest.raises(ValidationError, match=r"Adagrad has no momentum"):
        optim.Adagrad(optim.SequentialLR([optim.ConstantLR(0.1), optim.OneCycleLR(0.1, 10)], [3]))
    optim.Adagrad(optim.OneCycleLR(0.1, 10, cycle_momentum=False))                   # the rate alone: taken


def test_rate_only_is_unchanged_with_cycle_momentum_false():
    """Guards what already worked: cycle_momentum=False leaves the optimizer's momentum as given."""
    net = small_net()
    opt = optim.SGD(optim.OneCycleLR(0.1, 12, cycle_momentum=False), momentum=0.7)
    net.fit(X, Y, optimizer=opt, epochs=6, batch_size=16, verbose=0)
    assert opt.momentum == 0.7


def test_bad_momenta_are_refused_naming_them():
    with pytest.raises(ValidationError, match="base_momentum"):
        optim.OneCycleLR(0.1, 10, base_momentum=-0.1)
    with pytest.raises(ValidationError, match="max_momentum"):
        optim.OneCycleLR(0.1, 10, max_momentum=1.5)
