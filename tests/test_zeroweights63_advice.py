"""Refusals whose advice is run: fit given a generator of (x, y) batches (Keras' fit(gen)) says to collect its
batches, fit(list(X)), and that trains on those batches as fit on the same rows in the same batches does; predict
given a generator says np.concatenate(list(X)), which predicts those rows. Weights all zero read the same on the
training and the validation side: "sample weight is zero"."""
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError


def problem():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    return X, (X[:, :1] + X[:, 1:2] > 0).astype(float)


def network():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


def batches(X, Y, size=10):
    for i in range(0, len(X), size):
        yield X[i:i + size], Y[i:i + size]


def advice(exc: pytest.ExceptionInfo) -> str:
    """The call the refusal suggests, as written in it (`...`)."""
    found = re.search(r"`([^`]+)`", str(exc.value))
    assert found, str(exc.value)
    return found.group(1)


def test_fit_on_a_generator_of_batches_says_how_and_the_advice_trains_on_its_batches():
    X, Y = problem()
    net, truth = network(), network()
    with pytest.raises(ChainruleTypeError, match="can be read only once") as exc:
        net.fit(batches(X, Y), epochs=3, shuffle=False, verbose=0)
    call = advice(exc)
    assert call == "fit(list(X))"
    history = net.fit(list(batches(X, Y)), epochs=3, shuffle=False, verbose=0)        # the advice, X the generator
    expected = truth.fit(X, Y, batch_size=10, epochs=3, shuffle=False, verbose=0)
    for got, want in zip(net.get_weights(), truth.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-12)


def test_validation_data_as_a_generator_says_how_and_the_advice_measures_those_rows():
    X, Y = problem()
    net = network()
    with pytest.raises(ChainruleTypeError, match="can be read only once") as exc:
        net.fit(X, Y, epochs=1, verbose=0, validation_data=batches(X[:20], Y[:20]))
    call = advice(exc)
    assert call == "validation_data=list(validation_data)"
    history = net.fit(X, Y, epochs=1, verbose=0, validation_data=list(batches(X[:20], Y[:20])))   # the advice
    assert history.history["val_loss"][0] == pytest.approx(net.evaluate(X[:20], Y[:20])["loss"], rel=1e-12)


def test_predict_on_a_generator_of_rows_keeps_its_advice_and_it_predicts_those_rows():
    X, _ = problem()
    net = network()
    with pytest.raises(ChainruleTypeError, match=re.escape("np.concatenate(list(X))")):
        net.predict(x for x in np.split(X, 4))
    np.testing.assert_array_equal(net.predict(np.concatenate(list(x for x in np.split(X, 4)))), net.predict(X))


def test_weights_all_zero_read_the_same_in_training_and_validation():
    X, Y = problem()
    zero = np.zeros(20)
    with pytest.raises(ValidationError, match=r"validation_data's sample weight is zero for all 20 samples"):
        network().fit(X, Y, verbose=0, validation_data=(X[:20], Y[:20], zero))
    with pytest.raises(ValidationError, match=r"validation_data's sample weight is zero for all 20 samples"):
        network().fit(list(batches(X, Y)), verbose=0, validation_data=[(X[:20], Y[:20], zero)])
    with pytest.raises(ValidationError, match=r"the training batches' sample weight is zero for all 40 samples"):
        network().fit([(x, y, np.zeros(len(x))) for x, y in batches(X, Y)], verbose=0)
