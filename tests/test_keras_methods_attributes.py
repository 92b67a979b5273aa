"""A Network's properties whose getter raises AttributeError: the error as Python raises it for any class (the getter
run once, its own message), not run again or replaced by the Keras-method hints (`nn/keras_methods.py`)."""
import functools

import pytest

import chainrule as cr


def counting(base: type, name: str) -> type:
    """A class `name` of `base` whose property `broken` counts its getter's runs and raises AttributeError for the
    name really missing inside it (missing_inside); of `object`, the truth: a class with no hook after lookup."""
    def broken(self):
        type(self).calls += 1
        return self.missing_inside
    return type(name, (base,), {"calls": 0, "broken": property(broken)})


_Plain = counting(object, "_Plain")


def _net_class():
    class Counted(cr.Network):
        calls = 0

        @property
        def broken(self):
            type(self).calls += 1
            return self.missing_inside

        @functools.cached_property
        def cached(self):
            return self.missing_too
    return Counted


def _net(cls):
    return cls([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


def test_a_property_that_raises_attribute_error_runs_once_with_its_own_error():
    """The getter ran twice (once by Python, once more by `__getattr__`), so a getter with an effect had it twice."""
    with pytest.raises(AttributeError) as plain:
        _ = _Plain().broken
    cls = _net_class()
    net = _net(cls)
    with pytest.raises(AttributeError) as ours:
        _ = net.broken
    assert cls.calls == _Plain.calls == 1
    assert str(ours.value) == str(plain.value).replace("_Plain", "Counted")
    assert not hasattr(net, "broken") and cls.calls == 2


def test_another_descriptor_s_attribute_error_is_not_replaced_by_no_such_attribute():
    """A cached_property whose getter fails inside was reported as "object has no attribute 'cached'": the attribute
    is there; the name that is missing is the one its getter read."""
    net = _net(_net_class())
    with pytest.raises(AttributeError, match="missing_too"):
        _ = net.cached


def test_keras_only_names_still_say_what_does_their_work_on_the_class_too():
    """Read on the class (Network.compile, as help() and inspect do) the hint is the same, and hasattr is False;
    dir() (tab completion) lists none of them, as it did not."""
    assert not hasattr(cr.Network, "compile")
    assert not {"compile", "add", "count_params"} & set(dir(_net(cr.Network)))
    with pytest.raises(AttributeError, match=r"no attribute 'compile' \(Keras' Model\.compile\)"):
        _ = cr.Network.compile
