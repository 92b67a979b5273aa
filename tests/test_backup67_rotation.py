"""BackupAndRestore's double_checkpoint and a damaged backup, as a user meets them: the message about a damaged
backup reads as one (what it is, why it cannot be read, how to start over), a damaged backup before it never
replaces the last one, and a copy to the backup before that fails leaves nothing beside them."""
import os

import numpy as np
import pytest
from conftest import InterruptAt

import chainrule as cr
from chainrule.errors import ModelFileError


def network():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=1)


def fit(net, callbacks, epochs=5):
    X = np.random.default_rng(0).normal(size=(40, 3))
    return net.fit(X, X @ np.array([1.0, -2.0, 0.5]), epochs=epochs, batch_size=8, seed=3, verbose=0,
                   callbacks=callbacks, optimizer=cr.optim.Adam(0.01))


def interrupted(backup, at=3):
    with pytest.raises(RuntimeError, match="Interrupting"):
        fit(network(), [backup, InterruptAt(at)])


def damage(path):
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize("double", [False, True])
def test_a_damaged_backup_is_said_in_one_message_without_advice_to_copy_it_again(tmp_path, double):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=double)
    interrupted(backup, 1)
    damage(tmp_path / "checkpoint.npz")
    with pytest.raises(ModelFileError) as err:
        fit(network(), [backup])
    text = str(err.value)
    assert text.startswith(f"BackupAndRestore(backup_dir) {str(tmp_path)!r} holds a damaged checkpoint: ")
    assert "copy or save it again" not in text and ". It is the checkpoint" not in text
    assert str(tmp_path / "checkpoint.npz") in text and "cut short" in text and "delete it and history.jsonl" in text


def test_a_damaged_checkpoint_in_fit_checkpoint_dir_is_said_alike(tmp_path):
    network().fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0,
                   checkpoint_dir=tmp_path)
    damage(tmp_path / "checkpoint.npz")
    with pytest.raises(ModelFileError) as err:
        network().fit(np.ones((8, 3)), np.ones(8), epochs=3, verbose=0, checkpoint_dir=tmp_path, resume=True)
    text = str(err.value)
    assert text.startswith(f"checkpoint_dir {str(tmp_path)!r} holds a damaged checkpoint: ")
    assert "copy or save it again" not in text and "double_checkpoint" not in text


def test_a_damaged_backup_before_is_not_copied_over_the_last(tmp_path):
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    interrupted(backup)
    damage(tmp_path / "checkpoint.npz")
    damage(tmp_path / "checkpoint.npz.bkp")
    last = (tmp_path / "checkpoint.npz").read_bytes()
    with pytest.raises(ModelFileError) as err:
        fit(network(), [backup])
    text = str(err.value)
    assert (tmp_path / "checkpoint.npz").read_bytes() == last      # the user's to look at, as it was
    assert str(tmp_path / "checkpoint.npz.bkp") in text and "damaged too" in text


def test_a_copy_to_the_backup_before_that_fails_leaves_nothing_beside_and_the_last_resumes(tmp_path, monkeypatch):
    whole = network()
    fit(whole, [])
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    real, calls = os.replace, []

    def replace(src, dst, *args, **kwargs):        # the rename of the second copy to the backup before fails
        if str(dst).endswith(".bkp"):
            calls.append(dst)
            if len(calls) == 2:
                raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        fit(network(), [backup])
    monkeypatch.setattr(os, "replace", real)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".lock") == [
        "checkpoint.npz", "checkpoint.npz.bkp", "history.jsonl"]
    net = network()
    fit(net, [backup])
    np.testing.assert_array_equal(net.params, whole.params)


def test_a_damaged_checkpoint_that_a_new_run_would_replace_is_said_in_one_message(tmp_path):
    network().fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0, checkpoint_dir=tmp_path)
    damage(tmp_path / "checkpoint.npz")
    with pytest.raises(ModelFileError, match="cut short") as err:
        network().fit(np.ones((8, 3)), np.ones(8), epochs=3, verbose=0, checkpoint_dir=tmp_path)
    assert "copy or save it again" not in str(err.value) and "to start afresh, delete" in str(err.value)
