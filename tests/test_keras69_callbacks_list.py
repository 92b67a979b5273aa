"""callbacks=[EarlyStopping] (the class, a Keras user's slip) and Keras' own callback objects: the error says
which item, and what to give instead."""
import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError


def _fit(callbacks):
    X = np.random.default_rng(0).normal(size=(20, 3))
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    return net.fit(X, (X[:, 0] > 0).astype(int), epochs=1, verbose=0, callbacks=callbacks)


@pytest.mark.parametrize("cls", [cr.EarlyStopping, cr.History, cr.callbacks.TerminateOnNaN])
def test_a_callback_class_asks_for_an_instance(cls):
    with pytest.raises(ChainruleTypeError, match=rf"callbacks\[1\]\): the class {cls.__name__} itself; give an "
                                                 rf"instance, {cls.__name__}\(\)"):
        _fit([cr.callbacks.TerminateOnNaN(), cls])


def test_none_in_callbacks_names_its_place():
    with pytest.raises(ChainruleTypeError, match=r"got NoneType \(callbacks\[0\]\)$"):
        _fit([None])


def test_a_keras_callback_points_to_chainrules_own():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    with pytest.raises(ChainruleTypeError, match=r"got EarlyStopping \(callbacks\[0\]\): a keras EarlyStopping is no "
                                                 r"chainrule callback; give chainrule.callbacks' own"):
        _fit([keras.callbacks.EarlyStopping()])


def test_another_librarys_callback_without_a_namesake_is_not_sent_to_one():
    """chainrule.callbacks.PrintLogger() does not exist: the advice names a subclass of Callback instead."""
    other = type("PrintLogger", (), {"__module__": "mylib.cbs"})()
    with pytest.raises(ChainruleTypeError, match=r"a mylib PrintLogger is no chainrule callback; give chainrule."
                                                 r"callbacks' own, or subclass chainrule.callbacks.Callback$"):
        _fit([other])
    assert not hasattr(cr.callbacks, "PrintLogger")
