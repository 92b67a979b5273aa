"""`net(X)` as Keras' `model(x)` and torch's `module(x)`: it raised "'Network' object is not callable". The outputs
are Keras' own for the same weights (training=False, its default: dropout off) and a torch module's in eval mode;
training=True drops units as Keras' Dropout does (zero, or the unit divided by 1 - rate); bad input is refused as
predict refuses it."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.errors import ValidationError


def _net(dtype: str) -> cr.Network:
    return cr.Network([cr.Dense(4, 6, "tanh"), cr.Dropout(0.3), cr.Dense(6, 3, "softmax")],
                      loss="categorical_crossentropy", dtype=dtype, seed=0)


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-6), ("float32", 1e-6)])   # Keras on torch: ~1e-8 apart
def test_the_outputs_are_keras_model_of_x(monkeypatch: pytest.MonkeyPatch, dtype: str, tol: float) -> None:
    monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))
    keras = pytest.importorskip("keras")
    net = _net(dtype)
    # each layer's own dtype: set_floatx would leave Keras' global dtype policy at float64 for later tests
    model = keras.Sequential([keras.Input((4,), dtype=dtype), keras.layers.Dense(6, activation="tanh", dtype=dtype),
                              keras.layers.Dropout(0.3, dtype=dtype),
                              keras.layers.Dense(3, activation="softmax", dtype=dtype)])
    model.set_weights(net.get_weights())               # chainrule's W is Keras' kernel: (n_in, n_out)
    X = np.random.default_rng(1).normal(size=(9, 4)).astype(dtype)
    got = net(X)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, keras.ops.convert_to_numpy(model(X)), rtol=tol, atol=tol)
    np.testing.assert_array_equal(got, net.predict(X))


def test_the_outputs_are_a_torch_modules_in_eval_mode() -> None:
    net = _net("float64")
    module = net.to_torch().eval()
    X = np.random.default_rng(2).normal(size=(5, 4))
    with torch.no_grad():
        want = module(torch.tensor(X)).numpy()
    np.testing.assert_allclose(net(X), want, rtol=1e-12, atol=1e-15)


def test_training_true_drops_units_as_dropout_does() -> None:
    rate = 0.5
    net = cr.Network([cr.Dense(2, 2000, "linear"), cr.Dropout(rate)], loss="mse", seed=0)
    X = np.array([[1.0, 2.0]])
    kept, dropped = net.predict(X)[0], net(X, training=True)[0]
    zero = dropped == 0
    assert 0.45 < zero.mean() < 0.55                             # about `rate` of the units, at random
    np.testing.assert_allclose(dropped[~zero], kept[~zero] / (1 - rate), rtol=1e-12)
    assert not np.array_equal(net(X, training=True), dropped)    # a new mask each call


def test_bad_input_is_refused_as_predict_refuses_it() -> None:
    net = _net("float64")
    for bad in ([1.0, 2.0, 3.0, 4.0], np.ones((2, 5))):
        with pytest.raises(ValidationError) as called:
            net(bad)
        with pytest.raises(ValidationError) as predicted:
            net.predict(bad)
        assert str(called.value) == str(predicted.value)
    with pytest.raises(TypeError, match=r"Network\(X, training=\.\.\.\) takes True or False; got 'yes'"):
        net(np.ones((1, 4)), training="yes")
