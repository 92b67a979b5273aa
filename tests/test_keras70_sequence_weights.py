"""A sequence of batches whose sample weights each sum to a finite number but overflow float64 over the epoch: the
arrays' refusal (the weighted mean's divisor would be inf, the accuracy NaN), not a NaN logged."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


class Batches:
    """A sequence that is no list (read batch by batch), each batch one row of weight 1e308."""

    def __init__(self, X, y, w):
        self.X, self.y, self.w = X, y, w

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, i):
        return self.X[i:i + 1], self.y[i:i + 1], np.array([self.w])


def _problem():
    X = np.random.default_rng(0).normal(size=(4, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)


MEAN = {"weight_reduction": "mean_with_sample_weight"}


@pytest.mark.parametrize("as_list", [True, False])
def test_training_weights_overflowing_over_the_epoch_are_refused(as_list):
    X, y = _problem()
    batches = Batches(X, y, 1e308)
    net = _net()
    before = net.params.copy()
    given = [batches[i] for i in range(len(batches))] if as_list else batches
    with pytest.raises(ValidationError, match=r"^the training batches' sample weight: the weights sum past float64's "
                                              r"largest number \(1.8e\+308\) at batch 1"):
        net.fit(given, epochs=1, verbose=0, **MEAN)
    np.testing.assert_array_equal(net.params, before)       # the epoch's start kept, as the arrays refuse before work
    with pytest.raises(ValidationError, match="the weights sum past float64's largest number"):   # the arrays' words
        _net().fit(X, y, sample_weight=np.full(4, 1e308), epochs=1, verbose=0, **MEAN)


@pytest.mark.parametrize("as_list", [True, False])
@pytest.mark.parametrize("reduction", [MEAN, {}])
def test_validation_weights_overflowing_over_the_set_are_refused(as_list, reduction):
    X, y = _problem()
    batches = Batches(X, y, 1e308)
    given = [batches[i] for i in range(len(batches))] if as_list else batches
    with pytest.raises(ValidationError, match=r"^validation_data's sample weight: the weights sum past float64's "
                                              r"largest number \(1.8e\+308\) at validation batch 1"):
        _net().fit(Batches(X, y, 1.0), validation_data=given, epochs=1, verbose=0, **reduction)


def test_large_weights_whose_sum_is_finite_log_their_weighted_accuracy():
    X, y = _problem()
    history = _net().fit(Batches(X, y, 1e307), epochs=1, verbose=0, **MEAN)
    plain = _net().fit(Batches(X, y, 1.0), epochs=1, verbose=0, **MEAN)
    assert history.history["accuracy"] == pytest.approx(plain.history["accuracy"])    # equal weights: as none
