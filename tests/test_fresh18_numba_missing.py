"""CHAINRULE_NUMBA=1 ("always the compiled kernels") where Numba is not installed trained on NumPy
without a word: a benchmark or a server set up for the kernels ran the reference loop unknowingly.
The job that would use them now says what to install (exit 5, as any missing optional part)."""
import subprocess
import sys

import numpy as np

CODE = """
import sys
sys.modules["numba"] = None                  # as where Numba is not installed: find_spec says None
{body}
"""


def run(body: str, env_mode: str, tmp_path):
    import os
    env = {**os.environ, "CHAINRULE_NUMBA": env_mode}
    return subprocess.run([sys.executable, "-c", CODE.format(body=body)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)


FIT = """
import numpy as np, chainrule as cr
net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 1)], loss="mse", seed=0)
net.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=2, verbose=0)
print(net.params.tolist())
"""


def test_always_the_kernels_without_numba_is_an_error_naming_it(tmp_path):
    r = run(FIT, "1", tmp_path)
    assert r.returncode == 1 and "ModuleNotFoundError: CHAINRULE_NUMBA=1 asks for the compiled kernels, which " \
                                 "need numba" in r.stderr, r.stderr
    np.savetxt(tmp_path / "d.csv", np.c_[np.arange(20.0), np.arange(20.0) % 2], delimiter=",", header="x,y",
               comments="", fmt="%g")
    r = run("from chainrule.cli import main; sys.exit(main(['train', 'd.csv', '--target', 'y', '--epochs', '1', "
            "'--quiet', '--out', 'm.npz']))", "1", tmp_path)
    assert r.returncode == 5 and "numba: pip install 'numba" in r.stderr, r.stderr


def test_without_numba_the_default_and_0_train_on_numpy(tmp_path):
    got = [run(FIT, mode, tmp_path) for mode in ("auto", "0")]
    assert [r.returncode for r in got] == [0, 0], [r.stderr for r in got]
    assert got[0].stdout == got[1].stdout and got[0].stderr == got[1].stderr == ""
    # the import itself works with CHAINRULE_NUMBA=1 and no Numba: nothing trains
    assert run("import chainrule; print('imported')", "1", tmp_path).stdout == "imported\n"
