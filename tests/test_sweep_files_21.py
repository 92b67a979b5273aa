"""The sweep's folder is tried before the fits by writing in it: os.access says yes to root where the file system
refuses (an NFS export squashing root, sysfs), and an hour of fits was lost to the refusal of the last write."""
import errno
import os

import pytest

from chainrule.sweep import run_sweep


def test_a_folder_that_refuses_root_is_refused_before_the_fits(sweep_data, tmp_path, monkeypatch):
    out = tmp_path / "sweep"
    real = os.open

    def refused(path, *args, **kwargs):           # the server's refusal, as root_squash makes it
        if os.path.dirname(os.fspath(path)) in (str(tmp_path), str(out)):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: True)      # root's view of the mode bits
    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(PermissionError, match=rf"Cannot write the sweep's files: {str(tmp_path)!r} is not writable "
                                              r"\(Permission denied\)") as caught:
        run_sweep(sweep_data / "iris.csv", "species", {"hidden": [(2,)]}, out_dir=out, cv=2, epochs=1)
    assert caught.value.filename == str(out) and not out.exists()
