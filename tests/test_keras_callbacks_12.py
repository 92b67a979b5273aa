"""Keras parity of the callbacks in a real fit on digits (Keras 3 itself, KERAS_BACKEND=torch, from the same
weights): the network's history after a fit a callback stopped with an error, a History given in the list,
ModelCheckpoint's missing folders."""
import os
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
datasets = pytest.importorskip("sklearn.datasets")

from keras_twins import digits as _digits  # noqa: E402
from keras_twins import fit  # noqa: E402
from keras_twins import twins as _twins  # noqa: E402


def _fit(model, X, y, callbacks, epochs=3, **kw):
    return fit(model, X, y, callbacks, epochs, **kw)


def _raiser(base, at):
    class Raise(base):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == at:
                raise RuntimeError("stop here")
    return Raise()


@pytest.mark.parametrize("at", [0, 1])
def test_a_fit_a_callback_stops_with_an_error_leaves_its_finished_epochs(at):
    """Keras' fit sets model.history to the run's History as it starts, so a callback's error leaves the
    epochs finished before it; chainrule set net.history only at the end: the error left the previous fit's
    (or None), as if the failed run had never trained, though its weights had moved."""
    X, y = _digits()
    net, model = _twins()
    _fit(net, X, y, [], epochs=2)
    _fit(model, X, y, [], epochs=2)
    for m, base in ((net, cr.callbacks.Callback), (model, keras.callbacks.Callback)):
        with pytest.raises(RuntimeError, match="stop here"):
            _fit(m, X, y, [_raiser(base, at)])
    theirs, ours = model.history.history, net.history.history
    assert sorted(ours) == sorted(theirs) and all(len(ours[k]) == len(theirs[k]) == at for k in theirs)
    for key in theirs:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-4, err_msg=key)
    for a, b in zip(net.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_a_history_in_the_callbacks_is_the_one_fit_returns():
    """Keras' fit uses a History given among the callbacks as its own (fit returns it, model.history is it);
    chainrule made another: the one given was filled too, but fit returned a different object."""
    X, y = _digits()
    net, model = _twins()
    theirs, ours = keras.callbacks.History(), cr.callbacks.History()
    assert _fit(model, X, y, [theirs]) is theirs and model.history is theirs
    assert _fit(net, X, y, [ours]) is ours and net.history is ours
    assert sorted(ours.history) == sorted(theirs.history) and len(ours.history["loss"]) == len(theirs.history["loss"])


@pytest.mark.parametrize("template", ["sub/dir/m-{epoch}", "ep{epoch:02d}/m-{val_loss:.2f}"])
def test_model_checkpoint_makes_a_missing_folder_as_keras(template, tmp_path):
    """Keras' ModelCheckpoint makes the file's folder when it is missing (one per epoch where the folder
    has a field); chainrule refused to train ('does not exist (create it first)')."""
    X, y = _digits()
    net, model = _twins()
    validation = (X[:40], y[:40])
    _fit(model, X, y, [keras.callbacks.ModelCheckpoint(str(tmp_path / "k" / (template + ".keras")))],
         validation_data=validation)
    _fit(net, X, y, [cr.ModelCheckpoint(str(tmp_path / "c" / (template + ".npz")))], validation_data=validation)

    def written(folder):
        return sorted(str(p.relative_to(folder).with_suffix("")) for p in Path(folder).rglob("*") if p.is_file())
    assert written(tmp_path / "c") == written(tmp_path / "k") and len(written(tmp_path / "k")) == 3
    saved = cr.load(next(iter(sorted((tmp_path / "c").rglob("*.npz")))))
    assert saved.layers[0].W.shape == (64, 8)


def test_model_checkpoint_refuses_a_folder_that_cannot_be_made_before_training(tmp_path):
    """A file where the folder should be: refused before the first batch, naming it."""
    (tmp_path / "taken").write_text("")
    X, y = _digits()
    net, _ = _twins()
    before = net.params.copy()
    with pytest.raises(NotADirectoryError, match=r"'.*taken/sub', cannot be made: '.*taken' is a file"):
        _fit(net, X, y, [cr.ModelCheckpoint(str(tmp_path / "taken" / "sub" / "m.npz"))])
    np.testing.assert_array_equal(net.params, before)


def test_model_checkpoint_counts_batches_across_fits_as_keras(tmp_path):
    """Keras' ModelCheckpoint counts the batches since its last save across fits (`_batches_seen_since_last_saving`
    is never reset), so fitting an epoch at a time with save_freq larger than an epoch still saves; chainrule
    reset the count at each fit and never saved."""
    X, y = _digits(96)
    net, model = _twins()
    (tmp_path / "k").mkdir(), (tmp_path / "c").mkdir()
    name = "m-{epoch}-{batch}"
    for m, cb in ((model, keras.callbacks.ModelCheckpoint(str(tmp_path / "k" / (name + ".keras")), save_freq=4)),
                  (net, cr.ModelCheckpoint(str(tmp_path / "c" / (name + ".npz")), save_freq=4))):
        for _ in range(3):
            _fit(m, X, y, [cb], epochs=1)
    ours = sorted(p.stem for p in (tmp_path / "c").iterdir())
    assert ours == sorted(p.stem for p in (tmp_path / "k").iterdir()) and len(ours) == 2


def test_a_history_given_to_two_fits_starts_its_epochs_again_as_keras():
    """Keras' History.on_train_begin starts `epoch` again and keeps the dict; chainrule's went on:
    [0, 1, 0, 1, 2] where Keras has [0, 1, 2]."""
    X, y = _digits()
    net, model = _twins()
    theirs, ours = keras.callbacks.History(), cr.callbacks.History()
    for m, h in ((model, theirs), (net, ours)):
        _fit(m, X, y, [h], epochs=2)
        _fit(m, X, y, [h], epochs=3)
    assert ours.epoch == theirs.epoch == [0, 1, 2]
    assert sorted(ours.history) == sorted(theirs.history)
    assert all(len(ours.history[k]) == len(theirs.history[k]) == 5 for k in theirs.history)


def test_a_history_given_to_two_fits_watches_each_fits_losses_alone(recwarn):
    """The loss watch compared the second fit's losses with the first fit's lowest: a second fit on
    targets 1000 times larger, its loss falling at every epoch, was called an explosion."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = X @ np.array([[0.5], [-0.2], [0.1]])
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    history = cr.callbacks.History()
    net.fit(X, y, epochs=20, batch_size=16, optimizer=cr.optim.SGD(0.1), callbacks=[history], verbose=0)
    net.fit(X, 1000 * y, epochs=5, batch_size=16, callbacks=[history], verbose=0)
    second = history.history["loss"][20:]
    assert all(b < a for a, b in zip(second, second[1:]))          # no explosion: the loss fell throughout
    assert second[0] > 100 * min(history.history["loss"][:20])     # though far above the first fit's lowest
    assert not [w for w in recwarn if issubclass(w.category, cr.callbacks.GradientWarning)]
