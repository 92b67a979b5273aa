"""Optimizers against torch.optim: same network, same weights, same batches, 100 steps."""
import math

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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clipping_huge_finite_gradients_gives_the_clip_norm(dtype):
    """Gradients of 1e20 (float32) or 1e200 (float64) are finite but their sum of squares overflows:
    clipping still scales them to clip_norm (PyTorch's inf norm would scale them to zero)."""
    big = 1e20 if dtype == np.float32 else 1e200
    grads = np.array([3.0, -4.0, 0.0, 1e-3], dtype) * dtype(big)
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.dot(grads, grads))
    p = np.zeros(4, dtype)
    optim.SGD(1.0, clip_norm=2.0).step(p, grads)
    np.testing.assert_allclose(np.linalg.norm((p / 2).astype(np.float64)), 1.0, rtol=1e-5)
    np.testing.assert_allclose(p[:2], [-1.2, 1.6], rtol=1e-5)      # -2 * (3, -4) / 5


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


@pytest.mark.parametrize("name", ["Adam", "SGD"])
def test_an_optimizer_that_trained_one_network_is_refused_for_another(name):
    """Reused across the folds of a cross-validation, one instance started each fold with the last
    fold's moments and step count (fold 2 off by 0.039 with Adam, 0.17 with SGD momentum); Keras
    refuses it. The same network's next fit continues with it (test above)."""
    X, y = _data()
    make = {"Adam": lambda: optim.Adam(0.01), "SGD": lambda: optim.SGD(0.05, momentum=0.9)}[name]
    shared, first = make(), _net()
    first.fit(X, y, epochs=2, batch_size=5, optimizer=shared, seed=0, verbose=0)
    fresh = _net()
    fresh.fit(X, y, epochs=2, batch_size=5, optimizer=make(), seed=0, verbose=0)
    np.testing.assert_array_equal(first.params, fresh.params)
    for second in (_net(), None):               # another network, alive or gone
        if second is None:
            del first
            second = _net()
        with pytest.raises(cr.errors.ValidationError, match=f"this {name} instance already trained another network"):
            second.fit(X, y, epochs=2, batch_size=5, optimizer=shared, seed=0, verbose=0)
        with pytest.raises(cr.errors.ValidationError, match="already trained another network"):
            second.train_steps(X, np.eye(3)[y], 2, optimizer=shared)
    import copy
    unbound = copy.deepcopy(optim.Adam(0.01))
    for net in (_net(), _net()):                 # each its own copy: not bound to the first
        net.fit(X, y, epochs=1, batch_size=5, optimizer=copy.deepcopy(unbound), verbose=0)


@pytest.mark.parametrize("bad", [dict(lr=-1e-9), dict(lr=-1), dict(lr=0.1, momentum=-0.5),
                                 dict(lr=0.1, nesterov=True)])
def test_bad_optimizer_arguments(bad):
    with pytest.raises(ValueError):
        optim.SGD(**bad)


def test_optimizer_by_name():
    assert isinstance(optim.get_optimizer("adam", lr=0.1), optim.Adam)
    with pytest.raises(cr.errors.UnknownNameError, match="adam"):
        optim.get_optimizer("adma")


def _formula(name, kw, p, g, st, t):
    """One step of torch.optim's single-tensor algorithm, written out as plain expressions: the
    order of operations the NumPy updates keep (their work arrays change no rounding)."""
    lr, wd = kw.get("lr"), kw.get("weight_decay", 0.0)
    if name == "SGD":
        g = g + wd * p if wd else g
        mom, damp = kw.get("momentum", 0.0), kw.get("dampening", 0.0)
        if mom:
            st["buf"] = g.copy() if t == 1 else st["buf"] * mom + ((1.0 - damp) * g if damp else g)
            g = g + mom * st["buf"] if kw.get("nesterov") else st["buf"]
        return p - lr * g
    if name == "Adagrad":
        g = g + wd * p if wd else g
        clr = lr / (1 + (t - 1) * kw.get("lr_decay", 0.0))
        st["sum"] = st.get("sum", np.full_like(p, kw.get("initial_accumulator_value", 0.0))) + g * g
        return p - clr * g / (np.sqrt(st["sum"]) + kw.get("eps", 1e-10))
    if name == "RMSprop":
        g = g + wd * p if wd else g
        a, eps = kw.get("alpha", 0.99), kw.get("eps", 1e-8)
        st["sq"] = st.get("sq", np.zeros_like(p)) * a + (1.0 - a) * g * g
        if kw.get("centered"):
            st["ga"] = st.get("ga", np.zeros_like(p)) * a + (1.0 - a) * g
            avg = np.sqrt(st["sq"] - st["ga"] * st["ga"]) + eps
        else:
            avg = np.sqrt(st["sq"]) + eps
        if kw.get("momentum"):
            st["buf"] = st.get("buf", np.zeros_like(p)) * kw["momentum"] + g / avg
            return p - lr * st["buf"]
        return p - lr * g / avg
    b1, b2 = kw.get("betas", (0.9, 0.999))
    if name == "AdamW":
        wd = kw.get("weight_decay", 0.01)
        p = p * (1.0 - lr * wd) if wd else p
    else:
        g = g + wd * p if wd else g
    st["m"] = st.get("m", np.zeros_like(p)) * b1 + (1.0 - b1) * g
    st["v"] = v = st.get("v", np.zeros_like(p)) * b2 + (1.0 - b2) * (g * g)
    if kw.get("amsgrad"):
        st["vmax"] = v = np.maximum(st.get("vmax", np.zeros_like(p)), v)
    return p - lr / (1.0 - b1 ** t) * (st["m"] / (np.sqrt(v) / math.sqrt(1.0 - b2 ** t) + kw.get("eps", 1e-8)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kwargs,_", CASES + [("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3), {}),
                                                   ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True), {})])
def test_numpy_updates_are_the_formulas_bit_for_bit(name, kwargs, _, dtype, monkeypatch):
    """The NumPy update (the reference every compiled kernel equals) computes in work arrays kept
    between steps, here reused by two parts of different lengths: its numbers are the formula's
    to the last bit, weights and state, in both dtypes, with gradients of very different sizes."""
    from chainrule.backend import kernels
    monkeypatch.setattr(kernels, "ENABLED", False)
    rng = np.random.default_rng(4)
    p = rng.normal(size=90).astype(dtype)
    opt = getattr(optim, name)(**kwargs)
    parts = [slice(0, 50), slice(60, 90)]
    want, states = p.copy(), [{}, {}]
    for t in range(1, 16):
        g = (rng.normal(size=90) * 10.0 ** rng.integers(-6, 3, size=90)).astype(dtype)
        opt.step(p, g, parts)
        for s, st in zip(parts, states):
            want[s] = _formula(name, kwargs, want[s], g[s], st, t)
        np.testing.assert_array_equal(p, want)
    assert p.dtype == dtype and {a.dtype for a in opt.state.values()} <= {np.dtype(dtype)}


def test_an_optimizer_pickles_without_its_work_arrays(monkeypatch):
    """Work arrays hold nothing between steps: a pickled optimizer (a sweep's result) leaves them
    out, and the copy goes on as the original does."""
    import pickle

    from chainrule.backend import kernels
    monkeypatch.setattr(kernels, "ENABLED", False)        # the NumPy update, which keeps work arrays
    rng = np.random.default_rng(0)
    p, opt = rng.normal(size=50_000), optim.Adam(0.01)
    opt.step(p, rng.normal(size=50_000))
    copy, p2 = pickle.loads(pickle.dumps(opt)), p.copy()
    assert "_work" in opt.__dict__ and "_work" not in copy.__dict__
    assert len(pickle.dumps(opt)) < 50_000 * 8 * 2.2        # the weights' two state arrays, not a third
    g = rng.normal(size=50_000)
    opt.step(p, g)
    copy.step(p2, g)
    np.testing.assert_array_equal(p, p2)


def test_defaults_are_torch_optims_but_sgds_rate_as_the_guide_says():
    """docs/guide.md: torch.optim's arguments and defaults, one exception (SGD's lr 0.01, Keras')."""
    import inspect
    from pathlib import Path
    differ = {}
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        ours = inspect.signature(getattr(cr.optim, name)).parameters
        theirs = inspect.signature(getattr(torch.optim, name)).parameters
        differ.update({(name, k): (p.default, theirs[k].default) for k, p in ours.items()
                       if k in theirs and p.default != theirs[k].default})
    assert differ == {("SGD", "lr"): (0.01, 0.001)}
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    assert "`SGD`'s `lr` is 0.01, Keras', where torch's is\n0.001" in guide
