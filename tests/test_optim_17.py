"""Optimizer settings against torch.optim (float64, 1e-12 relative): a setting changed after construction is
checked as the constructor checks it; lr=0 is a rate, as torch's; a state saved and loaded goes on as one
uninterrupted run of torch's."""
import numpy as np
import pytest

from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")

rng = np.random.default_rng(17)
P0 = rng.normal(size=10)
GRADS = [rng.normal(size=10) for _ in range(6)]


def _torch_steps(make, grads, p0=P0, **later):
    """torch's parameter after stepping `make([p])` on `grads`; `later`: param_group settings set before step 3."""
    p = torch.tensor(p0.copy(), requires_grad=True)
    opt = make([p])
    for i, g in enumerate(grads):
        if i == 2:
            opt.param_groups[0].update(later)
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach().numpy()


@pytest.mark.parametrize("make, name, bad", [
    (lambda: optim.SGD(0.1, momentum=0.9), "momentum", -0.5), (lambda: optim.SGD(0.1), "dampening", -1.0),
    (lambda: optim.SGD(0.1), "nesterov", "yes"), (lambda: optim.SGD(0.1), "weight_decay", -0.1),
    (lambda: optim.Adam(), "betas", (0.9, 1.5)), (lambda: optim.Adam(), "betas", 0.9),
    (lambda: optim.AdamW(), "eps", -1e-8), (lambda: optim.Adam(), "amsgrad", 1),
    (lambda: optim.RMSprop(), "alpha", 2.0), (lambda: optim.RMSprop(), "momentum", -0.1),
    (lambda: optim.RMSprop(), "centered", "no"), (lambda: optim.Adagrad(), "lr_decay", -0.1),
    (lambda: optim.Adagrad(), "initial_accumulator_value", -1.0), (lambda: optim.SGD(0.1), "clip_norm", 0.0)])
def test_a_setting_set_after_construction_is_checked_as_the_constructors(make, name, bad):
    """`opt.momentum = -0.5` was used silently (a negative momentum climbs); torch refuses the same value in its
    constructor, and so does ours: the message is the constructor's, and nothing changes."""
    opt = make()
    before = getattr(opt, name)
    with pytest.raises((ValidationError, ChainruleTypeError)) as constructing:
        type(opt)(**{name: bad})
    with pytest.raises(type(constructing.value)) as setting:
        setattr(opt, name, bad)
    assert str(setting.value) == str(constructing.value) and name.split("_")[0] in str(setting.value)
    assert getattr(opt, name) == before


def test_a_valid_setting_set_later_steps_as_torchs_param_group():
    """Checked, a setting set between steps still takes effect as torch's param_groups edit does."""
    opt, p = optim.SGD(0.1, momentum=0.5), P0.copy()
    for i, g in enumerate(GRADS):
        if i == 2:
            opt.momentum, opt.dampening, opt.weight_decay = 0.9, 0.25, 0.01
        opt.step(p, g.copy())
    want = _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5), GRADS, momentum=0.9, dampening=0.25,
                        weight_decay=0.01)
    np.testing.assert_allclose(p, want, rtol=1e-12)
    opt, p = optim.Adam(0.01), P0.copy()
    for i, g in enumerate(GRADS):
        if i == 2:
            opt.betas, opt.eps = [0.8, 0.99], 1e-6          # a list, as a JSON file gives it: kept as a pair
        opt.step(p, g.copy())
    assert opt.betas == (0.8, 0.99)
    want = _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01), GRADS, betas=(0.8, 0.99), eps=1e-6)
    np.testing.assert_allclose(p, want, rtol=1e-12)


@pytest.mark.parametrize("make, theirs", [
    (lambda lr: optim.SGD(lr, momentum=0.9, dampening=0.1, weight_decay=0.01),
     lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    (lambda lr: optim.Adam(lr, amsgrad=True), lambda ps, lr: torch.optim.Adam(ps, lr=lr, amsgrad=True)),
    (lambda lr: optim.AdamW(lr), lambda ps, lr: torch.optim.AdamW(ps, lr=lr)),
    (lambda lr: optim.RMSprop(lr, momentum=0.5, centered=True),
     lambda ps, lr: torch.optim.RMSprop(ps, lr=lr, momentum=0.5, centered=True)),
    (lambda lr: optim.Adagrad(lr, lr_decay=0.1), lambda ps, lr: torch.optim.Adagrad(ps, lr=lr, lr_decay=0.1))])
def test_a_rate_of_zero_is_taken_as_torchs_a_warm_up_from_zero_included(make, theirs):
    """lr=0 was refused; torch takes it (a warm-up from 0, a layer held by its rate): the state moves, the weights
    do not, and the rate set later goes on from that state as torch's param_group edit does."""
    opt, p = make(0), P0.copy()
    for i, g in enumerate(GRADS):
        if i == 2:
            opt.lr = 0.05
        opt.step(p, g.copy())
        if i < 2:
            np.testing.assert_array_equal(p, P0)
    np.testing.assert_allclose(p, _torch_steps(lambda ps: theirs(ps, 0.0), GRADS, lr=0.05), rtol=1e-12)


def test_schedules_and_the_rate_scheduler_take_a_rate_of_zero():
    """A schedule of lr 0 (torch's schedulers scale an optimizer's lr, 0 included) gives 0; LearningRateScheduler
    (Keras takes 0) warms up from it; a negative rate is still refused, naming the range."""
    import chainrule as cr
    for schedule in (optim.StepLR(0.0, 2), optim.ExponentialLR(0.0, 0.5), optim.LinearLR(0.0),
                     optim.CosineAnnealingLR(0.0, 4), optim.MultiStepLR(0.0, [1]), optim.ConstantLR(0.0),
                     optim.PolynomialLR(0.0)):
        assert [schedule(e) for e in range(3)] == [0.0, 0.0, 0.0]
    X, y = rng.normal(size=(12, 2)), rng.normal(size=(12, 1))
    net = cr.Network([cr.Dense(2, 3), cr.Dense(3, 1, activation="linear")], loss="mse", seed=0)
    before = net.params.copy()
    warm = cr.callbacks.LearningRateScheduler(lambda epoch: 0.01 * epoch)
    history = net.fit(X, y, epochs=2, batch_size=12, optimizer=optim.SGD(0.0), callbacks=[warm], verbose=0)
    assert history.history["learning_rate"] == [0.0, np.float32(0.01)]
    assert not np.array_equal(net.params, before)
    with pytest.raises(ValidationError, match=r"lr must be in \[0.0, inf\); got -0.1"):
        optim.StepLR(-0.1, 2)


def test_sklearns_solver_refuses_a_rate_of_zero_saying_why():
    """SklearnSolver repeats scikit-learn's update, whose rate is never 0 (MLP refuses learning_rate_init=0) and
    whose SGD velocity is kept as the buffer times the rate: a rate of 0 would lose it, so it stays refused."""
    pytest.importorskip("sklearn")
    from sklearn.neural_network import MLPRegressor

    import chainrule as cr
    from chainrule.saving.sklearn_import import SklearnSolver
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    with pytest.warns(Warning):
        mlp = MLPRegressor(hidden_layer_sizes=(3,), solver="sgd", momentum=0.9, max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError):
        MLPRegressor(learning_rate_init=0.0).fit(X, y)             # scikit-learn's own refusal
    solver = SklearnSolver(cr.from_sklearn(mlp), mlp)
    with pytest.raises(ValidationError, match=r"optimizer.lr must be > 0 for SklearnSolver.*got 0"):
        solver.lr = 0
    assert solver.lr == solver.inner.lr == mlp._optimizer.learning_rate



CUTS = [0, 4, 7, 10]                 # three parameters: [0, 4), [4, 7), [7, 10)
STEPPED = [(0,), (0,), (0,), (0, 2), (0, 1, 2), (0, 1, 2)]      # which of them each step updates


def _torch_parts(make, grads=GRADS, stepped=STEPPED):
    """torch's three parameters stepped on `grads`, each only at the steps that name it (the others without a
    gradient: not in the step, no state made for them yet)."""
    parts = [torch.tensor(P0[a:b].copy(), requires_grad=True) for a, b in zip(CUTS, CUTS[1:])]
    opt = make(parts)
    for g, which in zip(grads, stepped):
        for k, (part, a, b) in enumerate(zip(parts, CUTS, CUTS[1:])):
            part.grad = torch.tensor(g[a:b]) if k in which else None
        opt.step()
    return np.concatenate([part.detach().numpy() for part in parts])


def _slices(which):
    return None if len(which) == 3 else [slice(CUTS[k], CUTS[k + 1]) for k in which]


@pytest.mark.parametrize("settings", [dict(momentum=0.9, dampening=0.5),
                                      dict(momentum=0.9, dampening=0.5, weight_decay=0.01),
                                      dict(momentum=0.8, nesterov=True)])
def test_a_part_stepped_first_later_starts_its_sgd_buffer_as_torch_undamped(settings):
    """A layer unfrozen mid-training: torch makes its buffer at its first step, the gradient itself (undamped);
    its first update here was damped, its buffer made (zeros) with the other parameters'. Parts entering at
    different steps, and a step over parts some of which start (adjacent slices, one run), each start as torch's."""
    opt, p = optim.SGD(0.1, **settings), P0.copy()
    for g, which in zip(GRADS, STEPPED):
        opt.step(p, g.copy(), _slices(which))
    np.testing.assert_allclose(p, _torch_parts(lambda ps: torch.optim.SGD(ps, lr=0.1, **settings)), rtol=1e-12)


def _net_and_torch(seed=1):
    import chainrule as cr
    net = cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 2, activation="linear")], loss="mse", seed=seed)
    weights = [torch.tensor(w.copy(), requires_grad=True) for w in net.get_weights()]
    return net, weights


XN, YN = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))


def _torch_fit(weights, opt, steps, frozen, held=(0, 1)):
    """`steps` full-batch steps of torch's twin; with `frozen`, the weights numbered in `held` get no gradient."""
    for _ in range(steps):
        for w in weights:
            w.grad = None
        out = torch.tanh(torch.tensor(XN) @ weights[0] + weights[1]) @ weights[2] + weights[3]
        ((out - torch.tensor(YN)) ** 2).mean().backward()
        if frozen:
            for i in held:
                weights[i].grad = None
        opt.step()


@pytest.mark.parametrize("compiled", [False, True])
def test_a_layer_unfrozen_between_fits_trains_as_torchs(compiled, monkeypatch):
    """fit with the first layer frozen, then unfrozen and fit again with the same SGD (dampening): as torch, whose
    unfrozen parameters' buffers start undamped; in the NumPy loop and in the compiled one (where it runs)."""
    from chainrule.backend import kernels
    from chainrule.training import compiled as loops
    if compiled and not kernels.AVAILABLE:
        pytest.skip("needs Numba (the [fast] extra)")
    monkeypatch.setattr(kernels, "ENABLED", compiled)
    runs, run = [], loops.run
    monkeypatch.setattr(loops, "run", lambda *args, **kw: runs.append(1) or run(*args, **kw))
    net, weights = _net_and_torch()
    opt = optim.SGD(0.05, momentum=0.9, dampening=0.3)
    net.layers[0].trainable = False
    net.fit(XN, YN, epochs=3, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
    net.layers[0].trainable = True
    net.fit(XN, YN, epochs=3, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
    theirs = torch.optim.SGD(weights, lr=0.05, momentum=0.9, dampening=0.3)
    _torch_fit(weights, theirs, 3, True)
    _torch_fit(weights, theirs, 3, False)
    for mine, w in zip(net.get_weights(), weights):
        np.testing.assert_allclose(mine, w.detach().numpy(), rtol=1e-12)
    assert bool(runs) == compiled             # the compiled loop ran the epochs it could


TORCH_TWINS = [
    (lambda: optim.SGD(0.05), dict(momentum=0.9, dampening=0.3), lambda ps: torch.optim.SGD(ps, lr=0.05)),
    (lambda: optim.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01), {},
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (lambda: optim.SGD(0.05, momentum=0.9, dampening=0.3), dict(lr=0.02),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3)),
    (lambda: optim.Adam(0.01, amsgrad=True), dict(betas=(0.8, 0.99)),
     lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True)),
    (lambda: optim.AdamW(0.01), {}, lambda ps: torch.optim.AdamW(ps, lr=0.01)),
    (lambda: optim.RMSprop(0.01, momentum=0.5, centered=True), dict(alpha=0.9),
     lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True)),
    (lambda: optim.Adagrad(0.1, lr_decay=0.1), {}, lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.1))]


def _fit_saved(make, change, freeze, tmp_path, interrupt=True):
    """3 epochs (the first layer frozen if `freeze`), saved and loaded (if `interrupt`), settings `change`d, the layer
    trainable, 3 epochs more: the network."""
    import chainrule as cr
    net, weights = _net_and_torch()
    net.layers[0].trainable = not freeze
    net.fit(XN, YN, epochs=3, batch_size=6, shuffle=False, optimizer=make(), verbose=0)
    if interrupt:
        net.save(tmp_path / "m.npz")
        net = cr.load(tmp_path / "m.npz")
    for name, value in change.items():
        setattr(net.optimizer, name, value)
    net.layers[0].trainable = True
    net.fit(XN, YN, epochs=3, batch_size=6, shuffle=False, optimizer=net.optimizer, verbose=0)
    return net, weights


@pytest.mark.parametrize("make, change, theirs", TORCH_TWINS)
def test_saved_loaded_and_continued_is_torchs_uninterrupted_run(make, change, theirs, tmp_path):
    """Every optimizer saved after 3 steps, loaded, a setting changed (momentum turned on from 0: no buffer was saved,
    torch makes it at the next step, undamped) and continued: torch's uninterrupted run with the same param_group
    edit."""
    net, weights = _fit_saved(make, change, False, tmp_path)
    opt = theirs(weights)
    _torch_fit(weights, opt, 3, False)
    opt.param_groups[0].update(change)
    _torch_fit(weights, opt, 3, False)
    for mine, w in zip(net.get_weights(), weights):
        np.testing.assert_allclose(mine, w.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("make, change, theirs", TORCH_TWINS)
def test_a_layer_frozen_when_saved_and_unfrozen_after_load_goes_on_as_if_never_saved(make, change, theirs, tmp_path):
    """The file keeps which parts' SGD buffer has not started (a layer frozen so far): unfrozen after load, its first
    step is undamped, as torch's (it was damped after a load, the mark lost). Each optimizer's run with a save
    in it equals the one without; SGD's equals torch's (Adam's step count is the network's, not per parameter)."""
    net, weights = _fit_saved(make, change, True, tmp_path)
    whole, _ = _fit_saved(make, change, True, tmp_path, interrupt=False)
    np.testing.assert_allclose(net.params, whole.params, rtol=1e-12)    # without a mask saved: maybe the compiled loop
    if type(net.optimizer) is optim.SGD:
        opt = theirs(weights)
        _torch_fit(weights, opt, 3, True)
        opt.param_groups[0].update(change)
        _torch_fit(weights, opt, 3, False)
        for mine, w in zip(net.get_weights(), weights):
            np.testing.assert_allclose(mine, w.detach().numpy(), rtol=1e-12)


def test_a_files_fresh_parts_are_checked_and_need_its_format_version(tmp_path):
    """The parts not started are kept in format version 3 (an older chainrule refuses it by version, not as a damaged
    file); a crafted range outside the parameters or out of order is refused, naming it."""
    import json

    import chainrule as cr
    from chainrule.errors import ModelFileError
    net, _ = _fit_saved(lambda: optim.SGD(0.05, momentum=0.9, dampening=0.3), {}, True, tmp_path, interrupt=False)
    net.layers[0].trainable = False
    net.fit(XN, YN, epochs=1, batch_size=6, shuffle=False, optimizer=optim.SGD(0.05, momentum=0.9, dampening=0.3),
            verbose=0)
    net.save(tmp_path / "f.npz")
    with np.load(tmp_path / "f.npz") as f:
        arrays = dict(f)
    header = json.loads(str(arrays["__format__"]))
    assert header["version"] == 3 and header["optimizer"]["fresh"] == [[0, 16]]     # W and b of the first layer
    for bad in ([[0, 99]], [[4, 2]], [[0, 4], [2, 6]], "all", [[0, True]]):
        header["optimizer"]["fresh"] = bad
        arrays["__format__"] = np.array(json.dumps(header))
        np.savez(tmp_path / "bad.npz", **arrays)
        with pytest.raises(ModelFileError, match="the optimizer's fresh parts must be a list of increasing"):
            cr.load(tmp_path / "bad.npz")


def _header(path):
    import json
    with np.load(path) as f:
        arrays = dict(f)
    return arrays, json.loads(str(arrays["__format__"]))


def _refused_when_written(arrays, header, path, match, row=None):
    """`row`: the row of docs/errors.md that shows the message (DIR the folder)."""
    import json
    from pathlib import Path

    import chainrule as cr
    from chainrule.errors import ModelFileError
    arrays["__format__"] = np.array(json.dumps(header))
    np.savez(path, **arrays)
    with pytest.raises(ModelFileError, match=match) as caught:
        cr.load(path)
    if row is not None:
        doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
        assert f"| {row} | `ModelFileError` | {str(caught.value).replace(str(path.parent), 'DIR')} |" in doc


def test_fresh_parts_are_refused_where_nothing_reads_them(tmp_path):
    """"fresh" (SGD's buffer not started) in a file of an optimizer without that buffer (Adam, SGD without momentum),
    or of format version 1 or 2, was accepted: Adam got a mask that re-saved as version 3 and turned the compiled
    loop off for an epoch. Each is refused, naming what was wrong."""
    import chainrule as cr
    for make, what in [(lambda: optim.Adam(0.01), "this Adam keeps no such buffer"),
                       (lambda: optim.SGD(0.05), "this SGD keeps no such buffer")]:
        net, _ = _net_and_torch()
        net.fit(XN, YN, epochs=1, batch_size=6, optimizer=make(), verbose=0)
        net.save(tmp_path / "a.npz")
        arrays, header = _header(tmp_path / "a.npz")
        header["version"], header["optimizer"]["fresh"] = 3, [[0, 5]]
        row = "load fresh parts for Adam" if "Adam" in what else None
        _refused_when_written(arrays, header, tmp_path / "bad.npz", f"'fresh' parts mark where SGD's momentum "
                              f"buffer has not started; {what}", row)
    net, _ = _net_and_torch()
    net.layers[0].trainable = False
    net.fit(XN, YN, epochs=1, batch_size=6, optimizer=optim.SGD(0.05, momentum=0.9, dampening=0.3), verbose=0)
    net.save(tmp_path / "f.npz")
    arrays, header = _header(tmp_path / "f.npz")
    assert header["version"] == 3 and header["optimizer"]["fresh"] == [[0, 16]]
    cr.load(tmp_path / "f.npz")
    for version in (1, 2):
        header["version"] = version
        _refused_when_written(arrays, header, tmp_path / "bad.npz",
                              f"the optimizer's 'fresh' parts need format version 3; the file says version {version}",
                              f"load fresh parts in version {version}" if version == 2 else None)


@pytest.mark.parametrize("edit", [dict(momentum=0.0), dict(dampening=0.1)])
def test_sgds_settings_edited_apart_are_taken_as_torchs_saved_and_go_on(edit, tmp_path):
    """nesterov needs momentum > 0 and dampening = 0 (torch's constructor refuses it too), a tie only the constructor
    checks: an edit after it is taken, as torch's param_groups (turning nesterov off passes through a pair the
    constructor refuses). Saved so, save refused it (load rebuilt the optimizer through the constructor), and
    fit(checkpoint_dir=...) failed at its next checkpoint: load now sets them after it, and the run goes on as the
    one never saved, and as torch's."""
    import chainrule as cr
    (name, value), = edit.items()
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, **{"momentum": 0.9, "nesterov": True, **edit})
    with pytest.raises(ValidationError, match="nesterov=True needs momentum > 0 and dampening = 0"):
        optim.SGD(0.1, **{"momentum": 0.9, "nesterov": True, **edit})

    def run(save: bool):
        net, _ = _net_and_torch()
        opt = optim.SGD(0.1, momentum=0.9, nesterov=True)
        net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
        setattr(opt, name, value)                   # taken, as torch's opt.param_groups[0][name] = value
        assert getattr(opt, name) == value
        if save:
            net.save(tmp_path / "n.npz")
            net = cr.load(tmp_path / "n.npz")
            assert net.optimizer.config() == opt.config()
            opt = net.optimizer
        net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
        return net

    np.testing.assert_array_equal(run(save=True).params, run(save=False).params)
    _, weights = _net_and_torch()
    theirs = torch.optim.SGD(weights, lr=0.1, momentum=0.9, nesterov=True)
    _torch_fit(weights, theirs, 2, False)
    theirs.param_groups[0][name] = value
    _torch_fit(weights, theirs, 2, False)
    for mine, w in zip(run(save=True).get_weights(), weights):
        np.testing.assert_allclose(mine, w.detach().numpy(), rtol=1e-12)


def test_a_part_always_frozen_under_plain_momentum_saves_no_format_3(tmp_path):
    """With dampening 0 a buffer started as torch's (buf = g) and one from zeros (0.9 * 0 + (1 - 0) * g) step alike:
    a network with a part always frozen (the seed's biases) saved "fresh" and format 3, which chainrule before it
    refuses. Only dampening != 0 needs it; the file, unfrozen after load, still trains as torch."""
    import chainrule as cr
    net, weights = _net_and_torch()
    for layer in net.layers:
        layer.trainable = {"W": True, "b": False}
    net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=optim.SGD(0.05, momentum=0.9), verbose=0)
    net.save(tmp_path / "s.npz")
    _, header = _header(tmp_path / "s.npz")
    assert header["version"] == 1 and "fresh" not in header["optimizer"]      # no infinity in it: 1, as before
    net = cr.load(tmp_path / "s.npz")
    for layer in net.layers:
        layer.trainable = True
    net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=net.optimizer, verbose=0)
    theirs = torch.optim.SGD(weights, lr=0.05, momentum=0.9)
    _torch_fit(weights, theirs, 2, True, held=(1, 3))      # the biases held, as the seed network's
    _torch_fit(weights, theirs, 2, False)
    for mine, w in zip(net.get_weights(), weights):
        np.testing.assert_allclose(mine, w.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("make,edit,frozen", [
    (lambda: optim.SGD(0.1), dict(momentum=0.9), False),
    (lambda: optim.SGD(0.1, momentum=0.9), dict(momentum=0.0), False),
    (lambda: optim.SGD(0.1, momentum=0.9, nesterov=True), dict(momentum=0.0, nesterov=False), False),
    (lambda: optim.SGD(0.05, momentum=0.9, dampening=0.3), dict(momentum=0.0), True),
    (lambda: optim.Adam(0.01), dict(amsgrad=True), False),
    (lambda: optim.Adam(0.01, amsgrad=True), dict(amsgrad=False), False),
    (lambda: optim.RMSprop(0.01), dict(centered=True), False),
    (lambda: optim.RMSprop(0.01, centered=True), dict(centered=False), False),
])
def test_a_setting_turned_on_or_off_then_saved_loads_and_goes_on_as_never_saved(make, edit, frozen, tmp_path):
    """A setting that turns a state array on or off (momentum, amsgrad, centered), edited after steps and saved
    before the next: the file held the array the settings no longer use (or lacked the one they now use) and load
    refused it ("keeps state [...]; the file has [...]"). Now it loads, and the array put aside comes back when
    the setting is turned on again, as in the run never saved (which steps as torch: test_optim_13). With a layer
    `frozen` until then (SGD with dampening), the parts whose buffer has not started ("fresh") were dropped while
    momentum was 0 at save: unfrozen, they started damped, 0.0115 off the run never saved."""
    import chainrule as cr

    def run(save: bool):
        net, _ = _net_and_torch()
        net.layers[0].trainable = not frozen
        opt = make()
        net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
        for k, v in edit.items():
            setattr(opt, k, v)
        if save:
            net.save(tmp_path / "e.npz")
            net = cr.load(tmp_path / "e.npz")
            net.layers[0].trainable = not frozen
            opt = net.optimizer
        net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
        back = make()       # the setting as it was at first, turned back on: the kept array taken back
        for k in edit:
            setattr(opt, k, getattr(back, k))
        net.layers[0].trainable = True
        net.fit(XN, YN, epochs=2, batch_size=6, shuffle=False, optimizer=opt, verbose=0)
        return net.params.copy()

    np.testing.assert_array_equal(run(save=True), run(save=False))
