"""Numbers with a decimal comma and thousands separators (1.234,5; 1 234,5) read with one of their two marks given
already (--decimal ',' on the command line, or a model trained with it) were told to give both again: the advice
names only the mark missing, and following it reads the file (train, train --stream, predict)."""
import shlex

import pytest
from conftest import cmd


def _file(path, middle):
    """Column b's numbers write `middle` between thousands and a decimal comma; a is whole numbers."""
    path.write_text("a;b;y\n" + "".join(f"{i};1{middle}{100 + i},25;{i % 2}\n" for i in range(1, 31)))
    return path


def _advice(stderr: str) -> list[str]:
    """The options the error's advice gives ("...: give --thousands '.' too")."""
    line = stderr.strip().splitlines()[-1]
    assert ": give --" in line, line
    words = shlex.split(line.rsplit(": give ", 1)[1])
    return [w for w in words if w != "too"]


CASES = [(".", ["--decimal", ","], ["--thousands", "."]),
         (" ", ["--decimal", ","], ["--thousands", " "]),
         (" ", ["--thousands", " "], ["--decimal", ","])]


@pytest.mark.parametrize("stream", [(), ("--stream",)])
@pytest.mark.parametrize("middle, given, missing", CASES)
def test_train_is_told_only_the_mark_it_lacks(tmp_path, middle, given, missing, stream):
    path = _file(tmp_path / "f.csv", middle)
    train = ["train", path, "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *stream]
    done = cmd(*train, *given)
    assert done.returncode == 2, done.stderr
    assert _advice(done.stderr) == missing, done.stderr
    assert cmd(*train, *given, *missing).returncode == 0          # the advice followed reads the file


@pytest.mark.parametrize("middle", [".", " "])
def test_predict_with_a_model_of_decimal_commas_is_told_only_the_thousands(tmp_path, middle):
    plain = tmp_path / "plain.csv"
    plain.write_text("a;b;y\n" + "".join(f"{i};{100 + i},25;{i % 2}\n" for i in range(1, 31)))
    assert cmd("train", plain, "--target", "y", "--decimal", ",", "--epochs", "1", "--out",
               tmp_path / "m.npz").returncode == 0
    path = _file(tmp_path / "f.csv", middle)
    done = cmd("predict", tmp_path / "m.npz", path)
    assert done.returncode == 2, done.stderr
    missing = _advice(done.stderr)
    assert missing == ["--thousands", middle], done.stderr
    assert cmd("predict", tmp_path / "m.npz", path, *missing).returncode == 0
