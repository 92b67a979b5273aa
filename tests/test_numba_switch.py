"""CHAINRULE_NUMBA, the switch of the compiled kernels: 0, 1 or auto (unset). Any other value was
read as auto without a word, so CHAINRULE_NUMBA=off loaded Numba's kernels: now the first job that
asks for the kernels raises an error that names the variable; importing chainrule still works."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_cli_csv import error_line

FIT = """
import numpy as np, chainrule as cr
X = np.random.default_rng(0).normal(size=(64, 3))
net = cr.Network([cr.Dense(3, 8, 'relu'), cr.Dense(8, 1)], loss='mse', seed=0)
try:
    net.fit(X, X[:, :1].copy(), epochs=2, batch_size=8, optimizer=cr.optim.Adam(), verbose=0)
    print('trained')
except ValueError as exc:
    print(type(exc).__name__, exc)
"""
EXPECTED = ("CHAINRULE_NUMBA must be 0 (NumPy only), 1 (always the compiled kernels) or auto (the default: the "
            "kernels when they are compiled and the job is long enough); got ")


def run(args: list[str], value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    if value is not None:
        env["CHAINRULE_NUMBA"] = value
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.parametrize("value", ["off", "true", "2", "no"])
def test_an_unknown_value_is_an_error_at_the_first_fit(value):
    done = run(["-c", FIT], value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ValueError {EXPECTED}{value!r}"


def test_the_command_line_names_the_variable(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{i % 2}\n" for i in range(40)))
    done = run(["-m", "chainrule.cli", "train", str(csv), "--target", "y", "--epochs", "2", "--quiet",
                "--out", str(tmp_path / "m.npz")], "off")
    assert done.returncode == 2
    assert error_line(done) == f"chainrule: error: {EXPECTED}'off'"
    assert not (tmp_path / "m.npz").exists()
    compiling = run(["-m", "chainrule.cli", "compile"], "yes")
    if "Numba" not in compiling.stderr:             # without the [fast] extra the command says that first
        assert compiling.returncode == 2 and error_line(compiling) == f"chainrule: error: {EXPECTED}'yes'"


def test_commands_that_train_nothing_still_work():
    done = run(["-m", "chainrule.cli", "explain"], "off")
    assert done.returncode == 0, done.stderr
    assert "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109" in done.stdout     # the seed's line


@pytest.mark.parametrize("value, enabled", [(None, "auto"), ("", "auto"), (" AUTO ", "auto"), ("0", False),
                                            (" 1 ", True)])
def test_the_known_values(value, enabled):
    done = run(["-c", "from chainrule.backend import kernels; print(repr(kernels.ENABLED), kernels.AVAILABLE)"],
               value)
    shown, available = done.stdout.split()
    assert shown == repr(enabled if available == "True" else False)
    assert run(["-c", FIT], value).stdout.strip() == "trained"
