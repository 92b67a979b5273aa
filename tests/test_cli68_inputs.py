"""What predict, evaluate, train and info say of their inputs: JSON text piped in is named as a JSON file is (not
"a pipe", nor a CSV header of JSON keys), resume names the run's CSV file whole, and info says a model's class
weights as train's --class-weight reads them, labels as the file writes them."""
import json

import numpy as np
import pandas as pd
import pytest
from conftest import cli, cmd

JSON_WORDS = "is JSON text, not CSV text: write it as CSV with pandas: pandas.read_json(path)"


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    """A small classifier and its data, as CSV and as pandas' JSON records."""
    root = tmp_path_factory.mktemp("iris")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    d = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": np.where(X[:, 0] > 0, "yes", "no")})
    d.to_csv(root / "d.csv", index=False)
    (root / "d.json").write_text(d.to_json(orient="records"))
    assert cmd("train", "d.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--quiet",
               cwd=root).returncode == 0
    return root


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_json_piped_to_predict_is_named_json(iris, command):
    """`cat x.json | chainrule predict m.npz /dev/stdin`: the JSON file's refusal (it said "is a pipe", after a
    look at its head had emptied it), so that saving it to a file is not the next wrong step."""
    text = (iris / "d.json").read_text()
    assert json.loads(text)                                  # real JSON records
    run = cli(command, "m.npz", "/dev/stdin", cwd=iris, stdin=text)
    assert run.returncode == 2
    assert run.stderr.strip().endswith(f"'/dev/stdin' {JSON_WORDS}.to_csv(new_path, index=False) (a list of "
                                       "records, one object a row; lines=True for JSON Lines, one object a line)"), \
        run.stderr


def test_json_piped_as_dash_says_it_is_json(iris):
    """`-` is not a name for standard input (docs/tabular.md): its refusal also says the piped text is JSON."""
    run = cli("predict", "m.npz", "-", cwd=iris, stdin=(iris / "d.json").read_text())
    assert run.returncode == 2
    assert "standard input is not read as '-'" in run.stderr
    assert "(it holds JSON text: write it as CSV with pandas: pandas.read_json(path)" in run.stderr, run.stderr
    csv = cli("predict", "m.npz", "-", cwd=iris, stdin=(iris / "d.csv").read_text())     # CSV piped: no JSON words
    assert "standard input is not read as '-'" in csv.stderr and "JSON" not in csv.stderr


def test_json_lines_piped_to_train_is_named_json(iris):
    """train reads /dev/stdin whole: JSON Lines piped in were read as a CSV header of JSON keys ("the column name
    ... appears twice"); now JSON's refusal, with lines=True."""
    d = pd.read_csv(iris / "d.csv")
    run = cli("train", "/dev/stdin", "--target", "y", "--out", "t.npz", cwd=iris,
              stdin=d.to_json(orient="records", lines=True))
    assert run.returncode == 2
    assert f"'/dev/stdin' {JSON_WORDS[:-1]}, lines=True).to_csv(new_path, index=False)" in run.stderr, run.stderr


def test_csv_piped_to_train_still_trains(iris):
    """CSV text that starts with a brace-free header is read as before."""
    run = cli("train", "/dev/stdin", "--target", "y", "--epochs", "1", "--out", "t2.npz", "--quiet", cwd=iris,
              stdin=(iris / "d.csv").read_text())
    assert run.returncode == 0, run.stderr


def test_resume_names_a_long_csv_path_whole(tmp_path):
    """A resumed run on another file named it cut at 40 characters ('.../a_long_fold...'): whole, quoted."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    pd.DataFrame({"a": a, "b": b, "y": (a > 0).astype(int)}).to_csv(tmp_path / "t.csv", index=False)
    other = tmp_path / ("measurements_of_the_second_site_in_2024" * 2 + ".csv")
    pd.DataFrame({"a": a, "c": b, "y": (a > 0).astype(int)}).to_csv(other, index=False)
    run = ["--target", "y", "--checkpoint-dir", "ck", "--out", "m.npz"]
    assert cmd("train", "t.csv", *run, "--epochs", "1", cwd=tmp_path).returncode == 0
    again = cmd("train", other.name, *run, "--epochs", "2", "--resume", cwd=tmp_path)
    assert again.returncode == 2
    assert f"this run's {other.name!r} has no ['b']" in again.stderr, again.stderr


@pytest.mark.parametrize("weights", ["yes=3,no=0.5", '"x, y"=2,no=1', "-1=2,1=1"])
def test_info_says_class_weights_as_train_reads_them(tmp_path, weights):
    """info said "--class-weight 'yes' 3, 'no' 0.5": quotes the file does not have and a form train refuses.
    Its words now give train the same weights back (the weights each class trained with, read by info again)."""
    import shlex
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    labels = {"yes=3,no=0.5": ("yes", "no"), '"x, y"=2,no=1': ("x, y", "no"), "-1=2,1=1": (-1, 1)}[weights]
    y = np.where(X[:, 0] > 0, labels[0], labels[1])
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y}).to_csv(tmp_path / "d.csv", index=False)
    first = cmd("train", "d.csv", "--target", "y", f"--class-weight={weights}", "--epochs", "1", "--quiet",
                "--out", "m.npz", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    line = next(s for s in cmd("info", "m.npz", cwd=tmp_path).stdout.splitlines() if "--class-weight" in s)
    said = line.split("trained with ", 1)[1].split(" (a class not named", 1)[0]
    assert "'yes'" not in said and "'-1'" not in said
    again = cmd("train", "d.csv", "--target", "y", *shlex.split(said), "--epochs", "1", "--quiet",
                "--out", "m2.npz", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    line2 = next(s for s in cmd("info", "m2.npz", cwd=tmp_path).stdout.splitlines() if "--class-weight" in s)
    assert line2 == line


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_dash_with_a_silent_pipe_waits_once(iris, command, monkeypatch, capsys):
    """`-` with standard input a pipe left open that carries nothing: the look for JSON text in it waits (a second)
    once, not once for each time the command opens '-' (its separator sniffed, then its lines checked). The wait is
    counted, not timed: each select on standard input with a timeout answers at once that nothing came."""
    import os
    import select

    from chainrule.cli import main
    read, write = os.pipe()
    waits = []

    def nothing_came(r, w, x, timeout=None):
        waits.append(timeout)
        return [], [], []
    monkeypatch.setattr(select, "select", nothing_came)
    monkeypatch.chdir(iris)
    with open(read) as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        try:
            code = main([command, "m.npz", "-"])
        except SystemExit as stop:
            code = stop.code
        finally:
            os.close(write)
    assert code == 2
    assert "standard input is not read as '-'" in capsys.readouterr().err
    assert len(waits) == 1, waits


@pytest.mark.parametrize("indent", [0, 2])
def test_a_json_array_piped_is_not_told_lines(iris, indent):
    """A JSON array of records printed one key a line (json.dumps(indent=0)) has lines that open with '{': it is
    not JSON Lines, and the pandas line given for it reads it (lines=True could not)."""
    records = pd.read_csv(iris / "d.csv").to_dict("records")
    text = json.dumps(records, indent=indent)
    run = cli("train", "/dev/stdin", "--target", "y", "--out", "t3.npz", cwd=iris, stdin=text)
    assert run.returncode == 2
    said = run.stderr.strip()
    assert f"'/dev/stdin' {JSON_WORDS}.to_csv(new_path, index=False)" in said, said
    (iris / f"a{indent}.json").write_text(text)
    assert len(pd.read_json(iris / f"a{indent}.json")) == len(records)      # the advice's line reads it


@pytest.mark.parametrize("labels", [("-x'y", "no"), ("-a", "b c"), ("a=b", 'q"t'), ("café", "-1.5")])
def test_info_class_weights_of_labels_that_need_quotes_paste_back(tmp_path, labels):
    """A label opening with '-' that the shell must quote ("-x'y"): info's words kept the space form, which argparse
    reads as an option once the shell took the quotes off; labels holding '=', quotes, spaces, non-ASCII letters
    come back as trained too (info reads the weights of the second model as of the first)."""
    import csv
    import io
    import shlex
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2))
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": np.where(X[:, 0] > 0, *labels)}).to_csv(tmp_path / "d.csv",
                                                                                          index=False)
    given = io.StringIO()
    csv.writer(given, lineterminator="").writerow([f"{labels[0]}=2", f"{labels[1]}=0.5"])
    first = cmd("train", "d.csv", "--target", "y", f"--class-weight={given.getvalue()}", "--epochs", "1", "--quiet",
                "--out", "m.npz", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    line = next(s for s in cmd("info", "m.npz", cwd=tmp_path).stdout.splitlines() if "--class-weight" in s)
    said = line.split("trained with ", 1)[1].split(" (a class not named", 1)[0]
    again = cmd("train", "d.csv", "--target", "y", *shlex.split(said), "--epochs", "1", "--quiet",
                "--out", "m2.npz", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert next(s for s in cmd("info", "m2.npz", cwd=tmp_path).stdout.splitlines() if "--class-weight" in s) == line
