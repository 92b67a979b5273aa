"""The registries' examples, the tables of other frameworks' names, and 'Linear' as a torch user writes it."""
import doctest

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, UnknownNameError
from chainrule.nn import activations, initializers, losses, other_frameworks
from chainrule.nn.layer import LAYERS


@pytest.mark.parametrize("register", [cr.register_activation, cr.register_loss, cr.register_layer])
def test_register_examples_run_and_check_the_gradient_numerically(register):
    """The register_* functions showed no example: each now builds a network with the registered class and
    checks its backpropagated gradients against central differences (gradcheck), as the docstring shows."""
    tests = [t for t in doctest.DocTestFinder().find(register, register.__name__, globs={}) if t.examples]
    assert tests, f"{register.__name__} has no example"
    assert any("cr.gradcheck(" in ex.source for ex in tests[0].examples)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    registries = [activations.ACTIVATIONS, losses.LOSSES, LAYERS]
    before = [dict(registry) for registry in registries]
    try:
        runner.run(tests[0])
    finally:        # the example registers its class: later tests (the known names a refusal lists) must not see it
        for registry, held in zip(registries, before):
            registry.clear()
            registry.update(held)
    assert runner.summarize(verbose=False) == (0, len(tests[0].examples))


def test_register_examples_leave_the_registries_as_they_were():
    """Running the examples registered smooth_relu, pseudo_huber and Square for the rest of the test run: every later
    'expected one of ...' listed them (docs/errors.md's rows failed after this module)."""
    registries = [activations.ACTIVATIONS, losses.LOSSES, LAYERS]
    before = [dict(registry) for registry in registries]
    for register in (cr.register_activation, cr.register_loss, cr.register_layer):
        test_register_examples_run_and_check_the_gradient_numerically(register)
    assert [dict(registry) for registry in registries] == before
    with pytest.raises(UnknownNameError) as err:
        cr.Dense(2, 2, "sigmod")
    assert "expected one of leaky_relu, linear, relu, sigmoid, softmax, tanh." in str(err.value)


def test_the_activation_example_would_catch_a_wrong_derivative():
    """The example's check is not one that cannot fail: the same network with a wrong derivative is caught."""
    class WrongSoftplus(cr.Activation):
        name = "wrong_softplus71"

        def __call__(self, net):
            return np.logaddexp(0.0, net)

        def derivative(self, out, net):
            return 1.0 / (1.0 + np.exp(net))                 # the sigmoid of -net: wrong

    net = cr.Network([cr.Dense(3, 4, WrongSoftplus(), seed=0), cr.Dense(4, 1, seed=1)], loss="mse")
    X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.ones((5, 1))
    with pytest.warns(UserWarning):
        assert cr.gradcheck(net, X, Y) > 1e-3


def test_alias_tables_are_disjoint_and_consistent():
    """An alias is no native name, names one known thing, and is not also among the names refused as missing."""
    built_in = [name for name, cls in activations.ACTIVATIONS.items() if cls.__module__ == activations.__name__]
    tables = [(activations.ALIASES, built_in, activations.OTHER_FUNCTIONS),
              (losses.ALIASES, list(losses.LOSSES), losses.OTHER_LOSSES + losses.LOG_PROBABILITY_LOSSES),
              (initializers.KERAS_NAMES, list(initializers.INITIALIZERS),
               [*initializers.KERAS_LACKING, *initializers.KERAS_VARIANCE_SCALING])]
    for aliases, native, lacking in tables:
        assert set(aliases).isdisjoint(native)
        assert set(aliases.values()) <= set(native)
        assert all(alias == alias.lower() for alias in aliases)
        bare = {activations.bare(name) for name in lacking}
        assert not bare & {activations.bare(name) for name in [*aliases, *native]}
        assert len(bare) == len(lacking), "a lacking name is listed twice (with and without '_')"
    for layer, name in other_frameworks.ACTIVATION_LAYERS.items():
        assert type(activations.get_activation(layer)) is activations.ACTIVATIONS[name]
    assert "linear" not in other_frameworks.ACTIVATION_LAYERS.values()


@pytest.mark.parametrize("name", ["poisson_nll_loss", "hinge_embedding_loss", "margin_ranking_loss",
                                  "triplet_margin_loss", "gaussian_nll_loss", "multilabel_soft_margin_loss",
                                  "KLDivLoss", "MeanAbsoluteError", "L1Loss", "Huber"])
def test_losses_chainrule_lacks_are_named_in_every_spelling(name):
    """torch.nn.functional's names (poisson_nll_loss) got a 'did you mean' of another loss; the class names of
    the one table are its names without '_'."""
    with pytest.raises(UnknownNameError, match="is another loss than these"):
        losses.get_loss(name)


@pytest.mark.parametrize("name", ["HardSiLU", "hardsilu", "Hardtanh", "hard_tanh", "LogSigmoid", "SparsePlus"])
def test_activations_chainrule_lacks_are_named_in_every_spelling(name):
    with pytest.raises(UnknownNameError, match="is another function than these"):
        cr.Dense(2, 2, name)


@pytest.mark.parametrize("name", ["Linear", "LINEAR"])
def test_torch_linear_is_no_activation(name):
    """activation='Linear' (torch's nn.Linear, a layer) silently built the identity."""
    with pytest.raises(UnknownNameError, match=r"expected one of .*linear.*torch's nn.Linear is a layer \(chainrule's "
                                               r"Dense itself\), not an activation: for none \(the identity\) give "
                                               r"'linear'"):
        cr.Dense(2, 2, name)
    x = np.array([[1.5, -2.0]])
    assert np.array_equal(cr.Dense(2, 2, "linear").activation(x), x)          # Keras' name: the identity


def test_torch_linear_as_a_list_item_is_a_dense():
    """The string 'Linear' in a layer list was called an identity to remove; torch's Linear is a Dense."""
    with pytest.raises(ChainruleTypeError, match=r"torch's Linear is chainrule's Dense\(n_in, n_out\)"):
        cr.Network([cr.Dense(2, 2), "Linear"])


def test_a_registered_name_with_capitals_is_found_as_written(tmp_path):
    """A registered activation is found by its name as written: 'Swish71' was looked up as 'swish71' and refused,
    so a network using it could not be built by name, nor loaded from its own saved file."""
    @cr.register_activation
    class Swish71(cr.Activation):
        name = "Swish71"

        def __call__(self, net):
            return net / (1.0 + np.exp(-net))

        def derivative(self, out, net):
            s = 1.0 / (1.0 + np.exp(-net))
            return s + net * s * (1.0 - s)

    try:
        net = cr.Network([cr.Dense(3, 4, "Swish71", seed=0), cr.Dense(4, 1, seed=1)], loss="mse")
        X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.ones((5, 1))
        assert cr.gradcheck(net, X, Y) < 1e-6
        net.save(tmp_path / "net.npz")
        loaded = cr.load_model(tmp_path / "net.npz")
        assert isinstance(loaded.layers[0].activation, Swish71)
        np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    finally:
        activations.ACTIVATIONS.pop("Swish71", None)
