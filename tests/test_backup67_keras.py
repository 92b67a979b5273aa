"""BackupAndRestore against Keras 3.15's: an exception from a callback and fit run again gives the uninterrupted
run (weights, optimizer state, history, epochs), save_freq's batches refused naming Keras' meaning,
double_checkpoint restoring the backup before a damaged one, and clear errors for a damaged backup, a backup_dir
that is a file and a save that fails (the previous backup kept)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError, ValidationError


class Interrupt(cr.callbacks.Callback):
    """Keras' own example: a callback raising at an epoch's beginning (or end)."""

    def __init__(self, at, where="begin"):
        self.at, self.where = at, where

    def on_epoch_begin(self, epoch):
        if self.where == "begin" and epoch == self.at:
            raise RuntimeError("Interrupting!")

    def on_epoch_end(self, epoch, logs):
        if self.where == "end" and epoch == self.at:
            raise RuntimeError("Interrupting!")


def data(dtype="float64"):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(dtype)
    return X, (X @ np.array([1.0, -2.0, 0.5])).astype(dtype)


def network(width=5, dtype="float64"):
    return cr.Network([cr.Dense(3, width, "tanh"), cr.Dense(width, 1)], loss="mse", seed=1, dtype=dtype)


def fit(net, callbacks, optimizer=None, dtype="float64", epochs=6):
    X, y = data(dtype)
    return net.fit(X, y, epochs=epochs, batch_size=8, shuffle=True, seed=3, verbose=0, callbacks=callbacks,
                   optimizer=optimizer if optimizer is not None else cr.optim.Adam(0.01))


def interrupted(backup, at=2, where="begin", **kw):
    net = network(dtype=kw.get("dtype", "float64"))
    with pytest.raises(RuntimeError, match="Interrupting"):
        fit(net, [backup, Interrupt(at, where)], **kw)
    return net


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("where", ["begin", "end"])
@pytest.mark.parametrize("make", [lambda: cr.optim.Adam(0.01), lambda: cr.optim.SGD(0.02, momentum=0.9)])
def test_interrupted_by_a_callback_then_fit_again_is_the_uninterrupted_run(tmp_path, dtype, where, make):
    whole = network(dtype=dtype)
    whole_history = fit(whole, [], make(), dtype)
    backup = cr.callbacks.BackupAndRestore(tmp_path / "b")
    net = interrupted(backup, 3, where, optimizer=make(), dtype=dtype)
    history = fit(net, [backup], make(), dtype)
    assert net.params.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(net.params, whole.params)
    got, want = net.optimizer.state_dict(), whole.optimizer.state_dict()
    assert got["param_groups"] == want["param_groups"] and got["state"].keys() == want["state"].keys()
    for i, slots in want["state"].items():         # Adam's moments and step count, SGD's momentum buffers
        assert got["state"][i].keys() == slots.keys()
        for name, value in slots.items():
            np.testing.assert_array_equal(got["state"][i][name], value)
    assert history.history == whole_history.history and history.epoch == whole_history.epoch == list(range(6))
    assert net.epochs_trained == whole.epochs_trained == 6
    assert not (tmp_path / "b").exists()          # delete_checkpoint=True, Keras' default: rmtree of backup_dir


@pytest.mark.parametrize("freq, keras", [(5, "every 5 batches"), (1, "every batch"),
                                         (False, "save_before_preemption"), ("batch", "a number of batches")])
def test_save_freq_other_than_epoch_is_refused_naming_keras_meaning(tmp_path, freq, keras):
    with pytest.raises(ValidationError, match="save_freq") as err:
        cr.callbacks.BackupAndRestore(tmp_path, save_freq=freq)
    assert keras in str(err.value) and "epoch's end" in str(err.value)


def test_delete_checkpoint_false_keeps_a_backup_that_a_later_fit_resumes_from(tmp_path):
    whole = network()
    fit(whole, [], epochs=6)
    net = network()
    fit(net, [cr.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)], epochs=4)
    assert (tmp_path / "checkpoint.npz").exists()
    fit(net, [cr.callbacks.BackupAndRestore(tmp_path, delete_checkpoint=False)], epochs=6)   # epochs 5 and 6 alone
    np.testing.assert_array_equal(net.params, whole.params)


def damage(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_double_checkpoint_restores_the_backup_before_a_damaged_one(tmp_path):
    whole = network()
    fit(whole, [])
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    net = interrupted(backup, 3)                      # backups of epochs 2 and 3
    assert (tmp_path / "checkpoint.npz.bkp").exists()
    damage(tmp_path / "checkpoint.npz")
    with pytest.warns(UserWarning, match="resumed from the one before"):
        history = fit(net, [backup])                  # from epoch 2, as Keras' goes on from its previous backup
    np.testing.assert_array_equal(net.params, whole.params)
    assert history.epoch == list(range(6)) and not tmp_path.exists()


def test_without_double_checkpoint_the_previous_backup_is_not_kept(tmp_path):
    interrupted(cr.callbacks.BackupAndRestore(tmp_path), 3)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".lock") == ["checkpoint.npz", "history.jsonl"]


@pytest.mark.parametrize("double", [False, True])
def test_a_damaged_backup_is_refused_naming_it_and_how_to_start_over(tmp_path, double):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=double)
    interrupted(backup, 1)                            # a single backup: nothing before it
    damage(tmp_path / "checkpoint.npz")
    with pytest.raises(ModelFileError) as err:
        fit(network(), [backup])
    text = str(err.value)
    assert str(tmp_path / "checkpoint.npz") in text and "BackupAndRestore(backup_dir)" in text
    assert "delete it and history.jsonl" in text
    assert ("double_checkpoint=True" in text) is not double
    assert (tmp_path / "checkpoint.npz").exists()     # never silently replaced by a fresh run


def test_both_backups_damaged_are_refused_naming_the_folder(tmp_path):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    interrupted(backup, 3)
    damage(tmp_path / "checkpoint.npz")
    damage(tmp_path / "checkpoint.npz.bkp")
    with pytest.raises(ModelFileError,
                       match=r"damaged too: .*checkpoint.npz.bkp.*delete both and history.jsonl beside both"):
        fit(network(), [backup])


def test_a_backup_of_another_network_or_optimizer_is_refused_by_name(tmp_path):
    backup = cr.callbacks.BackupAndRestore(tmp_path)
    interrupted(backup, 2)
    with pytest.raises(ValidationError, match="another network"):
        fit(network(width=7), [backup])
    with pytest.raises(ValidationError, match=r"another run; what differs: the optimizer.*BackupAndRestore"):
        fit(network(), [backup], cr.optim.SGD(0.1))


def test_a_backup_dir_that_is_a_file_is_refused_as_such(tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    with pytest.raises(NotADirectoryError, match="BackupAndRestore.backup_dir. is a file, not a folder") as err:
        fit(network(), [cr.callbacks.BackupAndRestore(afile)])
    assert err.value.filename == str(afile) and afile.read_text() == "mine"


def test_a_save_that_fails_keeps_the_previous_backup(tmp_path, monkeypatch):
    whole = network()
    fit(whole, [])
    backup = cr.callbacks.BackupAndRestore(tmp_path)
    saves = []
    real = np.savez

    def savez(f, **arrays):                           # the disk fills up during the third backup
        saves.append(1)
        real(f, **arrays)
        if len(saves) == 3:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", savez)
    with pytest.raises(OSError, match="No space"):
        fit(network(), [backup])
    monkeypatch.setattr(np, "savez", real)
    assert not list(tmp_path.glob(".checkpoint.npz.*"))      # no half-written file left beside it
    net = network()
    fit(net, [backup])                                # from the backup of epoch 2
    np.testing.assert_array_equal(net.params, whole.params)
