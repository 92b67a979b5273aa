"""Keras' BackupAndRestore callback: an interrupted fit run again goes on bit for bit, and the backup is removed
once training ends (delete_checkpoint), as in Keras. Before, `cr.callbacks.BackupAndRestore` did not exist."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


class Interrupt(cr.callbacks.Callback):
    """Ctrl-C at the end of an epoch (before the checkpoint of that epoch is written)."""

    def __init__(self, at):
        self.at = at

    def on_epoch_end(self, epoch, logs):
        if epoch == self.at:
            raise KeyboardInterrupt


def data(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4)).astype(dtype)
    return X, (X[:, 0] - X[:, 2] > 0).astype(int)


def run(X, y, dtype, callbacks):
    net = cr.Network([cr.Dense(4, 6, "tanh"), cr.Dropout(0.2), cr.Dense(6, 2, "softmax")],
                     loss="categorical_crossentropy", seed=1, dtype=dtype)
    history = net.fit(X, y, epochs=8, batch_size=16, optimizer=cr.optim.SGD(0.05, momentum=0.9), seed=3,
                      validation_split=0.25, verbose=0,
                      callbacks=[cr.EarlyStopping(patience=3, restore_best_weights=True), *callbacks])
    return net, history


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_interrupted_fit_run_again_equals_uninterrupted(tmp_path, dtype):
    X, y = data(dtype)
    whole, whole_history = run(X, y, dtype, [])
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        run(X, y, dtype, [cr.callbacks.BackupAndRestore(backup), Interrupt(4)])
    assert (backup / "checkpoint.npz").is_file()
    again, history = run(X, y, dtype, [cr.callbacks.BackupAndRestore(backup), Interrupt(-1)])
    assert np.array_equal(again.params, whole.params)
    assert history.history == whole_history.history
    assert not backup.exists()          # delete_checkpoint=True: removed at the end, as Keras'


def test_delete_checkpoint_false_keeps_it(tmp_path):
    X, y = data("float64")
    run(X, y, "float64", [cr.callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)])
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["checkpoint.npz", "history.jsonl"]


def test_two_backup_folders_are_refused(tmp_path):
    """Its own refusals, with checkpoint_dir too among them: docs/errors.md's rows (tests/test_keras_callbacks.py)."""
    X, y = data("float64")
    net = cr.Network([cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    with pytest.raises(ValidationError, match=r"^BackupAndRestore\('.*a'\) is fit's checkpoint_dir with resume=True; "
                                              "got another one too: give one checkpoint folder$"):
        net.fit(X, y, callbacks=[cr.callbacks.BackupAndRestore(tmp_path / "a"),
                                 cr.callbacks.BackupAndRestore(tmp_path / "b")], verbose=0)
    assert not list(tmp_path.iterdir())


def test_the_engine_part_given_as_a_callback_is_refused_by_name(tmp_path):
    """The checkpoint module's own class among the callbacks failed after a whole epoch: 'NoneType' object has no
    attribute 'history'."""
    from chainrule.saving.checkpoint import BackupAndRestore
    X, y = data("float64")
    net = cr.Network([cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    with pytest.raises(ValidationError, match="cr.callbacks.BackupAndRestore"):
        net.fit(X, y, callbacks=[BackupAndRestore(tmp_path / "b")], verbose=0)


@pytest.mark.parametrize("verbose", [1, 2])
def test_a_fresh_run_prints_only_keras_progress(tmp_path, capsys, verbose):
    """Keras' callback says nothing when there is no backup yet; with delete_checkpoint that is every ordinary run,
    which printed "chainrule: no checkpoint in ... yet" before its progress. A resumed run still says so."""
    X, y = data("float64")
    net = cr.Network([cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    net.fit(X, y, epochs=2, verbose=verbose, callbacks=[cr.callbacks.BackupAndRestore(tmp_path / "b")])
    assert capsys.readouterr().out.startswith("Epoch 1/2\n")
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y, epochs=2, verbose=verbose, callbacks=[cr.callbacks.BackupAndRestore(tmp_path / "b"),
                                                            Interrupt(1)])
    capsys.readouterr()
    net.fit(X, y, epochs=2, verbose=verbose, callbacks=[cr.callbacks.BackupAndRestore(tmp_path / "b")])
    assert capsys.readouterr().out.startswith("chainrule: resumed from epoch 1 of 2")


def test_refusals_name_backup_dir_not_an_argument_never_given(tmp_path):
    """A run resumed with other arguments, or a folder another run holds, was told to "use another checkpoint_dir",
    an argument of fit this caller never gave."""
    from chainrule.saving import runlock
    X, y = data("float64")
    backup = tmp_path / "b"

    def fit(**kwargs):
        net = cr.Network([cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
        return net.fit(X, y, epochs=3, verbose=0, **kwargs)

    with pytest.raises(KeyboardInterrupt):
        fit(callbacks=[cr.callbacks.BackupAndRestore(backup), Interrupt(1)])
    with pytest.raises(ValidationError, match=r"^cannot resume from .*; what differs: the optimizer .*, or use "
                                              r"another BackupAndRestore\(backup_dir\), or delete") as info:
        fit(callbacks=[cr.callbacks.BackupAndRestore(backup)], optimizer=cr.optim.SGD(0.5))
    assert "checkpoint_dir" not in str(info.value)
    with pytest.raises(ValidationError, match=r"is a file of BackupAndRestore\(backup_dir\) '.*', which fit writes"):
        fit(callbacks=[cr.callbacks.BackupAndRestore(backup), cr.ModelCheckpoint(str(backup / "history.jsonl"))])
    runlock.acquire(backup)               # as another live run holds it
    try:
        with pytest.raises(ValidationError, match=r"^BackupAndRestore\(backup_dir\) '.*' is in use by another "
                                                  r"training run .* Give this run another BackupAndRestore"):
            fit(callbacks=[cr.callbacks.BackupAndRestore(backup)])
        with pytest.raises(ValidationError, match=r"^checkpoint_dir '.*' is in use"):     # fit's own words kept
            fit(checkpoint_dir=backup, resume=True)
    finally:
        runlock.release(backup)
