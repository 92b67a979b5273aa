"""What the commands print fits the terminal a user has: one rule for every command (the terminal's width,
COLUMNS where set, as --help reads it; in a pipe or a file every line whole, for grep and scripts)."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import cli_in_process, cmd

from chainrule.cli import build_parser


def terminal(monkeypatch, columns: int) -> None:
    """Standard output and error as a terminal `columns` wide (as tests/test_learner_5.py has it)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def words(text: str) -> list[str]:
    """The text's words, without the progress lines a read longer than 2 s prints (a loaded machine's), nor the
    epochs' (a line each in a pipe, a bar in a terminal: their notes are what is compared, and --quiet drops them)."""
    return " ".join(line for line in text.splitlines() if not line.startswith(("reading ", "epoch "))
                    and "\x1b[K" not in line and not BAR.search(line)).split()


#: a piece of the terminal's progress bar (tqdm's, redrawn after each carriage return)
BAR = re.compile(r"\d%\||batch/s")


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """A CSV of 40 numeric columns and a text one, and a model trained on it (its lines were 89-105 columns)."""
    folder = tmp_path_factory.mktemp("wide")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 40))
    lines = [",".join([*(f"n{j}" for j in range(40)), "colour", "y"])]
    lines += [",".join([*(f"{v:.3f}" for v in row), ["red", "green", "blue"][i % 3], str(int(row[0] > 0))])
              for i, row in enumerate(X)]
    (folder / "wide.csv").write_text("\n".join(lines) + "\n")
    r = cmd("train", folder / "wide.csv", "--target", "y", "--epochs", "1", "--out", folder / "wide.npz")
    assert r.returncode == 0, r.stderr
    return folder, r


def whole_word(line: str) -> bool:
    """A line of one word longer than the terminal: the test's own folder (pytest's tmp_path, longer under
    pytest-xdist's workers) is a path, which is kept whole for a user to copy."""
    return len(line.split()) == 1 and "/" in line


@pytest.mark.parametrize("columns", [80, 60])
def test_train_and_info_lines_fit_the_terminal_and_stay_whole_in_a_pipe(wide, capsys, monkeypatch, columns):
    """"numeric columns (40, standardised): ['n0', ...]" (105 columns) and "optimizer: Adam(...)" (104) ran past
    an 80-column terminal; now broken at their spaces, a list at its commas, under an indent, nothing dropped."""
    folder, piped = wide
    info_piped = cmd("info", folder / "wide.npz")
    assert any(line.startswith("numeric columns (40, standardised): ['n0', ") and line.endswith("(28 more)]")
               for line in piped.stderr.splitlines())                 # in a pipe: one line to grep
    assert any(line.startswith("optimizer: Adam(") and line.endswith(")") for line in info_piped.stdout.splitlines())
    terminal(monkeypatch, columns)
    code, out, err = cli_in_process(capsys, "train", folder / "wide.csv", "--target", "y", "--epochs", "1",
                                    "--out", folder / f"wide{columns}.npz")
    assert code == 0
    assert [line for line in (out + err).splitlines()
            if len(line) > columns and not whole_word(line) and not BAR.search(line)] == []
    assert words(err) == words(piped.stderr)      # stdout: the validation's numbers (a compiled or NumPy loop may
    assert words(re.sub(r"[\d.]+", "0", out))[:-1] == words(re.sub(r"[\d.]+", "0", piped.stdout))[:-1]  # differ), file
    assert "numeric columns (40, standardised): ['n0'," in err and "\n  'n" in err     # its list under an indent
    code, out, _ = cli_in_process(capsys, "info", folder / "wide.npz")
    assert code == 0
    assert [line for line in out.splitlines() if len(line) > columns and not whole_word(line)] == []
    assert words(out) == words(info_piped.stdout)


@pytest.mark.parametrize("columns", [80, 60])
def test_the_data_list_fits_the_terminal(capsys, monkeypatch, columns):
    """diabetes.csv's line was 144 columns; its description now continues under itself."""
    piped = cmd("data").stdout
    assert any(len(line) > 140 and line.startswith("diabetes.csv ") for line in piped.splitlines())
    terminal(monkeypatch, columns)
    code, out, _ = cli_in_process(capsys, "data")
    assert code == 0 and words(out) == words(piped)
    lines = out.splitlines()
    assert [line for line in lines if len(line) > columns] == []
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == [line.split()[0] for line in piped.splitlines()]
    assert all(line.startswith(" " * (len(max(names, key=len)) + 2)) for line in lines if line.startswith(" "))


def test_a_real_terminal_is_measured_without_columns(tmp_path):
    """A pseudo-terminal 60 columns wide and no COLUMNS: the width is the terminal's own."""
    import fcntl
    import pty
    import struct
    import termios
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    with subprocess.Popen([sys.executable, "-m", "chainrule.cli", "data"], stdout=child, stderr=child, env=env) as p:
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:          # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert p.wait(timeout=60) == 0
    os.close(main)
    lines = b"".join(chunks).decode().replace("\r", "").splitlines()
    assert any(line.startswith("diabetes.csv") for line in lines)
    assert [line for line in lines if len(line) > 60] == []


def test_no_command_lists_the_commands_and_help_is_a_command(monkeypatch):
    """`chainrule` said only "the following arguments are required: COMMAND"; `chainrule help` was refused."""
    r = cmd()
    assert r.returncode == 2 and r.stdout == ""
    listed = [line.split()[0] for line in r.stderr.split("commands:\n", 1)[1].split("\n\n")[0].splitlines()]
    sub = next(a for a in build_parser()._actions if a.choices and "train" in a.choices)
    assert listed == list(sub.choices)
    assert "train a network on a CSV file" in r.stderr and "chainrule help COMMAND" in r.stderr
    monkeypatch.setenv("COLUMNS", "80")
    assert cmd("help").stdout == cmd("--help").stdout and cmd("help").returncode == 0
    assert cmd("help", "train").stdout == cmd("train", "--help").stdout
    assert cmd("help", "nope").returncode == 2


def test_every_commands_summary_lines_follow_the_same_rule(tmp_path, capsys, monkeypatch):
    """Its neighbours: evaluate's and predict's "read 'iris.csv': ..." (78 columns), export's "wrote iris.onnx
    (ONNX opset 17; inputs ...)" (139) ran past a 60-column terminal; the tables (the confusion matrix) stay."""
    pytest.importorskip("onnx")
    assert cmd("data", "iris.csv", cwd=tmp_path).returncode == 0
    assert cmd("train", "iris.csv", "--target", "species", "--epochs", "2", "--quiet", "--out", "iris.npz",
               cwd=tmp_path).returncode == 0
    runs = [("evaluate", "iris.npz", "iris.csv"), ("predict", "iris.npz", "iris.csv", "--out", "p.csv"),
            ("export", "iris.npz", "--out", "iris.onnx"), ("info", "iris.onnx")]
    piped = [cmd(*argv, cwd=tmp_path) for argv in runs]
    assert all(r.returncode == 0 for r in piped)
    assert max(len(line) for r in piped for line in (r.stdout + r.stderr).splitlines()) > 100
    monkeypatch.chdir(tmp_path)
    terminal(monkeypatch, 60)
    for argv, before in zip(runs, piped):
        code, out, err = cli_in_process(capsys, *argv)
        assert code == 0
        assert [line for line in (out + err).splitlines() if len(line) > 60] == [], argv
        assert words(out) == words(before.stdout) and words(err) == words(before.stderr)
        if argv[0] == "evaluate":                   # the confusion matrix as it was, one row a line
            assert before.stdout.split("predicted)\n")[1] in out


def test_the_command_list_fits_the_terminal(capsys, monkeypatch):
    """Each command's line continues under its description, as --help's list does."""
    terminal(monkeypatch, 60)
    code, _, err = cli_in_process(capsys)
    assert code == 2
    listed = err.split("commands:\n", 1)[1].split("\n\n")[0].splitlines()
    assert [line for line in err.splitlines() if len(line) > 60] == []
    column = listed[0].index("the seed's")
    assert all(line[:column].strip() == "" and line[column] != " " for line in listed if line.startswith("   "))
    assert any(line.startswith("   ") for line in listed)
    note = err.rstrip("\n").split("\n\n")[-1].splitlines()   # the prose after the list: at column 0, not under
    assert len(note) > 1 and note[0].startswith("`chainrule help")          # the descriptions (it was)
    assert not any(line.startswith(" ") for line in note)
