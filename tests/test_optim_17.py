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
