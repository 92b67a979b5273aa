"""What `chainrule demo` says of its timing: which path chainrule's fit took (the compiled kernels or NumPy, and
why), and that the README's speed table times the compiled kernels warmed up. A new user's `make demo` installs
no Numba, so the demo ran on NumPy at about 2x scikit-learn where the README says 6.9-10.7x, and said nothing."""
import re

import pytest
from conftest import cmd

import chainrule as cr
from chainrule.backend import kernels


@pytest.mark.parametrize("available, enabled, said", [
    (False, False, "on NumPy: Numba, the optional 'fast' extra, is not installed"),
    (True, False, "on NumPy, as CHAINRULE_NUMBA=0 asks"),
    (True, "auto", "on NumPy: a job this short is done before the compiled kernels would load")])
def test_the_demo_names_the_path_its_fit_took_and_what_the_readme_times(monkeypatch, available, enabled, said):
    """As kernels.py sets these from the environment (Numba installed or not, CHAINRULE_NUMBA=0, unset), with
    Numba not loaded in this process yet, as in a new `chainrule demo` process."""
    monkeypatch.setattr(kernels, "AVAILABLE", available)
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    monkeypatch.setattr(kernels, "numba", None)
    r = cmd("demo", "--no-example", "--epochs", "1")
    assert r.returncode == 0, r.stderr
    assert kernels.numba is None              # the fit ran on NumPy: it never loaded Numba
    assert re.search(rf"(as fast as scikit-learn|scikit-learn's training time) here, {re.escape(said)}", r.stdout), (
        r.stdout[-800:])
    assert "The README's speed table (`make bench`) times the compiled kernels, warmed up first" in r.stdout


def test_with_CHAINRULE_NUMBA_1_the_kernels_are_warmed_up_before_the_timed_fit(monkeypatch):
    """With CHAINRULE_NUMBA=1 the timed fit loaded Numba's compiled loop from its cache (0.7-1.4 s on a
    2-core machine, the 40 epochs' training 0.05-0.1 s): the demo printed chainrule slower than
    scikit-learn where the README, warming every framework up first, measures about 10x faster."""
    fits = []
    plain_fit = cr.Network.fit

    def recorded(self, X, Y=None, **kw):
        fits.append((len(X), kw["epochs"], kw["verbose"]))
        return plain_fit(self, X, Y, **kw)
    monkeypatch.setattr(cr.Network, "fit", recorded)
    if not kernels.AVAILABLE:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(kernels, "ENABLED", True)
    monkeypatch.setattr(kernels, "load", lambda force=False: False)    # no minute of compiling here: NumPy runs
    r = cmd("demo", "--no-example", "--epochs", "2")
    assert r.returncode == 0, r.stderr
    assert fits[0][1:] == (1, 0) and fits[0][0] < 1347 and fits[1] == (1347, 2, 2), fits
    assert "Warmed up the compiled kernels first, as CHAINRULE_NUMBA=1 asks" in r.stdout
    assert "outside the training time below" in r.stdout
