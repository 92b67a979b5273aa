"""A sweep over schedules whose rate never changes within its epochs says so once, for the whole sweep: each fold's
fit (and the best's refit) warned alone, scikit-learn's workers resetting the warnings filters (7 warnings for 2
candidates of 3 folds)."""
import warnings

from chainrule.optim import StepLR
from chainrule.sweep import run_sweep
from chainrule.training.schedules import ScheduleWarning


def _said(sweep_data, grid):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = run_sweep(sweep_data / "iris.csv", "species", grid, cv=3, epochs=2, hidden_layer_sizes=(4,))
    return result, [w for w in seen if issubclass(w.category, ScheduleWarning)]


def test_a_schedule_unreached_in_every_fit_is_said_once(sweep_data):
    _, said = _said(sweep_data, {"lr": [StepLR(0.01, 10), StepLR(0.02, 10)]})
    assert len(said) == 1                             # not once per fold and refit (2 * 3 + 1)
    text = str(said[0].message)
    assert text.startswith("7 of the sweep's 7 finished fits ended before their schedule's rate first changed "
                           "(in every candidate)") and "step_size=10" in text and "epochs=2" in text
    assert said[0].filename == __file__                 # the user's line


def test_only_the_candidates_whose_schedule_is_unreached_are_counted(sweep_data):
    result, said = _said(sweep_data, {"lr": [StepLR(0.01, 10), StepLR(0.02, 1)]})   # step_size=1 changes at epoch 1
    refit = result.best_params["learning_rate"].step_size == 10
    assert len(said) == 1
    assert str(said[0].message).startswith(f"{3 + refit} of the sweep's 7 finished fits ended before their schedule's "
                                           "rate first changed (in 1 of the 2 candidates: lr=StepLR(lr=0.01, "
                                           "step_size=10")


def test_no_schedule_warning_where_every_rate_changes(sweep_data):
    assert _said(sweep_data, {"lr": [StepLR(0.01, 1)]})[1] == []

