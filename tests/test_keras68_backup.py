"""BackupAndRestore's words: a restore from the backup before a damaged one said in one line (Keras' is silent,
and the user loses an epoch without knowing), and save_freq's refusal in plain grammar ("every batch")."""
import warnings

import numpy as np
import pytest
from conftest import InterruptAt

import chainrule as cr
from chainrule.errors import ValidationError


def fit(net, callbacks):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return net.fit(X, X @ np.array([1.0, -2.0, 0.5]), epochs=5, batch_size=8, seed=3, verbose=0,
                   callbacks=callbacks, optimizer=cr.optim.Adam(0.01))


def network():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=1)


def test_a_restore_from_the_previous_backup_is_said_in_one_line(tmp_path):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    net = network()
    with pytest.raises(RuntimeError, match="Interrupting"):
        fit(net, [backup, InterruptAt(3)])               # backups of epochs 2 and 3
    path = tmp_path / "checkpoint.npz"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(UserWarning) as caught:
        history = fit(net, [backup])
    said = [str(w.message) for w in caught if "checkpoint.npz.bkp" in str(w.message)]
    assert len(said) == 1 and "\n" not in said[0]
    assert "damaged" in said[0] and "epoch 2" in said[0] and str(tmp_path) in said[0]
    assert caught[0].filename == __file__               # points at the user's fit
    assert history.epoch == list(range(5))


def test_an_undamaged_backup_restores_without_a_warning(tmp_path):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    net = network()
    with pytest.raises(RuntimeError, match="Interrupting"):
        fit(net, [backup, InterruptAt(3)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit(net, [backup])


@pytest.mark.parametrize("freq, meant", [(1, "a backup every batch"), (2, "a backup every 2 batches")])
def test_save_freq_batches_refused_in_plain_grammar(tmp_path, freq, meant):
    with pytest.raises(ValidationError) as err:
        cr.callbacks.BackupAndRestore(tmp_path, save_freq=freq)
    assert meant in str(err.value) and "every 1 batches" not in str(err.value)


def refit(net, callbacks, **changed):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    given = dict(epochs=5, batch_size=8, seed=3, verbose=0, callbacks=callbacks, optimizer=cr.optim.Adam(0.01))
    return net.fit(X, X @ np.array([1.0, -2.0, 0.5]), **{**given, **changed})


@pytest.mark.parametrize("refused, changed", [("callbacks", {"early_stopping": True}),
                                             ("another run", {"batch_size": 4})])
def test_a_resume_refused_after_reading_the_backup_before_leaves_both_files_and_a_rerun_says_it(
        tmp_path, refused, changed):
    """The warning comes once the run goes on: a resume refused after the backup before was read says nothing and
    leaves the damaged file, so the rerun with the right arguments still says which epoch it goes on from."""
    whole = network()
    refit(whole, None)                                   # the uninterrupted run
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    net = network()
    with pytest.raises(RuntimeError, match="Interrupting"):
        fit(net, [backup, InterruptAt(3)])               # backups of epochs 2 and 3
    path = tmp_path / "checkpoint.npz"
    damaged = path.read_bytes()[:100]
    path.write_bytes(damaged)
    changed = dict(changed)
    extra = [cr.callbacks.EarlyStopping(monitor="loss", patience=9)] if changed.pop("early_stopping", False) else []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValidationError, match=refused):
            refit(net, [backup, *extra], **changed)
    assert not [w for w in caught if "checkpoint.npz.bkp" in str(w.message)]     # nothing resumed: nothing said
    assert path.read_bytes() == damaged                                         # both files as they were
    with pytest.warns(UserWarning, match=r"resumed from the one before \(checkpoint.npz.bkp\), epoch 2") as said:
        refit(net, [backup])
    message = next(str(w.message) for w in said if "checkpoint.npz.bkp" in str(w.message))
    assert "cut short" in message and "BackupAndRestore(backup_dir)" in message      # why, in Keras' words
    np.testing.assert_array_equal(net.params, whole.params)                   # from epoch 2, bit for bit
