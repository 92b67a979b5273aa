"""A callback's monitor must name a logged value: an empty name is refused when the callback is made, naming the
callback and the argument, for each of the three that watch one (with mode='auto' it was an error about whether ''
should be maximized; with mode='min' a warning at every epoch: EarlyStopping never stopped, ReduceLROnPlateau never
lowered the rate, and ModelCheckpoint(save_best_only=True) saved every epoch, as without save_best_only). Without
save_best_only ModelCheckpoint never reads its monitor, and takes '' as Keras does (tests/test_keras66_callbacks.py)."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris

import chainrule as cr

MAKERS = {"EarlyStopping": lambda **kw: cr.callbacks.EarlyStopping(**kw),
          "ReduceLROnPlateau": lambda **kw: cr.callbacks.ReduceLROnPlateau(**kw),
          "ModelCheckpoint": lambda **kw: cr.callbacks.ModelCheckpoint("best.npz", save_weights_only=True,
                                                                          save_best_only=True, **kw)}


@pytest.mark.parametrize("owner", list(MAKERS))
@pytest.mark.parametrize("mode", ["auto", "min"])
@pytest.mark.parametrize("monitor", ["", "  "])
def test_empty_monitor_refused(owner, mode, monitor):
    with pytest.raises(cr.errors.ValidationError) as info:
        MAKERS[owner](monitor=monitor, mode=mode)
    assert str(info.value).startswith(f"{owner}: monitor must be the name of a logged value")
    assert f"got {monitor!r}, an empty name" in str(info.value)


def test_named_monitor_still_watched(tmp_path):
    """The check refuses the empty name only: a real name trains and acts as before (iris, the loss watched)."""
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    stop = cr.callbacks.EarlyStopping(monitor="loss", mode="min", patience=0, min_delta=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = net.fit(X, y, epochs=5, verbose=0, callbacks=[stop])
    assert history.epoch == [0, 1] and stop.stopped_epoch == 1
    assert np.isfinite(history.history["loss"]).all()
