"""A Keras 3 PyDataset read as Keras reads it: its `on_epoch_begin()` and `on_epoch_end()` around every training
epoch and every validation pass, and its length from `num_batches` where it has no `__len__`."""
from __future__ import annotations

import os

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(96, 4))
    return X, (X[:, 0] > 0).astype(np.int64)


def network() -> cr.Network:
    return cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=0)


def logged(base: type, X: np.ndarray, y: np.ndarray, log: list[str]) -> type:
    """A sequence of three batches of 32 rows that writes each call into `log`."""

    class Batches(base):                                    # type: ignore[misc, valid-type]
        def __init__(self, name: str):
            super().__init__()
            self.name = name

        def __len__(self) -> int:
            return 3

        def __getitem__(self, i: int):
            log.append(f"{self.name}[{i}]")
            return X[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

        def on_epoch_begin(self) -> None:
            log.append(f"{self.name}.begin")

        def on_epoch_end(self) -> None:
            log.append(f"{self.name}.end")
    return Batches


def keras_module():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras")


def test_epoch_hooks_are_called_where_keras_calls_them():
    keras = keras_module()
    X, y = data()
    theirs: list[str] = []
    Batches = logged(keras.utils.PyDataset, X, y, theirs)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(Batches("t"), epochs=2, validation_data=Batches("v"), shuffle=False, verbose=0)
    # Keras reads batch 0 once more before training, to build its step ("t.begin t[0] t.end"), and resets the
    # validation iterator before each pass with one more on_epoch_end: neither is an epoch of the data
    assert theirs[:3] == ["t.begin", "t[0]", "t.end"]
    keras_epochs = " ".join(theirs[3:]).replace("v.end v.begin", "v.begin")

    ours: list[str] = []
    Batches = logged(object, X, y, ours)
    network().fit(Batches("t"), epochs=2, validation_data=Batches("v"), shuffle=False, verbose=0)
    assert " ".join(ours) == keras_epochs
    assert keras_epochs == " ".join(["t.begin t[0] t[1] t[2] t.end v.begin v[0] v[1] v[2] v.end"] * 2)


def test_a_pydataset_with_num_batches_and_no_len_trains_as_its_arrays():
    keras = keras_module()
    X, y = data()

    class Batches(keras.utils.PyDataset):
        @property
        def num_batches(self) -> int:
            return 3

        def __getitem__(self, i: int):
            return X[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

    assert not hasattr(Batches(), "__len__")
    net, arr = network(), network()
    history = net.fit(Batches(), epochs=2, shuffle=False, verbose=0, validation_data=Batches())
    reference = arr.fit(X, y, epochs=2, batch_size=32, shuffle=False, verbose=0, validation_data=(X, y))
    np.testing.assert_allclose(net.params, arr.params, rtol=1e-12, atol=1e-15)
    for key, values in reference.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-12)
    validated = network().fit(X, y, epochs=1, batch_size=32, shuffle=False, verbose=0, validation_data=Batches())
    assert validated.history["val_loss"] == pytest.approx(reference.history["val_loss"][:1], rel=1e-12)


def test_an_endless_pydataset_is_refused_in_words():
    keras = keras_module()
    X, y = data()

    class Endless(keras.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, i: int):
            return X[:32], y[:32]

    net = network()
    before = net.params.copy()
    with pytest.raises(ValidationError, match=r"X is endless \(its num_batches is None\).*steps_per_epoch"):
        net.fit(Endless(), epochs=1, verbose=0)
    with pytest.raises(ValidationError, match=r"validation_data is endless"):
        net.fit(X, y, epochs=1, verbose=0, validation_data=Endless())
    np.testing.assert_array_equal(net.params, before)


class Counted:
    """Batches of 32 rows whose __len__ says `claimed` though only the rows there are make batches."""

    def __init__(self, X: np.ndarray, y: np.ndarray, claimed: int):
        self.X, self.y, self.claimed = X, y, claimed

    def __len__(self) -> int:
        return self.claimed

    def __getitem__(self, i: int):
        if i * 32 >= len(self.X):
            raise IndexError(f"list index out of range: {i}")
        return self.X[i * 32:(i + 1) * 32], self.y[i * 32:(i + 1) * 32]


def test_a_pydataset_whose_count_is_wrong_or_missing_is_named():
    keras = keras_module()
    X, y = data()

    class Neither(keras.utils.PyDataset):
        def __getitem__(self, i: int):
            return X[:32], y[:32]

    class Four(Neither):
        @property
        def num_batches(self) -> int:
            return 4

        def __getitem__(self, i: int):
            return Counted(X, y, 4)[i]

    with pytest.raises(cr.errors.ChainruleTypeError, match=r"^X \(Neither\) has neither __len__ nor a num_batches"):
        network().fit(Neither(), epochs=1, verbose=0)
    with pytest.raises(ValidationError, match=r"^batch 3 could not be read .* num_batches is 4: does its num_batches "
                                              r"count more batches"):
        network().fit(Four(), epochs=1, shuffle=False, verbose=0)


def test_a_length_that_counts_batches_not_there_is_named():
    X, y = data()
    net = network()
    with pytest.raises(ValidationError, match=r"^batch 3 could not be read \(IndexError: list index out of range: 3\), "
                                              r"though the sequence's len\(\) is 4: does its __len__ count more"):
        net.fit(Counted(X, y, 4), epochs=1, shuffle=False, verbose=0)
    with pytest.raises(ValidationError, match=r"^validation batch 3 could not be read .* len\(\) is 4"):
        network().fit(Counted(X, y, 3), epochs=1, shuffle=False, verbose=0, validation_data=Counted(X, y, 4))


class Weighted:
    """Batches of 32 rows, each weighted by `weight` (a sequence produced batch by batch, not a list)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weight: float):
        self.X, self.y, self.weight = X, y, weight

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int):
        rows = slice(i * 32, (i + 1) * 32)
        return self.X[rows], self.y[rows], np.full(len(self.y[rows]), self.weight)


def test_training_batches_weighted_all_by_zero_are_refused_as_arrays_are():
    X, y = data()
    with pytest.raises(ValidationError, match=r"sample_weight is zero for all 96 samples"):
        network().fit(X, y, sample_weight=np.zeros(96), verbose=0)          # the arrays' refusal
    net = network()
    before = net.params.copy()
    listed = [Weighted(X, y, 0.0)[i] for i in range(3)]
    with pytest.raises(ValidationError, match=r"the training batches' sample weight is zero for all 96 samples"):
        net.fit(listed, epochs=1, verbose=0)
    with pytest.raises(ValidationError, match=r"sample weight times class_weight is zero for all 96 samples"):
        net.fit([(X[:32], y[:32]), (X[32:], y[32:])], class_weight={0: 0.0, 1: 0.0}, epochs=1, verbose=0)
    np.testing.assert_array_equal(net.params, before)                 # refused before any work
    with pytest.raises(ValidationError, match=r"sample weight is zero for all 96 rows of epoch 1"):
        network().fit(Weighted(X, y, 0.0), epochs=2, verbose=0)
    trained = network().fit(Weighted(X, y, 1.0), epochs=1, shuffle=False, verbose=0)     # weights of 1: as arrays
    reference = network().fit(X, y, epochs=1, batch_size=32, shuffle=False, verbose=0)
    assert trained.history["loss"] == pytest.approx(reference.history["loss"], rel=1e-12)


class ByEpoch(Weighted):
    """Batches of 32 rows weighted by `weights[epoch]`: an epoch weighing nothing after one that trained."""

    def __init__(self, X: np.ndarray, y: np.ndarray, weights: list[float]):
        super().__init__(X, y, weights[0])
        self.weights, self.epoch = weights, 0

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.weight = self.weights[min(self.epoch, len(self.weights) - 1)]


def test_an_epoch_refused_for_weights_all_zero_leaves_nothing_of_itself():
    X, y = data()
    sgd = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}   # both move the weights at weight 0
    net = network()
    before = net.params.copy()
    with pytest.raises(ValidationError, match=r"epoch 1: .* as they were before epoch 1"):
        net.fit(ByEpoch(X, y, [0.0]), epochs=2, verbose=0, optimizer=cr.optim.SGD(**sgd))
    np.testing.assert_array_equal(net.params, before)
    assert net.optimizer.t == 0
    net = network()
    with pytest.raises(ValidationError, match=r"epoch 2: .* as they were before epoch 2"):
        net.fit(ByEpoch(X, y, [1.0, 0.0]), epochs=3, shuffle=False, verbose=0, optimizer=cr.optim.SGD(**sgd))
    reference = network()
    reference.fit(X, y, epochs=1, batch_size=32, shuffle=False, verbose=0, optimizer=cr.optim.SGD(**sgd))
    np.testing.assert_allclose(net.params, reference.params, rtol=1e-12, atol=1e-15)   # its first epoch, no more
    assert net.optimizer.t == reference.optimizer.t == 3
    np.testing.assert_allclose(net.optimizer.state["momentum_buffer"], reference.optimizer.state["momentum_buffer"],
                               rtol=1e-12, atol=1e-15)
