"""Refusals of initializer names: the argument named, a bias's own advice, Keras' Orthogonal drawn as torch draws it,
and a typo of Keras' names answered with the name meant."""
import re

import numpy as np
import pytest

import chainrule as cr


@pytest.mark.parametrize("name", ["orthogonal", "Identity", "Constant", "he_unifrom", "HeNormal"])
def test_a_refused_bias_initializer_names_bias_init(name):
    """bias_init='...' refused says bias_init=, never weight_init= (the argument the user did not give)."""
    with pytest.raises(cr.errors.UnknownNameError) as raised:
        cr.Dense(3, 2, bias_init=name)
    message = str(raised.value)
    assert message.startswith(f"bias_init={name!r}") and "weight_init" not in message


@pytest.mark.parametrize("name", ["orthogonal", "Identity"])
def test_a_bias_refused_a_matrix_draw_is_told_what_a_bias_takes_and_that_works(name):
    with pytest.raises(cr.errors.UnknownNameError, match="a bias is a vector") as raised:
        cr.Dense(3, 2, bias_init=name)
    code = re.search(r"e\.g\. bias_init=(\S+)$", str(raised.value)).group(1)
    np.testing.assert_array_equal(cr.Dense(3, 2, bias_init=eval(code)).b, np.zeros(2))


def test_a_refused_weight_initializer_names_weight_init():
    with pytest.raises(cr.errors.UnknownNameError, match=r"^weight_init='he_unifrom' is not known.*'he_uniform'"):
        cr.Dense(3, 2, weight_init="he_unifrom")


def _advice():
    with pytest.raises(cr.errors.UnknownNameError) as raised:
        cr.Dense(3, 3, weight_init="Orthogonal")
    return eval(re.search(r"weight_init=(lambda shape, rng: .*?\[::2\]\))", str(raised.value)).group(1))


def _torch_orthogonal(shape, seed):
    import torch
    generator = torch.Generator().manual_seed(seed)
    return torch.nn.init.orthogonal_(torch.empty(*shape, dtype=torch.float64), generator=generator).numpy()


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_the_orthogonal_advice_draws_what_torch_orthogonal_draws(shape):
    """torch's orthogonal_ (Keras' Orthogonal too) is uniform over the orthonormal frames: its first entry is as often
    positive as negative, a square one's determinant too; a plain QR's Q has its first entry always negative."""
    draw, rng = _advice(), np.random.default_rng(0)
    ours = [cr.Dense(*shape, weight_init=draw, seed=int(s)).W for s in rng.integers(0, 2**31, 400)]
    theirs = [_torch_orthogonal(shape, seed) for seed in range(400)]
    for W in ours[:5] + theirs[:5]:
        gram = W.T @ W if shape[0] >= shape[1] else W @ W.T
        np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-10)
    for statistic in (lambda W: W[0, 0] > 0, lambda W: W[-1, 0] > 0, lambda W: W[0, 0] ** 2 * max(shape)):
        a, b = np.mean([statistic(W) for W in ours]), np.mean([statistic(W) for W in theirs])
        assert abs(a - b) < 0.15, (a, b)
    if shape[0] == shape[1]:
        a, b = (np.mean([np.linalg.det(W) > 0 for W in ws]) for ws in (ours, theirs))
        assert 0.35 < a < 0.65 and abs(a - b) < 0.15, (a, b)


@pytest.mark.parametrize("typo, meant", [("orthogonl", "orthogonal"), ("Identiy", "identity"),
                                         ("variance_scalin", "variance_scaling"), ("constnt", "constant")])
def test_a_typo_of_a_keras_name_is_answered_with_that_name(typo, meant):
    """A misspelt Keras name chainrule refuses (Orthogonal) or takes (VarianceScaling) gets the name meant, as a
    misspelt name of chainrule's gets its own."""
    with pytest.raises(cr.errors.UnknownNameError, match=f"Did you mean Keras' '{meant}'"):
        cr.Dense(3, 2, weight_init=typo)
    cr.Dense(3, 2, weight_init=meant) if meant == "variance_scaling" else None
