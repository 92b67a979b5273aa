"""Warnings with a fixed stacklevel named chainrule's own file when reached another way: a callback's missing
monitor (the training loop's line), CSVLogger's columns, GradientDiagnostics' flags, the estimators' warnings (an
interrupted fit's too) under scikit-learn's cross_val_score, Pipeline and GridSearchCV, a loaded model's warnings
read through load_foreign or load. Each points at the line of the user's call, whichever public path reached it."""
import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule.sklearn import BackpropClassifier
from chainrule.sklearn.stopping import MLPStopping

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 3))
Y = X @ np.array([[1.0], [-2.0], [0.5]])


def here() -> int:
    """The line after the caller's: where the call under test is written."""
    return sys._getframe(1).f_lineno + 1


def net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


def caught(category, run):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        run()
    found = [w for w in seen if issubclass(w.category, category)]
    assert found, [str(w.message) for w in seen]
    return found


def assert_at(found, line):
    for w in found:
        assert (w.filename, w.lineno) == (__file__, line), (w.filename, w.lineno, str(w.message)[:80])


@pytest.mark.parametrize("make", [lambda d: cr.EarlyStopping(monitor="nope", mode="min"),
                                  lambda d: cr.ReduceLROnPlateau(monitor="nope", mode="min"),
                                  lambda d: cr.ModelCheckpoint(str(d / "m.npz"), monitor="nope", mode="min",
                                                               save_best_only=True)],
                         ids=["EarlyStopping", "ReduceLROnPlateau", "ModelCheckpoint"])
def test_a_callbacks_missing_monitor_warning_points_at_fit(tmp_path, make):
    callback = make(tmp_path)

    def run():
        line[0] = here()
        net().fit(X, Y, epochs=2, verbose=0, callbacks=[callback])
    line = [0]
    found = caught(UserWarning, run)
    assert all("nope" in str(w.message) for w in found)
    assert_at(found, line[0])


def test_the_csv_loggers_column_warning_points_at_fit(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,foo\n0,1\n")

    def run():
        line[0] = here()
        net().fit(X, Y, epochs=1, verbose=0, callbacks=[cr.CSVLogger(str(path), append=True)])
    line = [0]
    assert_at(caught(UserWarning, run), line[0])


def test_gradient_diagnostics_flags_point_at_fit():
    def run():
        line[0] = here()
        net().fit(X, Y * 1e3, epochs=3, verbose=0, optimizer=cr.optim.SGD(5.0), callbacks=[cr.GradientDiagnostics()])
    line = [0]
    found = caught(cr.GradientWarning, run)
    assert any("gradients explode in layer" in str(w.message) for w in found)
    assert_at(found, line[0])


def under_cross_val_score(est, y, line):
    line[0] = here()
    cross_val_score(est, X, y, cv=2)


def under_pipeline(est, y, line):
    line[0] = here()
    make_pipeline(StandardScaler(), est).fit(X, y)


def under_grid_search(est, y, line):
    line[0] = here()
    GridSearchCV(est, {"alpha": [1e-4]}, cv=2).fit(X, y)


# scikit-learn's ways of calling an estimator's fit, each with frames of its own between the user's line and fit
SKLEARN_CALLS = pytest.mark.parametrize("call", [under_cross_val_score, under_pipeline, under_grid_search],
                                        ids=["cross_val_score", "Pipeline.fit", "GridSearchCV.fit"])


@SKLEARN_CALLS
def test_the_estimators_warnings_under_scikit_learns_calls_point_at_the_users_line(call):
    line = [0]
    found = caught(Warning, lambda: call(BackpropClassifier(hidden_layer_sizes=(4,), epochs=2, batch_size=100),
                                         (X[:, 0] > 0).astype(int), line))
    assert {w.category for w in found} >= {UserWarning, ConvergenceWarning}
    assert_at(found, line[0])


@SKLEARN_CALLS
def test_an_interrupted_fits_warning_under_scikit_learns_calls_points_at_the_users_line(monkeypatch, call):
    """Ctrl-C as epoch 1 begins: MLPClassifier's "Training interrupted by user." (its fit returns, fitted), named at
    the user's line, not at scikit-learn's pipeline.py or _validation.py."""
    def pressed(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt
    monkeypatch.setattr(MLPStopping, "on_epoch_begin", pressed, raising=False)
    line = [0]
    found = caught(UserWarning, lambda: call(BackpropClassifier(hidden_layer_sizes=(4,), epochs=5, batch_size=10),
                                             (X[:, 0] > 0).astype(int), line))
    assert {str(w.message) for w in found} == {"Training interrupted by user."}
    assert_at(found, line[0])


@pytest.mark.parametrize("read", [cr.load, cr.load_model, cr.load_foreign], ids=["load", "load_model", "load_foreign"])
def test_a_loaded_networks_output_warning_points_at_the_load(tmp_path, read):
    path = tmp_path / "m.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cr.Network([cr.Dense(3, 2, "sigmoid")], loss="categorical_crossentropy", seed=0).save(path)

    def run():
        line[0] = here()
        read(path)
    line = [0]
    found = caught(UserWarning, run)
    assert all("after a sigmoid output" in str(w.message) for w in found)
    assert_at(found, line[0])


def test_a_decayed_schedules_warning_through_load_foreign_points_at_the_load(tmp_path):
    trained = cr.Network([cr.Dense(3, 2, "tanh"), cr.Dense(2, 1)], loss="mse", seed=0)
    trained.fit(X[:4], Y[:4], epochs=1100, batch_size=4, verbose=0,        # 0.1 * 0.5**1100 underflows to 0
                optimizer=cr.optim.SGD(cr.optim.ExponentialLR(0.1, 0.5)))
    trained.save(tmp_path / "m.npz")

    def run():
        line[0] = here()
        cr.load_foreign(tmp_path / "m.npz")
    line = [0]
    found = caught(UserWarning, run)
    assert all("gives 0.0 at its stored epoch" in str(w.message) for w in found)
    assert_at(found, line[0])
