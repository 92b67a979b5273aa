"""A History subclass's property whose getter raises AttributeError: its own error, the getter run once, as Python
does for any class; the metrics still read as attributes (history.loss)."""
import numpy as np
import pytest
from test_keras_methods_attributes import counting

import chainrule as cr

_Plain = counting(object, "_Plain")                      # the truth: a class with no hook after attribute lookup
_Counted = counting(cr.callbacks.History, "_Counted")


def test_a_history_property_that_raises_runs_once_with_its_own_error():
    """History's `__getattr__` replaced the getter's error with "History has no metric 'broken'" (a name the class
    has), so the name really missing (missing_inside) was never shown."""
    with pytest.raises(AttributeError, match="missing_inside") as plain:
        _ = _Plain().broken
    history = _Counted()
    with pytest.raises(AttributeError) as ours:
        _ = history.broken
    assert "missing_inside" in str(ours.value) and "'broken'" not in str(ours.value)
    assert _Counted.calls == _Plain.calls == 1
    assert ours.value.name == plain.value.name == "missing_inside"


def test_metrics_still_read_as_attributes_and_a_missing_one_names_what_there_is():
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    history = net.fit(X, y, epochs=2, verbose=0, validation_split=0.25)
    assert history.loss == history.history["loss"] and history.val_loss == history["val_loss"]
    with pytest.raises(AttributeError, match=r"no metric 'acc'.*'loss'"):
        _ = history.acc
