"""Keras 2's epsilon of ReduceLROnPlateau and the empty file names: the documented messages are what is raised, the
warning points at the user's line, epsilon is named where it is wrong, the command line's refusal of it is plateau's
alone, and a monitor's name is matched in mode='auto' as Keras' get_metric matches a metric's."""
import os
import warnings

import pytest
from conftest import cmd
from test_errors import _documented_messages

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")


@pytest.mark.parametrize("row, make", [
    ("ModelCheckpoint filepath empty", lambda: cr.callbacks.ModelCheckpoint("")),
    ("save to an empty name", lambda: cr.Network([cr.Dense(2, 1)], seed=0).save(""))])
def test_empty_name_rows_are_what_is_raised(row, make):
    """docs/errors.md's message column is the whole message, as str() gives it (the row lacked its ": ''")."""
    with pytest.raises(FileNotFoundError) as info:
        make()
    assert str(info.value) == _documented_messages()[row]


def test_epsilon_row_is_the_warning_and_points_at_the_users_line():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cr.callbacks.ReduceLROnPlateau(epsilon=0.05)
    [warning] = [w for w in caught if w.category is DeprecationWarning]
    assert str(warning.message) == _documented_messages()["ReduceLROnPlateau epsilon"]
    assert warning.filename == __file__


def test_epsilon_not_a_number_is_named_as_given():
    """epsilon='x' was refused as "min_delta must be a number", an argument the user did not write."""
    with pytest.raises(ChainruleTypeError, match=r"^ReduceLROnPlateau: epsilon must be a number; got 'x'"):
        cr.callbacks.ReduceLROnPlateau(epsilon="x")


def test_epsilon_with_min_delta_is_refused():
    """Both given: epsilon silently replaced the min_delta written beside it."""
    with pytest.raises(ValidationError, match=r"epsilon=0\.05 is Keras 2's old name of min_delta, and "
                                              r"min_delta=0\.01 is given too; give min_delta alone"):
        cr.callbacks.ReduceLROnPlateau(epsilon=0.05, min_delta=0.01)


def test_cli_epsilon_refusal_is_plateaus_alone(tmp_path):
    """step:epsilon=... was refused as "Keras 2's old name of min_delta: give min_delta", a key step has not;
    plateau's refusal says so, another schedule's says the key is unknown, as before."""
    data = tmp_path / "d.csv"
    data.write_text("a,y\n" + "".join(f"{i / 10},{i % 2}\n" for i in range(20)))
    said = {}
    for spec in ("plateau:epsilon=0.1", "step:step_size=2,epsilon=0.1"):
        result = cmd("train", str(data), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "m.npz"),
                     "--schedule", spec, cwd=tmp_path)
        assert result.returncode == 2
        said[spec] = result.stderr
    plateau = said["plateau:epsilon=0.1"]
    assert "plateau: key 'epsilon' is not taken here: it is Keras 2's old name of min_delta" in plateau
    step = said["step:step_size=2,epsilon=0.1"]
    assert "step: unknown key 'epsilon'" in step and "min_delta" not in step


@pytest.mark.parametrize("monitor", ["val_SPARSE_CATEGORICAL_ACCURACY", "Binary_Accuracy"])
def test_auto_mode_matches_names_as_keras(monitor):
    """mode='auto' took 'val_SPARSE_CATEGORICAL_ACCURACY' (any case) as an accuracy to maximize; no metric is
    logged under that name (metrics= refuses it, as Keras does), and Keras' callback cannot tell its mode either."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    theirs = keras.callbacks.EarlyStopping(monitor=monitor)
    theirs.set_model(model)
    with pytest.raises(ValueError, match="isn't able to automatically determine"):
        theirs._set_monitor_op()
    with pytest.raises(ValidationError, match=f"mode='auto' cannot tell whether monitor={monitor!r}"):
        cr.callbacks.EarlyStopping(monitor=monitor)


@pytest.mark.parametrize("monitor", ["val_ACC", "Accuracy", "val_SparseCategoricalAccuracy"])
def test_auto_mode_still_takes_keras_names(monitor):
    """The names Keras takes ('ACC' any case, a class's name) are still maximized, as Keras' callback does."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[monitor.removeprefix("val_")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)     # the torch backend's own
        model.evaluate(keras.ops.zeros((2, 2)), keras.ops.zeros((2,)), verbose=0)     # builds the metrics
    theirs = keras.callbacks.EarlyStopping(monitor=monitor)
    theirs.set_model(model)
    theirs._set_monitor_op()
    assert theirs.monitor_op is keras.ops.greater
    assert cr.callbacks.EarlyStopping(monitor=monitor).mode == "max"
