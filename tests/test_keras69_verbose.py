"""fit's, evaluate's and predict's verbose read as Keras 3 reads them: whole floats and None have Keras' meaning;
what Keras takes without a meaning (3, -1, '2': no bar, no line) is refused, naming verbose."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def _problem():
    X = np.random.default_rng(0).normal(size=(20, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)


def _mode(out: str) -> str:
    """What a verbose printed: nothing, a bar, or a line (Keras' "1/1 - 0s - 3ms/step - loss: ...")."""
    if "━" in out:
        return "bar"
    return "line" if "/step" in out else "silent"


@pytest.mark.parametrize("verbose", [None, 0.0, 1.0, 2.0, np.float64(2.0)])
def test_verbose_keras_takes_means_the_same(verbose, capfd):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    X, y = _problem()
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    capfd.readouterr()
    model.fit(X.astype("float32"), y, epochs=1, verbose=verbose)
    expected = _mode(capfd.readouterr().out)
    net = _net()
    net.fit(X, y, epochs=1, verbose=verbose)
    assert _mode(capfd.readouterr().out) == expected
    for run in (lambda v: model.evaluate(X.astype("float32"), y, verbose=v), lambda v: net.evaluate(X, y, verbose=v)):
        run(verbose)
        assert _mode(capfd.readouterr().out) == expected
    net.predict(X, verbose=verbose)
    assert _mode(capfd.readouterr().out) == expected


@pytest.mark.parametrize("verbose", [3, -1, "2", "1", "x", 1.5])
def test_verbose_without_a_meaning_is_refused(verbose):
    X, y = _problem()
    net = _net()
    for run, who in ((lambda: net.fit(X, y, epochs=1, verbose=verbose), ""),
                     (lambda: net.evaluate(X, y, verbose=verbose), "evaluate: "),
                     (lambda: net.predict(X, verbose=verbose), "predict: ")):
        with pytest.raises(ValidationError, match=f"^{who}verbose must be 0, 1, 2 or 'auto'; got {verbose!r}"):
            run()
