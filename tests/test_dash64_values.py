"""Option values that start with '-' but are no plain negative number (`--inputs -0.1,0.2`, `--targets "-1;1"`,
`--class-weight -1=2`, `--na-values -999,NA`): argparse reads them as options and said only "argument --inputs:
expected one argument". The error now gives the form that works, `--inputs=...` quoted for the shell, and each
test runs that form."""
import json
import re
import shlex

import numpy as np
import pytest
from conftest import cmd

HINT = re.compile(r"\(a value starting with '-' is read as an option: give it as (.+)\)$")


def advised(argv: list[str], option: str) -> list[str]:
    """`argv` with `option` and its value replaced by the form the refusal of `argv` gives."""
    r = cmd(*argv)
    last = r.stderr.splitlines()[-1]
    assert r.returncode == 2 and last.startswith(f"chainrule {argv[0]}: error: argument {option}: expected one "
                                                 "argument"), r.stderr
    found = HINT.search(last)
    assert found, last
    k = argv.index(option)
    form = shlex.split(found.group(1))
    assert form == [f"{option}={argv[k + 1]}"]
    return argv[:k] + form + argv[k + 2:]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_explains_inputs_and_targets_starting_with_a_minus(tmp_path):
    """Two samples, the first input and target negative: the advised forms explain them, the values printed as
    given."""
    argv = ["explain", "--layers", "2,2,1", "--inputs", "-0.1,0.2;0.5,0.3", "--targets", "-1;1"]
    argv = advised(argv, "--inputs")
    argv = advised(argv, "--targets")
    r = cmd(*argv, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "i1 = [-0.1, 0.5], i2 = [0.2, 0.3]" in r.stdout
    assert "(target [-1, 1])" in r.stdout


def test_explains_with_a_weights_file_named_with_a_minus(tmp_path):
    """--weights of a file whose name starts with '-': the advised form reads it; the output is the network's of
    those weights, computed here with NumPy."""
    W1, b1, W2, b2 = np.array([[0.5, -1.0], [0.25, 2.0]]), np.array([0.1, -0.2]), np.array([[1.5], [-0.5]]), [0.3]
    (tmp_path / "-w.json").write_text(json.dumps([W1.tolist(), b1.tolist(), W2.tolist(), b2]))
    argv = advised(["explain", "--layers", "2,2,1", "--weights", "-w.json", "--inputs", "1,2", "--targets", "1"],
                   "--weights")
    r = cmd(*argv, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = sigmoid(sigmoid(np.array([1.0, 2.0]) @ W1 + b1) @ W2 + b2)[0]
    printed = re.search(r"^  out_o1 = .* = (\S+)$", r.stdout, re.M)
    assert printed and float(printed.group(1)) == pytest.approx(out, abs=1e-9)


@pytest.fixture
def signed_csv(tmp_path):
    """Classes -1 and 1, and one cell -999 (a missing-value marker); the same file with that cell empty."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = np.where(X[:, 0] > 0, 1, -1)
    rows = [[f"{a}", f"{b}", f"{c}"] for (a, b), c in zip(X, y)]
    rows[3][1] = "-999"
    (tmp_path / "pm.csv").write_text("a,b,y\n" + "".join(",".join(r) + "\n" for r in rows))
    rows[3][1] = ""
    (tmp_path / "blank.csv").write_text("a,b,y\n" + "".join(",".join(r) + "\n" for r in rows))
    return tmp_path


def test_trains_with_class_weights_of_negative_labels(signed_csv):
    argv = advised(["train", "pm.csv", "--target", "y", "--class-weight", "-1=2,1=1", "--epochs", "1", "--quiet",
                    "--out", "m.npz"], "--class-weight")
    assert cmd(*argv, cwd=signed_csv).returncode == 0
    info = cmd("info", "m.npz", cwd=signed_csv)
    assert "classes [-1, 1]" in info.stdout and "--class-weight=-1=2,1=1" in info.stdout


def test_trains_with_missing_value_markers_starting_with_a_minus(signed_csv):
    """-999 read as missing: the fill values are those of the file with the cell left empty."""
    argv = advised(["train", "pm.csv", "--target", "y", "--na-values", "-999,NA", "--impute", "mean", "--epochs", "1",
                    "--quiet", "--out", "m.npz"], "--na-values")
    assert cmd(*argv, cwd=signed_csv).returncode == 0
    blank = ["train", "blank.csv", "--target", "y", "--impute", "mean", "--epochs", "1", "--quiet", "--out", "b.npz"]
    assert cmd(*blank, cwd=signed_csv).returncode == 0
    filled = [[line for line in cmd("info", m, cwd=signed_csv).stdout.splitlines() if line.startswith("missing")]
              for m in ("m.npz", "b.npz")]
    assert filled[0] == filled[1] and len(filled[0]) == 1


def test_the_form_is_advised_for_values_only():
    """An option, or one misspelt, after --inputs: its value is missing, no '=' form is advised; a value is given
    one, in a terminal's lines too (quoted: the shell would split at ';')."""
    for after in (["--targets", "1"], ["--targ", "1"], ["-targ", "1"]):
        r = cmd("explain", "--layers", "2,2,1", "--inputs", *after)
        last = r.stderr.splitlines()[-1]
        assert r.returncode == 2 and "--inputs: expected one argument (" in last and not HINT.search(last), after
    r = cmd("explain", "--layers", "2,2,1", "--lr", "-1e-3")
    assert HINT.search(r.stderr.splitlines()[-1]).group(1) == "--lr=-1e-3"
    r = cmd("explain", "--layers", "2,2,1", "--inputs", "-1;2")
    assert HINT.search(r.stderr.splitlines()[-1]).group(1) == "'--inputs=-1;2'"
