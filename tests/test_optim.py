"""Optimizers against torch.optim: same network, same weights, same batches, 100 steps."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import optim

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.1), {}),
    ("SGD", dict(lr=0.1, weight_decay=0.01), {}),
    ("SGD", dict(lr=0.05, momentum=0.9), {}),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01), {}),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), {}),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), {}),
    ("Adagrad", dict(lr=0.1), {}),
    ("Adagrad", dict(lr=0.1, weight_decay=0.01, lr_decay=0.01, initial_accumulator_value=0.1), {}),
    ("RMSprop", dict(lr=0.01), {}),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.01), {}),
    ("RMSprop", dict(lr=0.01, centered=True, alpha=0.9), {}),
    ("Adam", dict(lr=0.01), {}),
    ("Adam", dict(lr=0.01, weight_decay=0.01, betas=(0.8, 0.99)), {}),
    ("Adam", dict(lr=0.01, amsgrad=True), {}),
    ("AdamW", dict(lr=0.01), {}),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), {}),
]


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    y = rng.integers(0, 3, size=20)
    return X, y


def _torch_run(net0, X, y, name, kwargs, steps, batch, clip=None, schedule=None, epochs_per_sched=None):
    Ws = [torch.tensor(layer.W.copy(), requires_grad=True) for layer in net0.layers]
    bs = [torch.tensor(layer.b.copy(), requires_grad=True) for layer in net0.layers]
    params = [p for pair in zip(Ws, bs) for p in pair]
    opt = getattr(torch.optim, name)(params, **kwargs)
    sched = schedule(opt) if schedule else None
    Xt, yt = torch.tensor(X), torch.tensor(y)
    n_batches = X.shape[0] // batch
    for step in range(steps):
        i = step % n_batches
        xb, yb = Xt[i * batch:(i + 1) * batch], yt[i * batch:(i + 1) * batch]
        h = torch.tanh(xb @ Ws[0] + bs[0])
        z = h @ Ws[1] + bs[1]
        loss = torch.nn.functional.cross_entropy(z, yb)
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        if sched is not None and i == n_batches - 1:
            sched.step()
    return [p.detach().numpy() for p in params]


def _net():
    return cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)


@pytest.mark.parametrize("name,kwargs,_", CASES)
def test_optimizer_trajectory_matches_torch(name, kwargs, _, kernels):
    X, y = _data()
    net = _net()
    expected = _torch_run(net, X, y, name, kwargs, steps=100, batch=5)
    ours = dict(kwargs)
    net.fit(X, y, epochs=25, batch_size=5, shuffle=False, optimizer=getattr(optim, name)(**ours), verbose=0)
    for got, want in zip(net.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)
    assert np.max(np.abs(net.get_weights()[0] - _net().get_weights()[0])) > 1e-3   # it did move


def test_gradient_clipping_matches_torch(kernels):
    X, y = _data()
    net = _net()
    expected = _torch_run(net, X, y, "SGD", dict(lr=0.5, momentum=0.5), steps=100, batch=5, clip=0.05)
    net.fit(X, y, epochs=25, batch_size=5, shuffle=False, optimizer=optim.SGD(0.5, momentum=0.5, clip_norm=0.05),
            verbose=0)
    for got, want in zip(net.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


@pytest.mark.parametrize("ours,theirs", [
    (lambda: optim.StepLR(0.1, step_size=3, gamma=0.5), lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5)),
    (lambda: optim.ExponentialLR(0.1, gamma=0.9), lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)),
    (lambda: optim.CosineAnnealingLR(0.1, T_max=10, eta_min=0.01),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, 0.01)),
])
def test_schedules_match_torch(ours, theirs, kernels):
    X, y = _data()
    net = _net()
    expected = _torch_run(net, X, y, "SGD", dict(lr=0.1, momentum=0.9), steps=100, batch=5, schedule=theirs)
    net.fit(X, y, epochs=25, batch_size=5, shuffle=False, optimizer=optim.SGD(ours(), momentum=0.9), verbose=0)
    for got, want in zip(net.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_optimizer_state_continues_across_fit_calls():
    X, y = _data()
    a, b = _net(), _net()
    a.fit(X, y, epochs=4, batch_size=5, shuffle=False, optimizer=optim.Adam(0.01), verbose=0)
    b.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=optim.Adam(0.01), verbose=0)
    b.fit(X, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("bad", [dict(lr=0), dict(lr=-1), dict(lr=0.1, momentum=-0.5),
                                 dict(lr=0.1, nesterov=True)])
def test_bad_optimizer_arguments(bad):
    with pytest.raises(ValueError):
        optim.SGD(**bad)


def test_optimizer_by_name():
    assert isinstance(optim.get_optimizer("adam", lr=0.1), optim.Adam)
    with pytest.raises(cr.errors.UnknownNameError, match="adam"):
        optim.get_optimizer("adma")
