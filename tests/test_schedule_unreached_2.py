"""ScheduleWarning's neighbours: a rate that never changes (gamma=1, factor=1) is not warned of; partial_fit's silence
is its own thread's, not the process's; a fit refused at its start, or with no epochs left, says nothing of it."""
import sys
import threading
import warnings

import numpy as np
import pytest
from schedule_oracle import torch, torch_rates

import chainrule as cr
from chainrule.optim import ConstantLR, MultiStepLR, StepLR
from chainrule.training.schedules import ScheduleWarning


@pytest.mark.parametrize("ours, theirs", [
    (StepLR(0.1, step_size=10, gamma=1.0), lambda s, o: s.StepLR(o, step_size=10, gamma=1.0)),
    (MultiStepLR(0.1, milestones=[10], gamma=1.0), lambda s, o: s.MultiStepLR(o, milestones=[10], gamma=1.0)),
    (ConstantLR(0.1, factor=1.0, total_iters=10), lambda s, o: s.ConstantLR(o, factor=1.0, total_iters=10))])
def test_a_rate_that_never_changes_is_not_said_to_change(ours, theirs):
    """It was warned of as "the rate first changes at epoch 10": torch's never changes, nor does ours."""
    assert len(set(torch_rates(lambda opt: theirs(torch.optim.lr_scheduler, opt), 30))) == 1
    assert len({ours(e) for e in range(30)}) == 1
    X = np.random.default_rng(0).normal(size=(8, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScheduleWarning)
        cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0).fit(X, X[:, :1], epochs=3, verbose=0,
                                                                         optimizer=cr.optim.SGD(lr=ours))


def _in_training() -> bool:
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "_run":
        frame = frame.f_back
    return frame is not None


INSIDE, RELEASE = threading.Event(), threading.Event()


class _Held(MultiStepLR):
    """Holds partial_fit's thread inside its training until the other thread's fit is done."""

    def __call__(self, epoch):
        if threading.current_thread() is not threading.main_thread() and _in_training() and not INSIDE.is_set():
            INSIDE.set()
            RELEASE.wait(20)
        return super().__call__(epoch)


@pytest.mark.filterwarnings("always::chainrule.training.schedules.ScheduleWarning")   # shown, not raised
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_partial_fit_in_one_thread_leaves_another_thread_s_warning(monkeypatch):
    """partial_fit silenced the warning with a filter, which is the whole process's: a fit in another thread meanwhile
    (a sweep's threads, a server's) lost its warning."""
    from chainrule.sklearn import BackpropRegressor
    heard = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, category, *a, **k: heard.append(category))
    X = np.random.default_rng(0).normal(size=(20, 2))
    est = BackpropRegressor(hidden_layer_sizes=(), learning_rate=_Held(0.01, milestones=[100]), epochs=5)
    other = threading.Thread(target=est.partial_fit, args=(X, X[:, 0]))
    other.start()
    try:
        assert INSIDE.wait(20)
        cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0).fit(
            X, X[:, :1], epochs=7, verbose=0, optimizer=cr.optim.SGD(lr=MultiStepLR(0.1, milestones=[50])))
    finally:
        RELEASE.set()
        other.join(20)
    assert ScheduleWarning in heard


def test_a_resume_with_no_epochs_left_trains_none_and_is_silent(tmp_path):
    """Its checkpoint already at epochs=5: no epoch runs, but it warned again that "this fit ends at epoch 4"."""
    X = np.random.default_rng(0).normal(size=(8, 2))

    def fit(**kw):
        net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            net.fit(X, X[:, :1], epochs=5, verbose=0, optimizer=cr.optim.SGD(lr=MultiStepLR(0.1, [7])),
                    checkpoint_dir=tmp_path, **kw)
        return net, [w for w in seen if w.category is ScheduleWarning]
    trained, said = fit()
    assert len(said) == 1
    resumed, said = fit(resume=True)
    np.testing.assert_array_equal(resumed.params, trained.params)      # nothing trained
    assert not said


@pytest.mark.parametrize("callback", [lambda: cr.callbacks.LearningRateScheduler(lambda epoch: 0.1),
                                      lambda: cr.callbacks.ReduceLROnPlateau(monitor="loss")])
def test_a_fit_refused_for_its_callbacks_is_not_warned_of_first(callback):
    """A LearningRateScheduler beside the schedule is refused at the fit's start: the warning came before the error,
    about epochs that never ran."""
    X = np.random.default_rng(0).normal(size=(8, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(cr.errors.ValidationError, match=r"follows a schedule \(StepLR\)"):
            cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0).fit(
                X, X[:, :1], epochs=2, verbose=0, optimizer=cr.optim.SGD(StepLR(0.1, 5)), callbacks=[callback()])
    assert not [w for w in seen if w.category is ScheduleWarning]


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_an_estimator_fitted_by_scikit_learn_s_loop_names_the_user_s_line():
    """cross_val_score (joblib's loop, contextlib) between the user's line and chainrule: the warning named
    joblib/parallel.py, whose line no user wrote, as it did a sweep's fits (run_sweep's)."""
    from sklearn.model_selection import cross_val_score

    from chainrule.sklearn import BackpropRegressor
    X = np.random.default_rng(0).normal(size=(20, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cross_val_score(BackpropRegressor(hidden_layer_sizes=(), learning_rate=MultiStepLR(0.01, [100]), epochs=2),
                        X, X[:, 0], cv=2)
    said = [w for w in seen if w.category is ScheduleWarning]
    assert len(said) == 2 and {w.filename for w in said} == {__file__}, [w.filename for w in said]


def test_initial_epoch_and_earlier_epochs_are_named_beside_epochs():
    """fit(epochs=10, initial_epoch=5) trains the schedule's epochs 0-4 (the network's count, as a plain rate of 0.1
    for 5 epochs gives); it said only "ends at epoch 4 (epochs=10)", which reads as a mistake of the count."""
    X = np.random.default_rng(0).normal(size=(8, 2))

    def net():
        return cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    scheduled, plain = net(), net()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        scheduled.fit(X, X[:, :1], epochs=10, initial_epoch=5, batch_size=8, shuffle=False, verbose=0,
                      optimizer=cr.optim.SGD(MultiStepLR(0.1, [7])))
    plain.fit(X, X[:, :1], epochs=5, batch_size=8, shuffle=False, verbose=0, optimizer=cr.optim.SGD(0.1))
    np.testing.assert_array_equal(scheduled.params, plain.params)       # the rate held at 0.1 throughout
    said = [str(w.message) for w in seen if w.category is ScheduleWarning]
    assert len(said) == 1 and "ends at epoch 4 (epochs=10, initial_epoch=5)" in said[0], said
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        net_ = net()
        net_.fit(X, X[:, :1], epochs=2, verbose=0)
        net_.fit(X, X[:, :1], epochs=1, verbose=0, optimizer=cr.optim.SGD(StepLR(0.1, 10)))
    said = [str(w.message) for w in seen if w.category is ScheduleWarning]
    assert len(said) == 1 and "ends at epoch 2 (epochs=1, after 2 trained before)" in said[0], said


def test_a_later_schedule_starting_at_the_rate_held_names_the_epoch_the_rate_changes():
    """SequentialLR([StepLR(0.01, 10), StepLR(0.01, 1)], [5]): the second starts at 0.01, the rate held, so torch's
    rate first changes at 6, not at the milestone 5 (it said 5)."""
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [torch.optim.lr_scheduler.StepLR(opt, 10),
                                                        torch.optim.lr_scheduler.StepLR(opt, 1)], [5])
    rates = []
    for _ in range(10):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    first = next(e for e, r in enumerate(rates) if r != rates[0])
    X = np.random.default_rng(0).normal(size=(8, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0).fit(
            X, X[:, :1], epochs=3, verbose=0,
            optimizer=cr.optim.SGD(cr.optim.SequentialLR([StepLR(0.01, 10), StepLR(0.01, 1)], [5])))
    said = [str(w.message) for w in seen if w.category is ScheduleWarning]
    assert first == 6 and len(said) == 1 and f"first changes at epoch {first} " in said[0], said
