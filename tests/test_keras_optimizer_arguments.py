"""Keras' optimizer arguments with no equal here (its Optimizer base's clipvalue, use_ema, ..., and Keras 2's decay)
were Python's bare "unexpected keyword argument" from Adam(...), but get_optimizer's own error class: both now say
what Keras means and what to do here, as one error class."""
import inspect
import os

import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError

os.environ.setdefault("KERAS_BACKEND", "torch")


def _keras_base_arguments() -> list[str]:
    keras = pytest.importorskip("keras")
    taken = set(inspect.signature(cr.optim.Adam).parameters) | {"learning_rate", "weight_decay", "clipvalue"}
    return [n for n in inspect.signature(keras.optimizers.Optimizer.__init__).parameters
            if n not in taken | {"self", "kwargs", "clipnorm", "global_clipnorm"}]   # those two: clip_norm's advice


def test_every_keras_base_argument_is_told_in_both_ways():
    names = _keras_base_arguments()
    assert "use_ema" in names
    for name in names + ["decay"]:
        for make, before in ((cr.optim.Adam, ()), (cr.optim.SGD, (0.1,)),
                             (lambda **kw: cr.optim.get_optimizer("adam", **kw), ())):
            with pytest.raises(ChainruleTypeError, match=rf"does not take Keras' {name}\. {name}: .*(here|leave)"):
                make(*before, **{name: 1})


def test_clipvalue_is_taken_as_clip_value_as_keras_takes_it():
    """Keras' clipvalue (each gradient element clipped to [-clipvalue, clipvalue]) was refused; it is clip_value's
    Keras name, as learning_rate is lr's, in both ways; given with clip_value too, refused naming both."""
    keras = pytest.importorskip("keras")
    assert "clipvalue" in inspect.signature(keras.optimizers.Adam).parameters
    for made in (cr.optim.RMSprop(clipvalue=0.5), cr.optim.get_optimizer("rmsprop", clipvalue=0.5)):
        assert made.clip_value == 0.5 and made.clip_norm is None
    with pytest.raises(ChainruleTypeError, match="both clip_value and clipvalue"):
        cr.optim.SGD(0.1, clip_value=1.0, clipvalue=0.5)


def test_an_unknown_argument_is_one_error_class_either_way():
    errors = []
    for make in (lambda: cr.optim.Adam(betaz=1), lambda: cr.optim.get_optimizer("adam", betaz=1)):
        with pytest.raises(ChainruleTypeError, match=r"unknown argument\(s\) \['betaz'\].*Did you mean 'betas'") as e:
            make()
        errors.append(type(e.value))
    assert errors[0] is errors[1]


class PassedOn(cr.optim.SGD):
    """A subclass in Python's plain idiom: its arguments passed on, whole, to SGD's constructor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


def test_a_subclass_passing_its_arguments_on_takes_and_refuses_what_its_base_does():
    """Keras' names and torch's arguments reach SGD through a subclass's *args, **kwargs, as through SGD itself (lr
    with learning_rate was Python's bare "got multiple values"; momentum and clipvalue were "unknown, expected among
    ['args', 'kwargs']")."""
    for args, kwargs in [((0.1,), dict(momentum=0.9)), ((), dict(learning_rate=0.2, clipvalue=0.5)),
                         ((0.1, 0.9), dict(clip_value=0.5, nesterov=True))]:
        assert {**PassedOn(*args, **kwargs).config(), "name": "SGD"} == cr.optim.SGD(*args, **kwargs).config()
    for args, kwargs in [((0.1,), dict(learning_rate=0.2)), ((0.1,), dict(momentun=0.9)), ((), dict(clipvalue="x")),
                         ((0.1,), dict(use_ema=True))]:
        with pytest.raises(ChainruleTypeError) as theirs:
            cr.optim.SGD(*args, **kwargs)
        with pytest.raises(ChainruleTypeError) as ours:
            PassedOn(*args, **kwargs)
        assert str(ours.value).replace("PassedOn", "SGD") == str(theirs.value)
