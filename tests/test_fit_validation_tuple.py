"""validation_data given as arrays of another count than 2 or 3, such as (X_val,): named as validation_data's
pair or triple, where it was read as batches ('validation batch 0 must be a pair ...; got ndarray')."""
import numpy as np
import pandas as pd
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(int)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)


@pytest.mark.parametrize("given, said", [((X,), "got a tuple of 1 array (X_val alone: validation needs its targets)"),
                                         ([X], "got a list of 1 array (X_val alone"),
                                         ((X, y, np.ones(20), np.ones(20)), "got a tuple of 4 arrays")])
def test_arrays_of_another_count_are_named_as_validation_data(given, said):
    net = _net()
    before = net.params.copy()
    with pytest.raises(ValidationError, match=r"validation_data must be a pair \(X_val, Y_val\) or a triple") as err:
        net.fit(X, y, validation_data=given, verbose=0)
    assert said in str(err.value) and "batch" not in str(err.value)
    np.testing.assert_array_equal(net.params, before)        # refused before any training


def test_a_list_of_batches_still_validates():
    history = _net().fit(X, y, validation_data=[(X[:10], y[:10]), (X[10:], y[10:])], verbose=0).history
    whole = _net().fit(X, y, validation_data=(X, y), verbose=0).history
    assert history["val_loss"] == pytest.approx(whole["val_loss"])


@pytest.mark.parametrize("given, said", [((pd.DataFrame(X),), "got a tuple of 1 array (X_val alone"),
                                         ((X, y, None, None), "got a tuple of 4 items"),
                                         ((pd.DataFrame(X), pd.Series(y), np.ones(20), np.ones(20)),
                                          "got a tuple of 4 arrays")])
def test_frames_and_none_of_another_count_are_named_too(given, said):
    """A DataFrame or a None in the tuple is no batch either: it was read as batches as the arrays were."""
    with pytest.raises(ValidationError, match=r"validation_data must be a pair \(X_val, Y_val\) or a triple") as err:
        _net().fit(X, y, validation_data=given, verbose=0)
    assert said in str(err.value) and "batch" not in str(err.value)
