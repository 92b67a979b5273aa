"""`main` run inside a program (a notebook, a script, the tests' `cmd`) leaves the program's warning
machinery as it found it: it set its one-line form before entering `catch_warnings`, which then put
that form back on the way out, so every later warning of the program printed as 'chainrule: warning:'."""
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conftest import cmd  # noqa: E402

import chainrule as cr  # noqa: E402


def test_main_leaves_the_callers_warning_display_and_filters_as_they_were(tmp_path):
    model = tmp_path / "seed.npz"
    cr.save(cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", seed=0), model)
    before = warnings.showwarning, list(warnings.filters)
    for args in (("info", model), ("info", tmp_path / "missing.npz"), ("train", tmp_path / "none.csv", "--target",
                                                                        "y"), ("--version",)):
        r = cmd(*args)
        assert (warnings.showwarning, list(warnings.filters)) == before, (args, r.returncode)
    assert cmd("info", tmp_path / "missing.npz").returncode == 2          # the failing commands did fail
