"""Parity with scikit-learn's MLPClassifier/MLPRegressor, sixth pass: the ConvergenceWarning of a fit that ran
every epoch (MLP's max_iter) without its stopping rule ending it, in fit and not in partial_fit; the sweep says
it once, not once per fit; every command's help shows no "(default: True)" beside a --no-X flag."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402


def _data(kind: str, n: int = 40, seed: int = 0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    y = (X[:, 0] > 0).astype(int) if kind == "classifier" else X @ np.array([1.0, -2.0, 0.5])
    return X, y


def _convergence(fit, *args, **kwargs) -> list[str]:
    """The messages of the ConvergenceWarnings `fit(*args, **kwargs)` issues."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(*args, **kwargs)
    return [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


PAIRS = [("classifier", MLPClassifier, BackpropClassifier), ("regressor", MLPRegressor, BackpropRegressor)]


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_fit_that_runs_out_of_epochs_warns_as_mlps(kind, mlp, ours, early_stopping):
    """Three epochs, a stopping rule that cannot fire in them: MLP's warning, its class and its words, the
    number being epochs (its max_iter); with or without early stopping."""
    X, y = _data(kind)
    truth = _convergence(mlp(max_iter=3, early_stopping=early_stopping, random_state=0).fit, X, y)
    got = _convergence(ours(epochs=3, early_stopping=early_stopping, random_state=0).fit, X, y)
    assert truth and got == truth


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
def test_a_fit_the_stopping_rule_ends_does_not_warn(kind, mlp, ours):
    """tol so large that no epoch improves: the rule ends the fit after n_iter_no_change + 1 epochs, before
    epochs (max_iter) run out: no warning from either; nor when it ends it at the last epoch (as MLP, whose
    rule is checked before its max_iter)."""
    X, y = _data(kind)
    stopped_at = mlp(max_iter=50, tol=1e9, n_iter_no_change=2, random_state=0).fit(X, y).n_iter_
    for max_iter in (50, stopped_at):
        truth = mlp(max_iter=max_iter, tol=1e9, n_iter_no_change=2, random_state=0)
        ran = _convergence(truth.fit, X, y)
        est = ours(epochs=max_iter, tol=1e9, n_iter_no_change=2, random_state=0)
        assert _convergence(est.fit, X, y) == ran == []
        assert est.n_iter_ == truth.n_iter_ == stopped_at < 50


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
def test_partial_fit_does_not_warn_as_mlps(kind, mlp, ours):
    """partial_fit runs one epoch, never a maximum: no warning (MLP's neither, even with max_iter=1)."""
    X, y = _data(kind)
    extra = {"classes": [0, 1]} if kind == "classifier" else {}
    assert _convergence(mlp(max_iter=1, random_state=0).partial_fit, X, y, **extra) == []
    assert _convergence(ours(epochs=1, random_state=0).partial_fit, X, y, **extra) == []


def test_a_warm_start_warns_for_its_own_epochs_as_mlps():
    """A warm start's fit counts its own epochs (n_iter_, as MLP's): it warns again when it runs out."""
    X, y = _data("classifier")
    truth, est = MLPClassifier(max_iter=2, warm_start=True, random_state=0), BackpropClassifier(
        epochs=2, warm_start=True, random_state=0)
    for _ in range(2):
        assert _convergence(est.fit, X, y) == _convergence(truth.fit, X, y) != []


def test_the_warning_points_at_the_callers_fit():
    """The warning's file and line are the caller's (where fit was called), not the estimator's insides."""
    X, y = _data("classifier")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    assert [w.filename for w in caught if w.category is ConvergenceWarning] == [__file__]


def _gridsearch_warnings(estimator, grid: dict, X, y) -> int:
    """How many ConvergenceWarnings GridSearchCV (cv=3, refit) prints for its fits: one per fit that ran out."""
    from sklearn.model_selection import GridSearchCV
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GridSearchCV(estimator, grid, cv=3).fit(X, y)
    return sum(issubclass(w.category, ConvergenceWarning) for w in caught)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_sweep_says_once_how_many_fits_ran_out_where_gridsearchcv_warns_for_each(sweep_data, task):
    """GridSearchCV over the same grid warns once per fit (2 candidates x 3 folds + the refit: 7); the sweep
    once, counting them, in one ConvergenceWarning; and the refit best is the user's class, which still warns
    when fit again outside the sweep."""
    from sklearn.datasets import load_diabetes, load_iris

    from chainrule.sweep import run_sweep
    pytest.importorskip("pandas")
    X, y = (load_iris if task == "classification" else load_diabetes)(return_X_y=True)
    ours = BackpropClassifier if task == "classification" else BackpropRegressor
    truth = _gridsearch_warnings(ours(epochs=3, batch_size=16), {"learning_rate": [1e-3, 1e-2]}, X, y)
    assert truth == 7
    csv, target = ("iris.csv", "species") if task == "classification" else ("diabetes.csv", "target")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_sweep(sweep_data / csv, target, {"lr": [1e-3, 1e-2]}, epochs=3, batch_size=16)
    said = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert said == [f"{truth} of the sweep's {truth} finished fits ran every epoch (epochs=3) without the stopping "
                    "rule (tol, n_iter_no_change) ending them (in every candidate): their scores may rise with more "
                    "epochs; try epochs=6, or compare in the grid: {'epochs': [3, 6]}"]
    assert [w.filename for w in caught if issubclass(w.category, ConvergenceWarning)] == [__file__]
    best = getattr(result.best_estimator, "regressor_", result.best_estimator)
    assert type(best) is ours and best.n_iter_ == 3
    assert _convergence(best.fit, X, y) != []          # the user's class: its own fits warn again


def test_a_sweep_whose_fits_all_stopped_says_nothing(sweep_data):
    """Every fit ended by its stopping rule (tol so large that no epoch improves): no warning, as GridSearchCV's."""
    from sklearn.datasets import load_iris

    from chainrule.sweep import run_sweep
    pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True)
    fixed = {"epochs": 30, "batch_size": 16, "tol": 1e9, "n_iter_no_change": 2}
    assert _gridsearch_warnings(BackpropClassifier(**fixed), {"learning_rate": [1e-3, 1e-2]}, X, y) == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_sweep(sweep_data / "iris.csv", "species", {"lr": [1e-3, 1e-2]}, **fixed)
    assert [w for w in caught if issubclass(w.category, ConvergenceWarning)] == []


def test_the_command_says_it_once_in_its_words(sweep_data, tmp_path, capsys):
    """`chainrule sweep` prints one warning line naming --epochs (or the grid's epochs), not one per fit."""
    from conftest import cli_in_process
    pytest.importorskip("pandas")
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "lr=1e-3,1e-2", "--epochs", "3", "--out-dir", tmp_path / "a")
    lines = [line for line in err.splitlines() if "epoch" in line]
    assert code == 0 and lines == ["chainrule: warning: 7 of the sweep's 7 finished fits ran every epoch (--epochs 3) "
                                   "without the stopping rule (tol, n_iter_no_change) ending them (in every "
                                   "candidate): their scores may rise with more epochs; try --epochs 6, or compare "
                                   "in the grid: 'epochs=3,6'"]
    code, _, err = cli_in_process(capsys, "sweep", sweep_data / "iris.csv", "--target", "species", "--grid",
                                  "epochs=2,3", "--out-dir", tmp_path / "b")
    assert code == 0 and [line for line in err.splitlines() if "epoch" in line] == [
        "chainrule: warning: 7 of the sweep's 7 finished fits ran every epoch (epochs in the grid) without the "
        "stopping rule (tol, n_iter_no_change) ending them (in every candidate): their scores may rise with more "
        "epochs; try larger ones in the grid"]


def _parsers(parser, prog: str = "chainrule"):
    """(name, parser) of the command and every subcommand, nested ones too."""
    import argparse
    yield prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{prog} {name}")


def test_no_commands_flag_shows_its_dests_default():
    """A flag (--no-checks, --no-refit, --debug...) takes no value: its default, the dest's (True for --no-X),
    is not shown; every command's help, and a --no-X flag whose help does not say "default" itself."""
    import argparse

    from chainrule.cli import HelpFormatter, build_parser
    parser = build_parser()
    seen = 0
    for name, p in _parsers(parser):
        text = " ".join(p.format_help().split())
        flags = [a for a in p._actions if a.option_strings and a.nargs == 0]
        seen += sum(a.default is True for a in flags)
        for action in flags:
            assert f"{action.option_strings[-1]} " in text, name
        assert "(default: True)" not in text and "(default: False)" not in text, name
    assert seen >= 2              # export's --no-checks and sweep's --no-refit
    p = argparse.ArgumentParser(prog="x", formatter_class=HelpFormatter)
    p.add_argument("--no-color", dest="color", action="store_false", help="plain text")
    p.add_argument("--width", type=int, default=80, help="columns")
    text = " ".join(p.format_help().split())
    assert "--no-color plain text" in text and "(default: True)" not in text and "columns (default: 80)" in text


def test_the_warning_raised_as_an_error_leaves_the_estimator_fitted_as_mlps():
    """fit warned inside its roll-back: under simplefilter("error") the raised warning restored the estimator
    to before the fit (a fresh fit left it unfitted; a warm start kept the old n_iter_ and t_ beside the new
    loss_curve_ and weights). MLPClassifier stays fitted; so does ours, with the warm start's counts."""
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 3), np.arange(30) % 2
    for est in (MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0, warm_start=True),
                BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0, warm_start=True)):
        for rounds in (1, 2):
            with warnings.catch_warnings():
                warnings.simplefilter("error", ConvergenceWarning)
                with pytest.raises(ConvergenceWarning):
                    est.fit(X, y)
            assert est.n_iter_ == 3 and len(est.loss_curve_) == 3 * rounds, type(est).__name__
            assert est.t_ == 30 * 3 * rounds, type(est).__name__
            assert est.predict(X).shape == (30,)
