"""A schedule whose rate first changes past the fit's last epoch (MultiStepLR(milestones=[100]) with epochs=10): torch
trains at lr throughout, silently; a fit says so once, naming the argument and the epochs, its numbers unchanged."""
import warnings

import numpy as np
import pytest
from schedule_oracle import torch, torch_rates

import chainrule as cr
from chainrule.optim import ConstantLR, CosineAnnealingLR, LinearLR, MultiStepLR, SequentialLR, StepLR
from chainrule.training.schedules import ScheduleWarning


def _fit(schedule, epochs=10, **kw):
    X = np.random.default_rng(0).normal(size=(16, 2))
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        history = net.fit(X, X[:, :1] - X[:, 1:], epochs=epochs, batch_size=16, optimizer=cr.optim.SGD(lr=schedule),
                          verbose=0, shuffle=False, **kw)
    return net, history, [w for w in seen if issubclass(w.category, ScheduleWarning)]



def test_milestones_past_the_last_epoch_warn_once_naming_them():
    theirs = torch_rates(lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[100], gamma=0.1), 10)
    assert len(set(theirs)) == 1                              # torch: the rate never moves
    net, history, said = _fit(MultiStepLR(0.1, milestones=[100]))
    assert len(said) == 1 and said[0].filename == __file__
    assert "milestones=[100]" in str(said[0].message) and "epochs=10" in str(said[0].message)
    reference, _, _ = _fit(0.1)                               # the numbers of a constant rate, unchanged
    np.testing.assert_array_equal(net.params, reference.params)


@pytest.mark.parametrize("schedule, words", [(StepLR(0.1, step_size=10), "step_size=10"),
                                             (ConstantLR(0.1, total_iters=12), "total_iters=12"),
                                             (SequentialLR([ConstantLR(0.1, 0.5, 20), StepLR(0.1, 2)], [10]),
                                              r"milestones=\[10\]")])
def test_its_neighbours_whose_first_change_is_past_the_end_warn_too(schedule, words):
    _, _, said = _fit(schedule)
    assert len(said) == 1
    assert words.replace("\\", "") in str(said[0].message)


@pytest.mark.parametrize("schedule, epochs", [(MultiStepLR(0.1, milestones=[9, 100]), 10),
                                              (MultiStepLR(0.1, milestones=[0]), 10), (StepLR(0.1, 3), 10),
                                              (CosineAnnealingLR(0.1, T_max=100), 10), (LinearLR(0.1), 2)])
def test_a_schedule_that_moves_within_the_run_is_silent(schedule, epochs):
    assert not _fit(schedule, epochs)[2]


def test_a_later_fit_that_reaches_the_milestone_is_silent():
    """fit(epochs=5) twice: the second's epochs are 5..9 (the schedule's epochs go on), milestone 7 inside them."""
    net, _, said = _fit(MultiStepLR(0.1, milestones=[7]), epochs=5)
    assert len(said) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScheduleWarning)
        net.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=5, verbose=0)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_estimator_s_fit_warns_and_its_partial_fit_one_epoch_at_a_time_does_not():
    """partial_fit trains one epoch a call: a milestone past it is where later calls go, not a mistake (it warned at
    every call)."""
    from chainrule.sklearn import BackpropRegressor
    X = np.random.default_rng(0).normal(size=(20, 2))
    est = BackpropRegressor(hidden_layer_sizes=(), learning_rate=MultiStepLR(0.01, milestones=[100]), epochs=5)
    with pytest.warns(ScheduleWarning, match=r"milestones=\[100\].*epochs=5") as said:
        est.fit(X, X[:, 0])
    assert [w.filename for w in said if w.category is ScheduleWarning] == [__file__]     # the user's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScheduleWarning)
        for _ in range(3):
            est.partial_fit(X, X[:, 0])


@pytest.mark.parametrize("options, named, change, key, resumed", [
    (["--schedule", "step:step_size=10"], "--schedule 'step:step_size=10'", 10, "step_size", ""),
    # a later one starting past the run (kept for a resume by --checkpoint-dir): the part that first changes the rate
    (["--schedule", "step:step_size=10", "--schedule", "step@5:step_size=1", "--checkpoint-dir", "ck"],
     "--schedule 'step@5:step_size=1'", 6,       # it starts at --lr's 0.01, the rate held: 6 (torch's SequentialLR)
     "@EPOCH", " (with --resume, this run goes on to them)")])
def test_the_command_names_its_options_not_python_s_arguments(tmp_path, options, named, change, key, resumed):
    """train's warning names --schedule as given and --epochs (it said StepLR's step_size=10 and epochs=3, which the
    command's user never wrote); said under --quiet too; torch's StepLR trains at lr throughout these 3 epochs."""
    from conftest import cmd, iris_table
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.01)
    steps = torch.optim.lr_scheduler.StepLR(opt, step_size=10)
    rates = []
    for _ in range(3):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        steps.step()
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    r = cmd("train", tmp_path / "iris.csv", "--target", "species", "--epochs", 3, "--lr", 0.01, "--out",
            tmp_path / "m.npz", "--quiet", *[str(tmp_path / o) if o == "ck" else o for o in options])
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [f"chainrule: warning: {named}: the rate first changes at epoch "
                                      f"{change} (counted from 0), and this fit ends at "
                                      f"epoch 2 (--epochs 3); it trains at {rates[-1]:g} throughout: to change "
                                      f"it, give --epochs {change + 1} or more{resumed}, or a --schedule that changes "
                                      f"sooner (its {key} within the epochs)"]
    assert rates == [0.01] * 3
