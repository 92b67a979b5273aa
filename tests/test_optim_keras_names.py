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
