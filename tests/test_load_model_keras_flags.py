"""cr.load_model as Keras' load_model is called: compile= and safe_mode= taken (compile=False: the network without
its saved optimizer, as Keras' uncompiled model), anything else refused naming what it takes."""
import numpy as np
import pytest

import chainrule as cr


@pytest.fixture
def saved(tmp_path):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2
    net.fit(X, y, epochs=2, optimizer=cr.optim.Adam(lr=0.01), verbose=0)
    path = tmp_path / "m.npz"
    net.save(path)
    return net, path, X


def test_compile_false_drops_the_optimizer_keeps_the_network(saved):
    net, path, X = saved
    assert cr.load_model(path).optimizer is not None            # compile=True (Keras' default): restored
    plain = cr.load_model(path, compile=False, safe_mode=True)
    assert plain.optimizer is None
    np.testing.assert_array_equal(plain.predict(X), net.predict(X))
    assert plain.loss_function.name == net.loss_function.name
    np.testing.assert_array_equal(cr.load_model(path, safe_mode=False).params, net.params)


@pytest.mark.parametrize("call, words", [
    (lambda p: cr.load_model(p, custom_objects={}), ["custom_objects=", "register_layer", "compile="]),
    (lambda p: cr.load_model(p, {}), ["positional", "with_extra="]),
    (lambda p: cr.load_model(p, compile="no"), ["compile must be True or False", "'no'"]),
])
def test_unexpected_arguments_are_named(saved, call, words):
    with pytest.raises(cr.errors.ChainruleTypeError) as info:
        call(saved[1])
    for word in words:
        assert word in str(info.value)
