"""Setting an optimizer's rate mid-training (Keras' `net.optimizer.lr = ...`), against torch.optim's
param_groups and Keras' refusals; Adagrad's fresh state; the refusals' words."""
import pickle

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)


def _net():
    return cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)


def _torch_halving(net, X, y, name, kwargs, epochs, halve_at):
    """torch.optim trained in batches of 5, its param_groups' lr halved before epoch `halve_at`."""
    params = [torch.tensor(a.copy(), requires_grad=True) for a in net.get_weights()]
    opt = getattr(torch.optim, name)(params, **kwargs)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for epoch in range(epochs):
        if epoch == halve_at:
            for group in opt.param_groups:
                group["lr"] *= 0.5
        for i in range(0, 20, 5):
            z = torch.tanh(Xt[i:i + 5] @ params[0] + params[1]) @ params[2] + params[3]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(z, yt[i:i + 5]).backward()
            opt.step()
    return [p.detach().numpy() for p in params]


@pytest.mark.parametrize("attribute", ["lr", "learning_rate"])
@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01)),
                                         ("RMSprop", dict(lr=0.01, centered=True)), ("Adagrad", dict(lr=0.1))])
def test_a_rate_set_between_fits_is_torchs_param_group_lr(name, kwargs, attribute, kernels):
    X, y = _data()
    net = _net()
    want = _torch_halving(net, X, y, name, kwargs, epochs=6, halve_at=3)
    net.fit(X, y, epochs=3, batch_size=5, shuffle=False, optimizer=getattr(optim, name)(**kwargs), verbose=0)
    setattr(net.optimizer, attribute, getattr(net.optimizer, attribute) * 0.5)
    net.fit(X, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    for got, w in zip(net.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=0, atol=1e-12)


@pytest.mark.filterwarnings("ignore::chainrule.training.schedules.ScheduleWarning")   # a schedule beside the point
@pytest.mark.parametrize("attribute", ["lr", "learning_rate"])
def test_a_scheduled_rate_is_not_settable_as_in_keras(attribute):
    """The schedule set the rate back at the next epoch, the assignment silently lost; Keras refuses
    it (its TypeError: 'its learning rate is not settable')."""
    keras = pytest.importorskip("keras")
    theirs = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        theirs.learning_rate = 0.5
    X, y = _data()
    net = _net()
    opt = optim.SGD(optim.StepLR(0.1, step_size=5))
    net.fit(X, y, epochs=1, batch_size=5, optimizer=opt, verbose=0)
    with pytest.raises(ValidationError, match=rf"optimizer\.{attribute} cannot be set to 0\.5: this SGD follows "
                                              r"a schedule \(StepLR\)"):
        setattr(opt, attribute, 0.5)
    setattr(opt, attribute, 0.1)           # its own rate (MPI's shared rate at each epoch's end) changes nothing
    net.fit(X, y, epochs=1, batch_size=5, verbose=0)
    assert opt.lr == 0.1


@pytest.mark.parametrize("attribute", ["lr", "learning_rate"])
@pytest.mark.parametrize("bad,error,words", [
    ("0.1", ChainruleTypeError, "must be a number; got '0.1' (str)"),
    (-0.1, ValidationError, "must be in [0.0, inf); got -0.1"),
    (float("nan"), ValidationError, "must be finite; got nan"),
    (True, ChainruleTypeError, "must be a number; got True (bool)"),
])
def test_a_bad_rate_set_on_the_optimizer_is_refused_by_name(attribute, bad, error, words):
    """`optimizer.lr = -0.1` climbed the gradient (torch refuses a negative lr), a text failed deep in
    NumPy at the next step; both attributes are now checked as the constructor's lr is."""
    opt = optim.Adam(0.01)
    with pytest.raises(error) as info:
        setattr(opt, attribute, bad)
    assert str(info.value) == f"optimizer.{attribute} {words}"
    assert opt.lr == 0.01
    with pytest.raises(ValueError, match="Invalid learning rate"):
        torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=-0.1)


def test_an_optimizer_pickled_with_lr_as_attribute_loads():
    """Optimizers pickled before `lr` was checked kept it in their __dict__ (a sweep's results)."""
    opt = optim.SGD(0.1, momentum=0.9)
    state = opt.__getstate__()
    state["lr"] = state.pop("_lr")
    old = optim.SGD.__new__(optim.SGD)
    old.__setstate__(state)
    assert old.lr == 0.1 and pickle.loads(pickle.dumps(old)).lr == 0.1


def test_adagrad_state_made_fresh_for_another_dtype_starts_at_the_initial_accumulator():
    """Parameters moved to float32 get fresh state (the base class judges shape and dtype); Adagrad's
    sum started at 0 there instead of initial_accumulator_value, torch's fresh state: the first step
    was the one of a fresh torch.optim.Adagrad in float64 and not in float32."""
    kwargs = dict(lr=0.1, initial_accumulator_value=0.5)
    opt = optim.Adagrad(**kwargs)
    opt.step(np.ones(3), np.ones(3))
    p = np.ones(3, np.float32)
    opt.step(p, np.full(3, 2.0, np.float32))
    t = torch.ones(3, dtype=torch.float32, requires_grad=True)
    theirs = torch.optim.Adagrad([t], **kwargs)
    t.grad = torch.full((3,), 2.0)
    theirs.step()
    np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-6)
    np.testing.assert_array_equal(opt.state["sum"], theirs.state[t]["sum"].numpy())


def test_nesterov_refusal_says_what_it_got():
    with pytest.raises(ValueError, match="requires a momentum and zero dampening"):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(ValidationError, match=r"nesterov=True needs momentum > 0 and dampening = 0; "
                                              r"got momentum=0.9, dampening=0.1"):
        optim.SGD(0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_plateau_counts_are_torchs_with_patience_and_cooldown_one_less():
    """plateau.py's docstring: for patience >= 1 Keras' counts are torch's ReduceLROnPlateau(patience - 1,
    cooldown - 1, threshold_mode="abs"), on walks that plateau, improve by less than min_delta and reach
    min_lr (above torch's eps); patience=0 has no torch equivalent (patience=-1 differs)."""
    import itertools
    import types
    rng = np.random.default_rng(0)
    walks = [np.round(1 + np.cumsum(rng.normal(0, 0.05, 40)), 3) for _ in range(2)]
    differs = set()
    for values, patience, cooldown, min_delta, min_lr in itertools.product(walks, (0, 1, 3), (0, 1, 2), (0.0, 0.05),
                                                                            (1e-4, 0.004)):   # above torch's eps
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        theirs = torch.optim.SGD([p], lr=0.1)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            theirs, factor=0.5, patience=patience - 1, cooldown=max(cooldown - 1, 0), threshold=min_delta,
            threshold_mode="abs", min_lr=min_lr)
        ours = cr.ReduceLROnPlateau(factor=0.5, patience=patience, cooldown=cooldown, min_delta=min_delta,
                                    min_lr=min_lr)
        ours.network = types.SimpleNamespace(optimizer=optim.SGD(0.1))
        ours.on_train_begin({})
        for epoch, value in enumerate(values):
            sched.step(float(value))
            ours.on_epoch_end(epoch, {"val_loss": float(value)})
            if patience == 0:
                if ours.network.optimizer.lr != theirs.param_groups[0]["lr"]:
                    differs.add((cooldown, min_delta, min_lr))
                continue
            assert ours.network.optimizer.lr == theirs.param_groups[0]["lr"], (patience, cooldown, epoch)
        assert ours.network.optimizer.lr < 0.1
    assert len(differs) == 3 * 2 * 2          # patience=0: every setting differs from torch's patience=-1


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2)),
                                         ("SGD", dict(lr=optim.CosineAnnealingLR(0.1, T_max=3), momentum=0.9)),
                                         ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
                                         ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
                                         ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.01)),
                                         ("AdamW", dict(lr=optim.ExponentialLR(0.01, 0.9)))])
def test_saved_mid_training_and_loaded_continues_as_torch_uninterrupted(name, kwargs, kernels, tmp_path):
    """Moments, step count, epoch (the schedule's) and a rate set between fits survive cr.save/cr.load:
    three epochs, a save, a load, three more are torch.optim's six (rate halved after three where set)."""
    X, y = _data()
    net = _net()
    scheduled = isinstance(kwargs["lr"], optim.Schedule)
    plain = {**kwargs, "lr": kwargs["lr"].lr} if scheduled else kwargs
    if scheduled:
        params = [torch.tensor(a.copy(), requires_grad=True) for a in net.get_weights()]
        topt = getattr(torch.optim, name)(params, **plain)
        sched = (torch.optim.lr_scheduler.CosineAnnealingLR(topt, 3) if name == "SGD"
                 else torch.optim.lr_scheduler.ExponentialLR(topt, 0.9))
        Xt, yt = torch.tensor(X), torch.tensor(y)
        for _ in range(6):
            for i in range(0, 20, 5):
                z = torch.tanh(Xt[i:i + 5] @ params[0] + params[1]) @ params[2] + params[3]
                topt.zero_grad()
                torch.nn.functional.cross_entropy(z, yt[i:i + 5]).backward()
                topt.step()
            sched.step()
        want = [p.detach().numpy() for p in params]
    else:
        want = _torch_halving(net, X, y, name, plain, epochs=6, halve_at=3)
    net.fit(X, y, epochs=3, batch_size=5, shuffle=False, optimizer=getattr(optim, name)(**kwargs), verbose=0)
    if not scheduled:
        net.optimizer.lr *= 0.5
    cr.save(net, tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    again.fit(X, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    for got, w in zip(again.get_weights(), want):
        np.testing.assert_allclose(got, w, rtol=0, atol=1e-12)


@pytest.mark.parametrize("dampening", [0.0, 0.3])
def test_momentum_turned_on_between_fits_is_torchs_param_group_momentum(kernels, dampening):
    """SGD built without momentum kept no buffer: `opt.momentum = 0.9` then failed with a KeyError on
    NumPy, and the compiled update ran over a buffer of length 0 (memory beyond it). Torch starts the
    buffer at the gradient, undamped, when its param_group's momentum turns on, and so does chainrule
    (its buffer started at zeros, the first step's gradient damped)."""
    X, y = _data()
    net = _net()
    params = [torch.tensor(a.copy(), requires_grad=True) for a in net.get_weights()]
    topt = torch.optim.SGD(params, lr=0.05)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for epoch in range(4):
        if epoch == 2:
            topt.param_groups[0].update(momentum=0.9, dampening=dampening)
        for i in range(0, 20, 5):
            z = torch.tanh(Xt[i:i + 5] @ params[0] + params[1]) @ params[2] + params[3]
            topt.zero_grad()
            torch.nn.functional.cross_entropy(z, yt[i:i + 5]).backward()
            topt.step()
    opt = optim.SGD(0.05)
    net.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=opt, verbose=0)
    opt.momentum, opt.dampening = 0.9, dampening
    net.fit(X, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
    for got, w in zip(net.get_weights(), [p.detach().numpy() for p in params]):
        np.testing.assert_allclose(got, w, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name,flag", [("Adam", "amsgrad"), ("AdamW", "amsgrad"), ("RMSprop", "centered")])
def test_a_state_flag_turned_on_mid_training_starts_its_state_at_zeros(name, flag, kernels):
    """amsgrad or centered set after some steps was a KeyError (their state was sized at construction);
    their state now starts at zeros, the formulas written out (test_optim._formula) from there."""
    from test_optim import _formula
    rng = np.random.default_rng(2)
    p = rng.normal(size=40)
    opt, kw = getattr(optim, name)(lr=0.01), {"lr": 0.01}
    want, st = p.copy(), {}
    for t in range(1, 11):
        if t == 5:
            setattr(opt, flag, True)
            kw[flag] = True
        g = rng.normal(size=40)
        opt.step(p, g)
        want = _formula(name, kw, want, g, st, t)
        np.testing.assert_allclose(p, want, rtol=0, atol=1e-14)


@pytest.mark.parametrize("name,flag,off", [("SGD", "momentum", 0.0), ("Adam", "amsgrad", False),
                                           ("RMSprop", "centered", False)])
def test_a_state_flag_turned_off_saves_and_loads(name, flag, off, tmp_path):
    """The state a setting no longer uses is dropped at the next step, so the file's state is the one
    its optimizer keeps (load refused the file when the state names followed the settings alone)."""
    X, y = _data()
    net = _net()
    opt = getattr(optim, name)(lr=0.01, **{flag: 0.9 if flag == "momentum" else True})
    net.fit(X, y, epochs=1, batch_size=5, shuffle=False, optimizer=opt, verbose=0)
    setattr(opt, flag, off)
    net.fit(X, y, epochs=1, batch_size=5, shuffle=False, verbose=0)
    cr.save(net, tmp_path / "m.npz")
    assert sorted(cr.load(tmp_path / "m.npz").optimizer.state) == sorted(opt.state_names)
