"""Each table of other frameworks' names holds a name once: Keras' function name and its class name (random_normal,
RandomNormal), torch's function and class (mse_loss, MSELoss) are one row, matched in every spelling (`bare`). The
tables held both spellings as two rows (initializers' random_normal and randomnormal, losses' cross_entropy and
crossentropy, the activation layers' leaky_relu and leakyrelu), a row a reader of the table saw twice."""
from __future__ import annotations

from collections import Counter

import pytest

import chainrule as cr
from chainrule.nn import activations, initializers, losses, other_frameworks
from chainrule.nn.activations import bare
from chainrule.training import keras_names

TABLES = {"initializers.KERAS_NAMES": initializers.KERAS_NAMES,
          "initializers.KERAS_LACKING": initializers.KERAS_LACKING,
          "losses.ALIASES": losses.ALIASES, "losses.OTHER_LOSSES": losses.OTHER_LOSSES,
          "activations.ALIASES": activations.ALIASES, "activations.OTHER_FUNCTIONS": activations.OTHER_FUNCTIONS,
          "other_frameworks.ACTIVATION_LAYERS": other_frameworks.ACTIVATION_LAYERS,
          "other_frameworks.OTHER_NAMES": other_frameworks.OTHER_NAMES,
          "other_frameworks.ELSEWHERE": other_frameworks.ELSEWHERE, "keras_names.KERAS_ONLY": keras_names.KERAS_ONLY,
          "keras_names.KERAS_WITHOUT_EQUAL": keras_names.KERAS_WITHOUT_EQUAL}


@pytest.mark.parametrize("name", list(TABLES))
def test_a_name_is_one_row(name: str) -> None:
    counts = Counter(bare(key) for key in TABLES[name])
    assert [key for key in TABLES[name] if counts[bare(key)] > 1] == []


@pytest.mark.parametrize("spelling", ["random_normal", "RandomNormal", "randomnormal", "RANDOM_NORMAL"])
def test_keras_normal_in_every_spelling_is_chainrules_normal(spelling: str) -> None:
    """(guards what worked: every spelling still draws N(0, 0.05))"""
    assert initializers.resolve(spelling, "tanh") is initializers.normal


@pytest.mark.parametrize("spelling,native", [
    ("random_uniform", "uniform"), ("RandomUniform", "uniform"), ("GlorotUniform", "glorot_uniform"),
    ("HeUniform", "he_uniform"), ("LecunUniform", "lecun_uniform"), ("TruncatedNormal", "truncated_normal")])
def test_keras_class_names_of_draws(spelling: str, native: str) -> None:
    """(guards what worked)"""
    assert initializers.resolve(spelling, "tanh") is initializers.INITIALIZERS[native]


def test_keras_truncated_he_normal_is_still_refused() -> None:
    """HeNormal is bare he_normal, but Keras' is truncated: refused, not matched to chainrule's plain normal."""
    with pytest.raises(cr.errors.UnknownNameError, match="truncated"):
        initializers.resolve("HeNormal", "relu")


@pytest.mark.parametrize("spelling,native", [
    ("cross_entropy", "categorical_crossentropy"), ("crossentropy", "categorical_crossentropy"),
    ("CrossEntropyLoss", "categorical_crossentropy"), ("mean_squared_error", "mse"), ("MeanSquaredError", "mse"),
    ("mse_loss", "mse"), ("MSELoss", "mse"), ("binary_cross_entropy", "binary_crossentropy"),
    ("BinaryCrossentropy", "binary_crossentropy"), ("BCELoss", "binary_crossentropy"),
    ("BCEWithLogitsLoss", "binary_crossentropy"), ("binary_cross_entropy_with_logits", "binary_crossentropy"),
    ("SparseCategoricalCrossentropy", "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", "categorical_crossentropy"),
    ("CategoricalCrossentropy", "categorical_crossentropy"), ("bce", "binary_crossentropy"),
    ("cce", "categorical_crossentropy"), ("MSE", "mse")])
def test_loss_names_in_every_spelling(spelling: str, native: str) -> None:
    """(guards what worked)"""
    assert type(losses.get_loss(spelling)) is losses.LOSSES[native]
    config = {"class_name": spelling, "config": {}}
    if spelling[0].isupper() and "Loss" not in spelling and spelling != "MSE":     # Keras' class names in a config
        assert type(losses.get_loss(config)) is losses.LOSSES[native]


def test_torch_loss_classes_are_named() -> None:
    """(guards what worked) torch's class given as the loss is told its chainrule name."""
    torch = pytest.importorskip("torch")
    with pytest.raises(cr.errors.ValidationError, match="give loss='MSELoss'"):
        losses.get_loss(torch.nn.MSELoss)


@pytest.mark.parametrize("layer", ["LeakyReLU", "leaky_relu", "leakyrelu"])
def test_an_activation_layer_in_every_spelling_belongs_to_the_dense(layer: str) -> None:
    """(guards what worked)"""
    assert "Dense(n_in, n_out, activation='leaky_relu')" in other_frameworks.instead_of(layer)
