"""Learning-rate schedules against torch.optim.lr_scheduler, run epoch by epoch on a real optimizer:
the rate before each epoch's steps, scheduler.step() after each epoch."""
import math
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import errors, optim

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

from schedule_oracle import torch_rates  # noqa: E402


def assert_rates(got, want):
    """Equal to 1e-12 relative; where the rate is 0 (LinearLR down to 0), torch's recursive form leaves
    a rounding residue of its products (2e-18), 0 in its closed form and in chainrule's."""
    assert len(got) == len(want)
    for epoch, (g, w) in enumerate(zip(got, want)):
        assert abs(g - w) <= 1e-12 * max(abs(g), abs(w)) or max(abs(g), abs(w)) < 1e-16, (epoch, g, w)


CASES = [
    ("step", lambda: optim.StepLR(0.1, step_size=3, gamma=0.5), lambda o: sched.StepLR(o, 3, 0.5)),
    ("exponential", lambda: optim.ExponentialLR(0.1, gamma=0.95), lambda o: sched.ExponentialLR(o, 0.95)),
    ("cosine past T_max", lambda: optim.CosineAnnealingLR(0.1, T_max=10, eta_min=0.01),
     lambda o: sched.CosineAnnealingLR(o, 10, 0.01)),
    ("cosine to 0", lambda: optim.CosineAnnealingLR(0.1, T_max=7), lambda o: sched.CosineAnnealingLR(o, 7)),
    ("multistep", lambda: optim.MultiStepLR(0.1, milestones=[5, 12, 30]), lambda o: sched.MultiStepLR(o, [5, 12, 30])),
    ("multistep twice, unsorted, at 0", lambda: optim.MultiStepLR(0.1, [20, 0, 7, 7], gamma=0.5),
     lambda o: sched.MultiStepLR(o, [20, 0, 7, 7], gamma=0.5)),
    ("linear", lambda: optim.LinearLR(0.1), lambda o: sched.LinearLR(o)),
    ("linear down to 0", lambda: optim.LinearLR(0.1, start_factor=0.9, end_factor=0.0, total_iters=17),
     lambda o: sched.LinearLR(o, start_factor=0.9, end_factor=0.0, total_iters=17)),
    ("constant", lambda: optim.ConstantLR(0.1), lambda o: sched.ConstantLR(o)),
    ("constant 0.7 for 9", lambda: optim.ConstantLR(0.1, factor=0.7, total_iters=9),
     lambda o: sched.ConstantLR(o, factor=0.7, total_iters=9)),
    ("polynomial", lambda: optim.PolynomialLR(0.1), lambda o: sched.PolynomialLR(o)),
    ("polynomial squared", lambda: optim.PolynomialLR(0.1, total_iters=25, power=2.0),
     lambda o: sched.PolynomialLR(o, total_iters=25, power=2.0)),
    ("warm-up then cosine", lambda: optim.SequentialLR([optim.LinearLR(0.1, 0.1, total_iters=4),
                                                        optim.CosineAnnealingLR(0.1, T_max=12)], milestones=[4]),
     lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.1, total_iters=4), sched.CosineAnnealingLR(o, 12)], [4])),
    ("three, milestone mid-warm-up", lambda: optim.SequentialLR(
        [optim.ConstantLR(0.1, 0.2, total_iters=6), optim.ExponentialLR(0.1, 0.9),
         optim.MultiStepLR(0.1, [3, 8])], milestones=[3, 20]),
     lambda o: sched.SequentialLR(o, [sched.ConstantLR(o, 0.2, total_iters=6), sched.ExponentialLR(o, 0.9),
                                      sched.MultiStepLR(o, [3, 8])], [3, 20])),
    ("linear then step", lambda: optim.SequentialLR([optim.LinearLR(0.1, 0.5, 1.0, 3), optim.StepLR(0.1, 4, 0.5)],
                                                    [3]),
     lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.5, 1.0, 3), sched.StepLR(o, 4, 0.5)], [3])),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,ours,theirs", CASES, ids=IDS)
def test_the_schedule_is_torchs_for_100_epochs(name, ours, theirs):
    """CosineAnnealingLR past T_max: chainrule computes torch's closed form (the formula torch documents,
    its step(epoch)), which goes back up to lr over the next T_max epochs; torch's recursive form
    (step()) follows the same curve, within 1e-12 of it over 100 epochs."""
    assert_rates([ours()(e) for e in range(100)], torch_rates(theirs, 100))


def test_cosine_past_t_max_goes_back_up_as_torchs_closed_form():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    scheduler = sched.CosineAnnealingLR(opt, 10, 0.01)
    closed = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # step(epoch) is deprecated: it is torch's closed form
        for epoch in range(100):
            scheduler.step(epoch)
            closed.append(opt.param_groups[0]["lr"])
    ours = optim.CosineAnnealingLR(0.1, T_max=10, eta_min=0.01)
    assert_rates([ours(e) for e in range(100)], closed)
    assert ours(10) == pytest.approx(0.01) and ours(20) == pytest.approx(0.1)      # down, then up again


class Rates(cr.callbacks.Callback):
    def __init__(self):
        self.rates = []

    def on_epoch_begin(self, epoch):
        self.rates.append(self.network.optimizer.lr)


def problem():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=2), X, Y


NEW = [c for c in CASES if c[0] in ("multistep twice, unsorted, at 0", "linear down to 0", "constant 0.7 for 9",
                                    "polynomial squared", "three, milestone mid-warm-up")]


@pytest.mark.parametrize("name,ours,theirs", NEW, ids=[c[0] for c in NEW])
def test_training_follows_torchs_rates_through_a_model_file_and_a_checkpoint(name, ours, theirs, tmp_path):
    """35 epochs in one fit, in 14 + 21 through cr.save / cr.load, and interrupted in epoch 14 and
    resumed from the checkpoint: the same rates (torch's), the same weights."""
    want = torch_rates(theirs, 35)
    args = dict(batch_size=4, shuffle=False, verbose=0)
    ref, X, Y = problem()
    seen = Rates()
    ref.fit(X, Y, epochs=35, optimizer=optim.SGD(ours(), momentum=0.5), callbacks=[seen], **args)
    assert_rates(seen.rates, want)

    net, X, Y = problem()
    first, second = Rates(), Rates()
    net.fit(X, Y, epochs=14, optimizer=optim.SGD(ours(), momentum=0.5), callbacks=[first], **args)
    cr.save(net, tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz")
    assert again.optimizer.schedule.config() == ours().config()
    again.fit(X, Y, epochs=21, callbacks=[second], **args)
    assert_rates(first.rates + second.rates, want)
    np.testing.assert_array_equal(again.params, ref.params)

    class Interrupt(Rates):
        def on_epoch_begin(self, epoch):
            if epoch == 14:
                raise KeyboardInterrupt
            super().on_epoch_begin(epoch)

    net, X, Y = problem()
    stopped, resumed = Interrupt(), Rates()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, Y, epochs=35, optimizer=optim.SGD(ours(), momentum=0.5), callbacks=[stopped],
                checkpoint_dir=tmp_path / "run", **args)
    net, X, Y = problem()
    net.fit(X, Y, epochs=35, optimizer=optim.SGD(ours(), momentum=0.5), callbacks=[resumed],
            checkpoint_dir=tmp_path / "run", resume=True, **args)
    assert_rates(stopped.rates + resumed.rates, want)
    np.testing.assert_array_equal(net.params, ref.params)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")         # 9 epochs: sklearn's ConvergenceWarning
def test_a_scikit_learn_estimator_clones_and_trains_with_a_new_schedule(monkeypatch):
    """Every epoch's rate is torch's, and the weights are those of the same estimator given torch's rates
    epoch by epoch (a LearningRateScheduler): the last epoch's rate alone left the others unchecked."""
    from sklearn.base import clone

    from chainrule.sklearn import BackpropRegressor
    added: list = []
    fit = cr.Network.fit
    monkeypatch.setattr(cr.Network, "fit", lambda self, *a, callbacks=None, **k: fit(
        self, *a, callbacks=[*(callbacks or []), *added], **k))        # the estimator's fit takes no callbacks
    schedule = optim.SequentialLR([optim.LinearLR(0.05, 0.2, total_iters=3), optim.PolynomialLR(0.05, 8, 2.0)], [3])
    est = BackpropRegressor(hidden_layer_sizes=(4,), optimizer=optim.SGD(schedule), epochs=9, random_state=0)
    copy = clone(est)
    assert copy.get_params()["optimizer"].config() == est.get_params()["optimizer"].config()
    _, X, Y = problem()
    added[:] = [Rates()]
    copy.fit(X, Y.ravel())
    want = torch_rates(lambda o: sched.SequentialLR(o, [sched.LinearLR(o, 0.2, total_iters=3),
                                                        sched.PolynomialLR(o, 8, 2.0)], [3]), 9, lr=0.05)
    assert_rates(added[0].rates, want)
    assert est.get_params()["optimizer"].t == 0                    # fit trained a copy
    added[:] = [cr.callbacks.LearningRateScheduler(lambda epoch: want[epoch])]
    given = BackpropRegressor(hidden_layer_sizes=(4,), optimizer=optim.SGD(0.05), epochs=9, random_state=0).fit(
        X, Y.ravel())
    np.testing.assert_allclose(copy.network_.params, given.network_.params, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("call,theirs,exc,pattern", [
    (lambda: optim.LinearLR(0.1, start_factor=0.0), lambda o: sched.LinearLR(o, start_factor=0.0),
     errors.ValidationError, r"start_factor must be in \(0.0, 1.0\]; got 0.0"),
    (lambda: optim.LinearLR(0.1, start_factor=1.5), lambda o: sched.LinearLR(o, start_factor=1.5),
     errors.ValidationError, r"start_factor must be in \(0.0, 1.0\]; got 1.5"),
    (lambda: optim.LinearLR(0.1, end_factor=-0.1), lambda o: sched.LinearLR(o, end_factor=-0.1),
     errors.ValidationError, r"end_factor must be in \[0.0, 1.0\]; got -0.1"),
    (lambda: optim.ConstantLR(0.1, factor=1.2), lambda o: sched.ConstantLR(o, factor=1.2),
     errors.ValidationError, r"factor must be in \(0.0, 1.0\]; got 1.2"),
    (lambda: optim.SequentialLR([optim.ConstantLR(0.1), optim.StepLR(0.1, 2)], milestones=[]),
     lambda o: sched.SequentialLR(o, [sched.ConstantLR(o), sched.StepLR(o, 2)], []),
     errors.ValidationError, r"milestones must have one epoch fewer than schedules \(1 for 2 schedules\); got 0"),
    (lambda: optim.SequentialLR([], milestones=[]), lambda o: sched.SequentialLR(o, [], []),
     errors.ValidationError, "schedules must be a non-empty list of schedules"),
])
def test_torchs_refusals_are_refused_naming_the_argument(call, theirs, exc, pattern):
    with pytest.raises(ValueError):
        torch_rates(theirs, 1)
    with pytest.raises(exc, match=pattern):
        call()


def test_a_factor_of_0_is_refused_where_torch_divides_by_it():
    with pytest.raises(ZeroDivisionError):
        torch_rates(lambda o: sched.ConstantLR(o, factor=0.0, total_iters=2), 4)
    with pytest.raises(errors.ValidationError, match=r"factor must be in \(0.0, 1.0\]; got 0.0"):
        optim.ConstantLR(0.1, factor=0.0)


def test_a_sequential_schedule_inside_another_is_refused_where_torch_fails_at_the_milestone():
    with pytest.raises(NotImplementedError):
        torch_rates(lambda o: sched.SequentialLR(o, [sched.ConstantLR(o), sched.SequentialLR(
            o, [sched.LinearLR(o), sched.StepLR(o, 2)], [2])], [3]), 5)
    with pytest.raises(errors.ValidationError, match=r"schedules\[1\] is a SequentialLR; give its schedules and "
                                                     r"milestones in this one"):
        optim.SequentialLR([optim.ConstantLR(0.1), optim.SequentialLR([optim.LinearLR(0.1), optim.StepLR(0.1, 2)],
                                                                      [2])], [3])


def test_a_negative_power_is_refused_where_torch_divides_by_0():
    with pytest.raises(ZeroDivisionError):
        torch_rates(lambda o: sched.PolynomialLR(o, total_iters=2, power=-1.0), 4)
    with pytest.raises(errors.ValidationError, match=r"power must be in \[0.0, inf\); got -1.0"):
        optim.PolynomialLR(0.1, total_iters=2, power=-1.0)


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: optim.MultiStepLR(0.1, milestones=5), errors.ChainruleTypeError,
     r"milestones must be a list of epoch indices \(integers\); got 5 \(int\)"),
    (lambda: optim.MultiStepLR(0.1, milestones=[2, 4.5]), errors.ChainruleTypeError,
     r"milestones\[1\] must be an integer \(an epoch index\); got 4.5 \(float\)"),
    (lambda: optim.MultiStepLR(0.1, milestones=[-1]), errors.ValidationError,
     r"milestones\[0\] must be an integer >= 0 \(an epoch index\); got -1"),
    (lambda: optim.PolynomialLR(0.1, total_iters=0), errors.ValidationError,
     "total_iters must be a positive integer; got 0"),
    (lambda: optim.SequentialLR([optim.ConstantLR(0.1), optim.StepLR(0.1, 2), optim.StepLR(0.1, 3)], [6, 4]),
     errors.ValidationError, r"milestones must be increasing \(each schedule runs from one to the next\); "
                             r"got \[6, 4\]"),
    (lambda: optim.SequentialLR([optim.ConstantLR(0.1), optim.StepLR(0.1, 2)], [0]), errors.ValidationError,
     r"milestones\[0\] must be an integer >= 1"),
    (lambda: optim.SequentialLR([optim.ConstantLR(0.1), 0.1], [3]), errors.ChainruleTypeError,
     r"schedules\[1\] must be a schedule \(StepLR\(...\), ...\) or its config \(a dict\); got 0.1 \(float\)"),
    (lambda: optim.SequentialLR([optim.SequentialLR([optim.ConstantLR(0.1)], []), optim.StepLR(0.1, 2)], [3]),
     errors.ValidationError, r"schedules\[0\] is a SequentialLR"),
    (lambda: optim.SequentialLR([{"name": "Linear", "lr": 0.1}], []), errors.UnknownNameError,
     "Did you mean 'LinearLR'"),
])
def test_bad_arguments_are_refused_naming_them(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_every_schedule_is_registered_and_rebuilt_from_its_config():
    from chainrule.training.schedules import SCHEDULES
    for _, ours, _ in CASES:
        schedule = ours()
        cfg = schedule.config()
        assert SCHEDULES[cfg["name"]] is type(schedule)
        again = optim.get_optimizer({"name": "sgd", "lr": cfg}).schedule
        assert again.config() == cfg and [again(e) for e in range(40)] == [schedule(e) for e in range(40)]
    assert math.isclose(optim.LinearLR(0.3).start_factor, 1 / 3)


def test_an_unregistered_schedule_inside_a_sequential_one_is_refused_at_save(tmp_path):
    """It was saved by a name no loader knows: the file then failed to load. Now save refuses it, as it
    refuses an unregistered schedule given as the optimizer's own."""
    class Flat(optim.Schedule):
        def __call__(self, epoch):
            return 0.05

        def config(self):
            return {"name": "Flat"}

    net, X, Y = problem()
    net.fit(X, Y, epochs=2, optimizer=optim.SGD(optim.SequentialLR([optim.ConstantLR(0.1), Flat()], [1])), verbose=0)
    with pytest.raises(errors.ChainruleTypeError, match=r"schedules\[1\] of the optimizer's SequentialLR is a Flat, "
                                                        r"which would load back as nothing.*register_schedule"):
        cr.save(net, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
