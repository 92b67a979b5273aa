"""A subclass of a callback whose batch hook fit may skip (the progress bar; ModelCheckpoint saving once an epoch)
that adds batch hooks of its own reads each batch's logs: the compiled epoch, which calls no batch hook, must not
run for it. Truth: the NumPy loop's batch losses, the reference, to the last bit."""
import pytest
from mpi70_job import data, network, reading

import chainrule as cr
from chainrule.backend import kernels


def losses(base, args, enabled, monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    cb = reading(base)(*args)
    X, y = data()
    network().fit(X, y, epochs=2, batch_size=10, seed=1, verbose=0, callbacks=[cb])
    return [*cb.losses, cb.begun]


@pytest.mark.parametrize("which", ["ProgressBar", "ModelCheckpoint"])
def test_a_subclass_with_its_own_batch_hooks_gets_every_batch_on_the_compiled_path(tmp_path, monkeypatch, which):
    pytest.importorskip("numba")
    base = getattr(cr.callbacks, which)
    args = () if which == "ProgressBar" else (str(tmp_path / "m.npz"),)
    reference = losses(base, args, False, monkeypatch)
    assert len(reference) == 2 * 4 + 1 and reference[-1] == 8, reference
    assert losses(base, args, True, monkeypatch) == reference


@pytest.mark.parametrize("which", ["ProgressBar", "ModelCheckpoint"])
def test_the_plain_callback_still_lets_the_compiled_epoch_run(tmp_path, which):
    cb = cr.callbacks.ProgressBar() if which == "ProgressBar" else cr.callbacks.ModelCheckpoint(str(tmp_path / "m.npz"))
    assert cb.per_batch_optional
    assert not cr.callbacks.ModelCheckpoint(str(tmp_path / "m.npz"), save_freq=2).per_batch_optional
