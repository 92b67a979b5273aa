"""A file of another library (or np.savez data) named checkpoint.npz in a checkpoint folder was called a damaged
checkpoint, with advice to delete the user's file; with double_checkpoint it was replaced by the checkpoint before."""
import numpy as np
import pytest
import torch
from conftest import InterruptAt

import chainrule as cr
from chainrule.errors import ModelFileError


def torch_file(path):
    torch.save({"0.weight": torch.zeros(3, 2)}, path)


def savez_file(path):
    with open(path, "wb") as f:
        np.savez(f, a=np.zeros(3))


def fit(directory, resume):
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    net.fit(np.ones((8, 3)), np.ones(8), epochs=2, verbose=0, checkpoint_dir=directory, resume=resume)


@pytest.mark.parametrize("write, said", [(torch_file, "it is a PyTorch file"), (savez_file, "np.savez")],
                         ids=["torch", "savez"])
@pytest.mark.parametrize("resume", [True, False])
def test_another_librarys_file_in_the_checkpoints_place_is_named_and_never_to_delete(tmp_path, write, said, resume):
    path = tmp_path / "checkpoint.npz"
    write(path)
    kept = path.read_bytes()
    with pytest.raises(ModelFileError) as info:
        fit(tmp_path, resume)
    message = str(info.value)
    assert message.startswith(f"checkpoint_dir {str(tmp_path)!r} holds a file chainrule did not write under the "
                              f"checkpoint's name: {str(path)!r} is not a chainrule model file"), message
    assert said in message and message.endswith("move it elsewhere, or use another checkpoint_dir"), message
    assert "damaged" not in message and "delete" not in message, message
    assert path.read_bytes() == kept


def test_another_librarys_file_is_not_replaced_by_the_checkpoint_before(tmp_path):
    """With double_checkpoint the one before replaced an unreadable last: never a file that is not chainrule's."""
    backup = cr.callbacks.BackupAndRestore(tmp_path, double_checkpoint=True)
    X = np.random.default_rng(0).normal(size=(16, 3))
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    with pytest.raises(RuntimeError, match="Interrupting"):
        net.fit(X, X.sum(1), epochs=5, verbose=0, callbacks=[backup, InterruptAt(3)])
    assert (tmp_path / "checkpoint.npz.bkp").exists()
    torch_file(tmp_path / "checkpoint.npz")
    kept = (tmp_path / "checkpoint.npz").read_bytes()
    with pytest.raises(ModelFileError, match="holds a file chainrule did not write under the checkpoint's name"):
        net.fit(X, X.sum(1), epochs=5, verbose=0, callbacks=[backup])
    assert (tmp_path / "checkpoint.npz").read_bytes() == kept


def test_a_model_file_in_the_checkpoints_place_is_not_advised_deleted(tmp_path):
    cr.Network([cr.Dense(3, 1)], loss="mse", seed=0).save(tmp_path / "checkpoint.npz")
    with pytest.raises(ModelFileError) as info:
        fit(tmp_path, False)
    assert str(info.value) == (f"{str(tmp_path / 'checkpoint.npz')!r} is a model file, not a training checkpoint: a "
                               "new run would overwrite it; move it elsewhere, or use another checkpoint_dir")
