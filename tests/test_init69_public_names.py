"""cr.init and cr.examples offer their public names alone: without an __all__, chainrule's top-level lookup offered
every function defined there, the engine's own helpers too ("it is chainrule.init.resolve" for cr.resolve), and a
star import gave NumPy and the engine's classes with the examples."""
import importlib

import pytest

import chainrule as cr
from chainrule.nn import initializers


@pytest.mark.parametrize("name", ["resolve", "initial_values", "keras_draw"])
def test_the_engines_initializer_helpers_are_not_offered_as_api(name):
    assert callable(getattr(initializers, name))            # there, but the engine's
    with pytest.raises(AttributeError) as info:
        getattr(cr, name)
    assert str(info.value) == f"module 'chainrule' has no attribute {name!r}"


def test_every_name_weight_init_takes_is_offered_where_it_lives():
    """The names Dense's weight_init takes (the engine's table), variance_scaling and constant: cr.he_uniform says
    chainrule.init.he_uniform, and the import line it gives works."""
    named = set(initializers.INITIALIZERS) | {"variance_scaling", "constant"}
    assert set(initializers.__all__) == named
    for name in named:
        with pytest.raises(AttributeError, match=rf"it is chainrule\.init\.{name} \(from (\S+) import {name}\)"
                           ) as info:
            getattr(cr, name)
        space: dict = {}
        exec(str(info.value).split("(", 1)[1].rstrip(")"), space)
        assert space[name] is getattr(cr.init, name)


@pytest.mark.parametrize("module", ["chainrule.nn.initializers", "chainrule.teach.examples"])
def test_a_star_import_gives_the_public_names_alone(module):
    space: dict = {}
    exec(f"from {module} import *", space)
    given = {k for k in space if not k.startswith("__")}
    assert given == set(importlib.import_module(module).__all__)
    assert not given & {"np", "Network", "Dense", "Callable", "Any", "inspect", "numbers", "ValidationError"}


def test_the_examples_the_guide_uses_are_offered():
    """seed_network and xor (docs/guide.md, README) and the seed's figures, which `chainrule example` prints."""
    assert set(cr.examples.__all__) == {"seed_network", "xor", "SEED_FIGURES", "SEED_INTRO"}
    with pytest.raises(AttributeError, match=r"it is chainrule\.examples\.SEED_FIGURES \(from chainrule\.teach\."
                                             r"examples import SEED_FIGURES\)"):
        cr.SEED_FIGURES  # noqa: B018 (the attribute read is the test)
