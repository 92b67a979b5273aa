"""A quoted name or path stays one word on a narrow terminal, whatever its quotes; `chainrule --debug` alone lists
the commands, and `chainrule help` takes one command, `help` included."""
import ast
import re
import sys

import numpy as np
from conftest import cli_in_process, cmd


def terminal(monkeypatch, columns: int) -> None:
    """Standard output and error as a terminal `columns` wide (as tests/test_widths_12.py has it)."""
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def test_a_name_with_an_apostrophe_and_a_path_with_spaces_stay_whole(tmp_path, capsys, monkeypatch):
    """repr writes "the owner's yearly income" in double quotes, which the quoted-name pattern missed: a 40-column
    terminal broke the name inside; "saved DIR/m.npz" and "wrote 30 predictions to DIR/p.csv" broke their path
    at its spaces. Each name is the file's own column, each path a file that exists."""
    names = ["owner's age in years", "the owner's yearly income"]
    rng = np.random.default_rng(0)
    rows = [",".join([f"{a:.3f}", f"{b:.3f}", str(int(a > 0))]) for a, b in rng.normal(size=(30, 2))]
    (tmp_path / "owners.csv").write_text("\n".join([",".join([*names, "y"]), *rows]) + "\n")
    folder = "models trained on the owners' data"
    (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path)
    terminal(monkeypatch, 40)
    code, out, err = cli_in_process(capsys, "train", "owners.csv", "--target", "y", "--epochs", "1",
                                    "--out", f"{folder}/m.npz")
    assert code == 0, err
    for name in names:
        assert any(repr(name) in line for line in err.splitlines()), err
    assert [line for line in (out + err).splitlines() if len(line) > 40 and folder not in line  # wider: whole
            and not re.search(r"\d%\||batch/s", line)] == []      # but the progress bar's, tqdm's own
    assert written(out) == [f"{folder}/m.npz"] and " ".join(out.split()).endswith(f"saved {folder + '/m.npz'!r}")
    code, out, err = cli_in_process(capsys, "predict", f"{folder}/m.npz", "owners.csv", "--out", f"{folder}/p.csv")
    assert code == 0, err
    assert written(err) == [f"{folder}/p.csv"] and (tmp_path / folder / "p.csv").is_file()
    assert " ".join(err.split()).endswith(f"wrote 30 predictions to {folder + '/p.csv'!r}")


def written(text: str) -> list[str]:
    """The quoted paths that stand whole on a line of `text`, as Python reads them back."""
    return [ast.literal_eval(m.group()) for line in text.splitlines() for m in re.finditer(r'"[^"]*"', line)
            if m.group().endswith((".npz\"", ".csv\""))]


def test_no_command_word_lists_the_commands_and_help_takes_one(monkeypatch):
    """`chainrule --debug` gave argparse's "the following arguments are required: COMMAND", not the list;
    `chainrule help train extra` showed train's help, ignoring extra; `chainrule help help` was refused."""
    listed = cmd()
    for argv in (["--debug"], ["--debug", "--debug"]):
        r = cmd(*argv)
        assert (r.returncode, r.stdout, r.stderr) == (2, "", listed.stderr)
    assert "commands:\n" in listed.stderr and "train" in listed.stderr
    monkeypatch.setenv("COLUMNS", "80")
    r = cmd("help", "train", "extra")
    assert r.returncode == 2 and r.stdout == "" and "train extra" in r.stderr and "help" in r.stderr
    r = cmd("help", "help")
    assert r.returncode == 0 and r.stdout == cmd("--help").stdout and r.stdout.startswith("usage: chainrule")


def quoted(text: str) -> list[str]:
    """The paths quoted whole on one line of `text` (either quote), as Python reads them back."""
    return [ast.literal_eval(m.group()) for line in text.splitlines() for m in re.finditer(r"'[^']*'|\"[^\"]*\"", line)]


def test_export_and_sweep_name_a_path_with_spaces_whole(tmp_path, capsys, monkeypatch):
    """export's "wrote ..." and the sweep's "wrote ... and ..." broke such a path across lines as train's did."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    rows = [f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}" for a, b in rng.normal(size=(40, 2))]
    (tmp_path / "small.csv").write_text("a,b,y\n" + "\n".join(rows) + "\n")
    (tmp_path / "my models").mkdir()
    trained = cmd("train", "small.csv", "--target", "y", "--epochs", "2", "--quiet", "--out", "my models/m.npz")
    assert trained.returncode == 0, trained.stderr
    terminal(monkeypatch, 30)
    code, out, err = cli_in_process(capsys, "export", "my models/m.npz", "my models/m.onnx")
    assert code == 0, err
    assert "my models/m.onnx" in quoted(out) and (tmp_path / "my models" / "m.onnx").is_file()
    code, out, err = cli_in_process(capsys, "sweep", "small.csv", "--target", "y", "--grid", "hidden=2",
                                    "--epochs", "1", "--cv", "2", "--out-dir", "my models/sweep")
    assert code == 0, err
    named = [path for path in quoted(out) if path.startswith("my models/sweep/")]
    assert len(named) == 2 and all((tmp_path / path).is_file() for path in named), out
