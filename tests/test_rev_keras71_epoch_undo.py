"""The snapshot that lets a refused epoch be undone: taken once an epoch, and only where the epoch can be refused (a
validation sequence read after the epochs it validates, `validation_freq`; a sequence's training batches); taken
before the epoch's callbacks, so a refused epoch leaves no rate a LearningRateScheduler set for it, on arrays or on
a sequence alike."""

import numpy as np
import pytest
from epoch_undo_twin import Batches
from epoch_undo_twin import net_with_adam as _net
from epoch_undo_twin import problem as _problem
from epoch_undo_twin import state as _state

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.training.small_callbacks import LearningRateScheduler


@pytest.fixture
def snapshots(monkeypatch):
    """How many times fit copies the optimizer's state (with the network's weights) to undo an epoch."""
    taken = []
    real = cr.optim.Adam.__getstate__

    def counted(opt):
        taken.append(1)
        return real(opt)
    monkeypatch.setattr(cr.optim.Adam, "__getstate__", counted)
    return taken


@pytest.mark.parametrize("on_arrays, copies", [(True, 2), (False, 4)])
def test_one_snapshot_an_epoch_and_none_where_nothing_can_refuse_it(snapshots, on_arrays, copies):
    X, y = _problem()
    train = dict(x=X, y=y) if on_arrays else dict(x=Batches(X, y, 1.0))
    net = _net()
    net.fit(**train, batch_size=2, epochs=4, validation_data=Batches(X, y, 1.0), validation_freq=2, verbose=0)
    # arrays: the two validated epochs only; a sequence: each epoch once (its batches may refuse it), not twice
    assert len(snapshots) == copies
    assert net.epochs_trained == 4 and net.history.epoch == [0, 1, 2, 3]


@pytest.mark.parametrize("on_arrays", [True, False])
def test_a_refused_validated_epoch_among_unvalidated_ones_is_undone(on_arrays):
    X, y = _problem()
    train = dict(x=X, y=y) if on_arrays else dict(x=Batches(X, y, 1.0))
    net, twin = _net(), _net()
    twin.fit(**train, batch_size=2, epochs=3, verbose=0, shuffle=False)
    with pytest.raises(ValidationError, match="left as they were before epoch 4"):
        net.fit(**train, batch_size=2, epochs=4, validation_data=Batches(X, y, 1.0, 1e308, bad_from=1),
                validation_freq=2, verbose=0, shuffle=False)
    np.testing.assert_equal(_state(net), _state(twin))
    assert net.history.epoch == [0, 1, 2]


# arrays' own weights are checked whole before any epoch: only a sequence's training batches refuse an epoch
@pytest.mark.parametrize("on_arrays, bad_training", [(True, False), (False, False), (False, True)])
def test_a_refused_epoch_leaves_no_scheduled_rate(on_arrays, bad_training):
    X, y = _problem()
    train = dict(x=X, y=y) if on_arrays else dict(x=Batches(X, y, 1.0, 1e308 if bad_training else None, 1))
    validation = None if bad_training else Batches(X, y, 1.0, 0.0, bad_from=1)
    net = _net()
    halving = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    with pytest.raises(ValidationError, match="left as they were before epoch 2"):
        net.fit(**train, batch_size=2, epochs=2, validation_data=validation, callbacks=[halving], verbose=0,
                shuffle=False, weight_reduction="mean_with_sample_weight")
    assert net.optimizer.lr == 0.025         # epoch 1's halving kept, epoch 2's undone
    assert net.epochs_trained == 1
