"""Keras' optimizer arguments that torch.optim spells otherwise (beta_1, epsilon, rho, clipnorm) are refused with
torch's name for each, where a plain "unexpected keyword argument" left a Keras user guessing."""
import inspect
import os
import re

import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

CASES = [("Adam", {"beta_1": 0.8}, "betas"), ("AdamW", {"beta_2": 0.99}, "betas"),
         ("Adam", {"epsilon": 1e-7}, "eps"), ("RMSprop", {"rho": 0.8}, "alpha"), ("RMSprop", {"epsilon": 1e-7}, "eps"),
         ("Adagrad", {"epsilon": 1e-7}, "eps"),
         ("SGD", {"clipnorm": 1.0}, "clip_norm"), ("Adam", {"global_clipnorm": 1.0}, "clip_norm")]


@pytest.mark.parametrize("name, keras_kwargs, ours", CASES)
def test_keras_arguments_name_torchs(name, keras_kwargs, ours):
    getattr(keras.optimizers, name)(learning_rate=0.01, **keras_kwargs)        # Keras takes them
    (argument,) = keras_kwargs
    for make in (lambda: getattr(cr.optim, name)(learning_rate=0.01, **keras_kwargs),
                 lambda: cr.optim.get_optimizer(name.lower(), **keras_kwargs)):
        with pytest.raises(ChainruleTypeError, match=rf"not Keras' {argument}: for {argument} give {ours}\b") as err:
            make()
        assert name in str(err.value)
    if ours != "clip_norm":         # the named argument is torch.optim's own, and chainrule's
        assert ours in inspect.signature(getattr(torch.optim, name)).parameters
    assert ours in inspect.signature(getattr(cr.optim, name)).parameters


def test_several_at_once_each_named_once():
    with pytest.raises(ChainruleTypeError) as err:
        cr.optim.Adam(beta_1=0.8, beta_2=0.9, epsilon=1e-7)
    text = str(err.value)
    assert re.search(r"for beta_1, beta_2 give betas=\(beta_1, beta_2\)", text) and "for epsilon give eps" in text
    assert text.count("betas=") == 1


def test_docs_errors_shows_the_message_as_raised():
    from pathlib import Path
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    row = next(line for line in doc.splitlines() if line.startswith("| optimizer Keras argument |"))
    with pytest.raises(ChainruleTypeError) as err:
        cr.optim.Adam(beta_1=0.8)
    assert row.split(" | ")[2] == str(err.value)


def _steps(make_keras, ours, seed=0):
    """Five steps from the same weights and gradients: Keras' weights, then ours."""
    import numpy as np
    rng = np.random.default_rng(seed)
    p0, grads = rng.normal(size=5), [rng.normal(size=5) for _ in range(5)]
    v = keras.Variable(p0.astype("float32"))
    opt = make_keras()
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), v)])
    p = p0.copy()
    for g in grads:
        ours.step(p, g.copy())
    return np.array(v, dtype=float), p


def test_keras_weight_decay_is_adamws_as_the_module_says():
    """Keras decouples weight_decay on every optimizer: its Adam's is AdamW's here, not Adam's (torch's L2)."""
    import numpy as np
    assert "Keras' `Adam(weight_decay=d)` is `AdamW(weight_decay=d)` here" in " ".join(cr.optim.__doc__.split())
    keras_adam = lambda: keras.optimizers.Adam(0.1, weight_decay=0.1, epsilon=1e-12)     # noqa: E731
    theirs, ours = _steps(keras_adam, cr.optim.AdamW(0.1, weight_decay=0.1, eps=1e-12))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    theirs, ours = _steps(keras_adam, cr.optim.Adam(0.1, weight_decay=0.1, eps=1e-12))
    assert np.abs(ours - theirs).max() > 1e-3
    theirs, ours = _steps(lambda: keras.optimizers.SGD(0.1, weight_decay=0.1), cr.optim.SGD(0.1, weight_decay=0.1))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)          # plain SGD: the same step either way


def test_an_optimizers_own_argument_of_a_keras_name_is_taken():
    """A registered optimizer may name its own arguments epsilon or rho: they are its, not Keras' misspelt."""
    @cr.optim.register_optimizer
    class Nudge(cr.optim.Optimizer):
        def __init__(self, lr=0.1, epsilon=0.5, rho=0.2):
            super().__init__(lr)
            self.epsilon, self.rho = epsilon, rho

    try:
        for made in (Nudge(epsilon=0.3, rho=0.1), cr.optim.get_optimizer("nudge", epsilon=0.3, rho=0.1),
                     Nudge(learning_rate=0.2, epsilon=0.3, rho=0.1)):
            assert (made.epsilon, made.rho) == (0.3, 0.1)
    finally:
        del cr.optim.OPTIMIZERS["nudge"]


@pytest.mark.parametrize("name, argument", [("Adam", "rho"), ("SGD", "epsilon"), ("SGD", "beta_1"),
                                            ("Adagrad", "rho")])
def test_no_torch_argument_is_advised_to_an_optimizer_without_it(name, argument):
    """Adam has no alpha, SGD no eps nor betas (nor has Keras' optimizer of the name that argument): the refusal names
    the arguments the optimizer takes, not another's."""
    with pytest.raises(ValueError, match="not recognized"):           # Keras refuses it too
        getattr(keras.optimizers, name)(learning_rate=0.01, **{argument: 0.9})
    for make in (lambda: getattr(cr.optim, name)(**{argument: 0.9}),
                 lambda: cr.optim.get_optimizer(name.lower(), **{argument: 0.9})):
        with pytest.raises(TypeError, match=argument) as err:
            make()
        advised = re.findall(r"give (\w+)", str(err.value))
        assert all(a in inspect.signature(getattr(cr.optim, name)).parameters for a in advised)
