"""What a sweep on a scheduler can refuse without the file (Dask missing, a bad CHAINRULE_DASK_WAIT, an address not
of Dask's form) is refused before the file is read: these were said only after the CSV was read and its folds cut,
so that a mistyped target (or any error of the file) hid them."""
import sys

import pytest

pytest.importorskip("distributed")
from conftest import cmd  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def test_a_bad_dask_wait_is_said_before_the_target_is_looked_for(sweep_data, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DASK_WAIT", "0")
    r = cmd("sweep", sweep_data / "iris.csv", "--target", "nope", "--grid", "hidden=4",
            "--scheduler", "tcp://127.0.0.1:1")
    assert r.returncode != 0
    assert "CHAINRULE_DASK_WAIT must be a number of seconds above 0 (or inf); got '0'" in r.stderr, r.stderr
    assert "nope" not in r.stderr, r.stderr


@pytest.mark.parametrize("address, said", [("tcp://127.0.0.1:port", "is not one such as tcp://host:8786"),
                                           ("tls://127.0.0.1:1", "uses TLS, which needs Dask's")])
def test_an_address_not_of_dasks_form_is_said_before_the_file_is_read(tmp_path, address, said):
    with pytest.raises(ValidationError, match=said):       # the file is not there: it was never opened
        run_sweep(tmp_path / "absent.csv", "nope", "hidden=4", scheduler=address, cv=2, epochs=1)


def test_dask_missing_is_said_before_the_file_is_read(tmp_path, monkeypatch):
    for loaded in [m for m in sys.modules if m == "distributed" or m.startswith("distributed.")]:
        monkeypatch.delitem(sys.modules, loaded)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match="^--scheduler needs dask: pip install"):
        run_sweep(tmp_path / "absent.csv", "nope", "hidden=4", scheduler="tcp://127.0.0.1:1", cv=2, epochs=1)
