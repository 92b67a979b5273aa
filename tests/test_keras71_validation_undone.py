"""A validation sequence read batch by batch (no list: checked only when it is read, after the epoch's training)
whose weights overflow float64 over the set, or are all zero, refuses the epoch as the training batches' overflow
does: the network, its optimizer's state and its epoch count are left as they were before that epoch, whether fit
trains on arrays or on a sequence; an epoch validated before is kept."""

import numpy as np
import pytest
from epoch_undo_twin import Batches
from epoch_undo_twin import net_with_adam as _net
from epoch_undo_twin import problem as _problem
from epoch_undo_twin import state as _state

from chainrule.errors import ValidationError


def _same(a, b):
    np.testing.assert_equal(a, b)       # weights, optimizer state (step count, moments) and epoch count alike


@pytest.mark.parametrize("on_arrays", [True, False])
@pytest.mark.parametrize("bad, words", [(1e308, "the weights sum past float64's largest number"),
                                        (0.0, "is zero for all 4 samples")])
def test_a_refused_validation_leaves_the_epoch_undone(on_arrays, bad, words):
    X, y = _problem()
    net = _net()
    net.fit(X, y, epochs=1, batch_size=2, verbose=0)          # a trained state: step count and moments not zero
    before = _state(net)
    train = dict(x=X, y=y) if on_arrays else dict(x=Batches(X, y, 1.0))
    with pytest.raises(ValidationError, match=words) as info:
        net.fit(**train, batch_size=2, validation_data=Batches(X, y, 1.0, bad), epochs=1, verbose=0,
                weight_reduction="mean_with_sample_weight")
    _same(_state(net), before)
    assert "(the network and its optimizer are left as they were before epoch 1)" in str(info.value)
    net.fit(X, y, epochs=1, batch_size=2, verbose=0)          # and it trains on as before
    assert np.isfinite(net.params).all()


@pytest.mark.parametrize("on_arrays", [True, False])
def test_only_the_refused_epoch_is_undone(on_arrays):
    X, y = _problem()
    net, twin = _net(), _net()
    train = dict(x=X, y=y) if on_arrays else dict(x=Batches(X, y, 1.0))
    twin.fit(**train, batch_size=2, epochs=1, verbose=0, shuffle=False)
    after_first = _state(twin)
    with pytest.raises(ValidationError, match="left as they were before epoch 2"):
        net.fit(**train, batch_size=2, validation_data=Batches(X, y, 1.0, 1e308, bad_from=1), epochs=3, verbose=0,
                shuffle=False)
    _same(_state(net), after_first)
    assert net.history.epoch == [0]
