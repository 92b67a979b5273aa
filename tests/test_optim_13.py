"""Optimizer state across setting changes, against torch.optim with its param_groups changed alike
(nothing in torch's state touched): SGD's buffer made mid-training starts as the gradient and is
kept while momentum is 0; Adam's max_exp_avg_sq and RMSprop's grad_avg kept while their flag is off."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.training import compiled

torch = pytest.importorskip("torch")

GRADS = [np.random.default_rng(0).normal(size=7) for _ in range(9)]


def _steps(opt, changes, grads=GRADS):
    p = np.linspace(-1, 1, 7)
    for i, g in enumerate(grads):
        for k, v in changes.get(i, {}).items():
            setattr(opt, k, v)
        opt.step(p, g.copy())
    return p


def _torch_steps(cls, kwargs, changes, grads=GRADS):
    p = torch.nn.Parameter(torch.tensor(np.linspace(-1, 1, 7)))
    opt = cls([p], **kwargs)
    for i, g in enumerate(grads):
        opt.param_groups[0].update(changes.get(i, {}))
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach().numpy()


@pytest.mark.parametrize("kwargs,changes", [
    (dict(lr=0.1), {3: dict(momentum=0.9)}),
    (dict(lr=0.1), {3: dict(momentum=0.9, dampening=0.5)}),
    (dict(lr=0.1, momentum=0.9), {3: dict(momentum=0.0), 5: dict(momentum=0.9)}),
    (dict(lr=0.1, momentum=0.9, dampening=0.3), {2: dict(momentum=0.0), 4: dict(momentum=0.5, dampening=0.1)}),
    (dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), {3: dict(momentum=0.0, nesterov=False),
                                                                     6: dict(momentum=0.9, nesterov=True)}),
])
def test_sgd_momentum_changed_mid_training_is_torchs(kwargs, changes, kernels):
    """A buffer made after the first step started at zeros (its first gradient damped) and was
    deleted while momentum was 0 (momentum back on restarted it): 0.28 and 0.36 from torch."""
    np.testing.assert_allclose(_steps(optim.SGD(**kwargs), changes),
                               _torch_steps(torch.optim.SGD, kwargs, changes), rtol=0, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", [("Adam", dict(amsgrad=True, betas=(0.9, 0.9))),
                                         ("AdamW", dict(amsgrad=True, betas=(0.9, 0.9))),
                                         ("RMSprop", dict(centered=True, alpha=0.9))])
def test_a_state_flag_turned_off_and_on_again_resumes_its_state_as_torch(name, kwargs):
    """Torch keeps max_exp_avg_sq (grad_avg) while amsgrad (centered) is off; chainrule deleted it,
    and the flag turned on again started it from zeros (large gradients, then small: the kept
    maximum is above the current average)."""
    flag = "amsgrad" if "amsgrad" in kwargs else "centered"
    kwargs, changes = {"lr": 0.01, **kwargs}, {3: {flag: False}, 6: {flag: True}}
    grads = [g * (10.0 if i < 3 else 0.1) for i, g in enumerate(GRADS)]
    np.testing.assert_allclose(_steps(getattr(optim, name)(**kwargs), changes, grads),
                               _torch_steps(getattr(torch.optim, name), kwargs, changes, grads), rtol=0, atol=1e-14)


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)


def _net():
    return cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)


SETTINGS = [(0.0, 0.0), (0.9, 0.3), (0.0, 0.3), (0.9, 0.3)]     # (momentum, dampening) of each fit


def test_momentum_changed_between_fits_is_torchs_in_compiled_epochs(kernels, monkeypatch):
    """The compiled epochs (two a fit: one compiled call) start a buffer made mid-training as the
    gradient too, and leave the kept one alone while momentum is 0."""
    X, y = _data()
    net = _net()
    params = [torch.tensor(a.copy(), requires_grad=True) for a in net.get_weights()]
    topt = torch.optim.SGD(params, lr=0.05)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for momentum, dampening in SETTINGS:
        topt.param_groups[0].update(momentum=momentum, dampening=dampening)
        for _ in range(2):
            for i in range(0, 20, 5):
                z = torch.tanh(Xt[i:i + 5] @ params[0] + params[1]) @ params[2] + params[3]
                topt.zero_grad()
                torch.nn.functional.cross_entropy(z, yt[i:i + 5]).backward()
                topt.step()
    runs = []
    real_run = compiled.run
    monkeypatch.setattr(compiled, "run", lambda *a, **k: runs.append(1) or real_run(*a, **k))
    opt = optim.SGD(0.05)
    for momentum, dampening in SETTINGS:
        opt.momentum, opt.dampening = momentum, dampening
        net.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=opt, verbose=0)
    assert bool(runs) == (kernels == "numba")
    for got, w in zip(net.get_weights(), [p.detach().numpy() for p in params]):
        np.testing.assert_allclose(got, w, rtol=0, atol=1e-12)


def test_a_buffer_kept_while_momentum_is_0_saves_and_loads(tmp_path):
    """The kept buffer is out of `state`: the file holds the state momentum=0 names, which load
    accepts, and the loaded network trains on as the saved one."""
    X, y = _data()
    net = _net()
    opt = optim.SGD(0.05, momentum=0.9)
    net.fit(X, y, epochs=1, batch_size=5, shuffle=False, optimizer=opt, verbose=0)
    opt.momentum = 0.0
    net.fit(X, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    cr.save(net, tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    assert again.optimizer.state == {}
    for model in (net, again):
        model.fit(X, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    np.testing.assert_array_equal(again.params, net.params)
