"""verbose=3, -1, '2' stay refused (keras69's decision): Keras 3 takes them, but its fit then prints only its
'Epoch i/n' headers (no loss, no bar) and its evaluate and predict nothing, a '2' meant as 2 silently showing no
numbers. The refusal said only what was taken; it now says what Keras does with the value and what to give instead.
The first test pins Keras' own behaviour, the ground of the words."""
from __future__ import annotations

import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

X = np.random.default_rng(0).normal(size=(12, 3))
y = (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("verbose", [3, -1, "2"])
def test_keras_prints_only_epoch_headers_for_them(verbose: object, capfd: pytest.CaptureFixture) -> None:
    """(guards the words below: Keras' own behaviour)"""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    capfd.readouterr()
    model.fit(X.astype("float32"), y, epochs=2, verbose=verbose)
    assert capfd.readouterr().out == "Epoch 1/2\nEpoch 2/2\n"
    model.evaluate(X.astype("float32"), y, verbose=verbose)
    model.predict(X.astype("float32"), verbose=verbose)
    assert capfd.readouterr().out == ""


@pytest.mark.parametrize("verbose", [3, -1, "2"])
def test_the_refusal_says_what_keras_does_with_it(verbose: object) -> None:
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.raises(ValidationError, match=r"fit prints only its 'Epoch i/n' headers for it, no loss: give 2 "):
        net.fit(X, y, epochs=1, verbose=verbose)
    for run, what in ((lambda: net.evaluate(X, y, verbose=verbose), "evaluate"),
                      (lambda: net.predict(X, verbose=verbose), "predict")):
        with pytest.raises(ValidationError, match=rf"^{what}: .*\(Keras' {what} prints nothing for it, as for 0"):
            run()
