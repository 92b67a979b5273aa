"""Reading tables and naming their rows: advice in the caller's words, lines listed in file order,
file_lines' contract; a checkpoint folder's lock recorded as held the moment it exists."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.saving import runlock


def test_a_ctrl_c_just_after_the_checkpoint_lock_exists_leaves_no_lock(tmp_path, monkeypatch):
    # the interruption comes after the lock file exists and before fit's code after acquire runs
    real = runlock.acquire

    def interrupted(directory, *args, **kwargs):
        real(directory, *args, **kwargs)
        assert (directory / runlock.LOCKNAME).exists()
        raise KeyboardInterrupt
    monkeypatch.setattr(runlock, "acquire", interrupted)
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="mse")
    X = np.zeros((4, 2))
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")
    assert not (tmp_path / "ck" / runlock.LOCKNAME).exists()
    monkeypatch.setattr(runlock, "acquire", real)
    net.fit(X, X, epochs=1, verbose=0, checkpoint_dir=tmp_path / "ck")       # the folder is free again
