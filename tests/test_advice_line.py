"""The command's runnable advice comes whole and runs as printed: the line that saves a comma file with ';' between its
fields, with a long path and --encoding, in the error line uncut, pasted into bash at a prompt (history expansion on,
no `python` on PATH), then the options it names; and --help's wrapping at a narrow terminal."""
import re
import shlex
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from conftest import cmd

from chainrule.cli import build_parser

ROWS = [("1,5", "S\u00fcd", "a"), ("2,5", "Nord", "b"), ("3,25", "S\u00fcd", "a"), ("4,0", "Nord", "b")]


def _paste(line: str, cwd: Path) -> subprocess.CompletedProcess:
    """`line` as a user pastes it at a bash prompt (history expansion on), with nothing on PATH: no `python`."""
    empty = cwd / "empty-path"
    empty.mkdir(exist_ok=True)
    return subprocess.run([shutil.which("bash") or "/bin/bash"], input=f"set -o history -o histexpand\n{line}\n",
                          cwd=cwd, env={"PATH": str(empty)}, text=True, capture_output=True, timeout=120)


@pytest.mark.parametrize("name", [
    "Documents/Quartalsberichte_Vertrieb_Sued/Umsatz_2024_Q1_final.csv",          # ~60 characters
    "/".join(["Abteilung_Controlling_und_Finanzen_Berichtswesen"] * 5) + "/Umsatz_2024_Q1.csv",
    "Umsatz 2024 (neu!).csv",                                                    # '!' and spaces
])
def test_the_resave_line_comes_whole_and_runs_as_printed(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_bytes(("Umsatz netto,Region,Klasse\n" + "".join(f'"{a}",{r},{k}\n' for a, r, k in ROWS))
                           .encode("cp1252"))
    r = cmd("train", name, "--target", "Klasse", "--encoding", "cp1252", "--out", "m.npz")
    assert r.returncode == 2, r.stderr
    error = r.stderr.strip().splitlines()[-1]
    assert error.endswith(" --sep ';' --decimal ',' --encoding cp1252"), error
    line = error[error.index("between fields: ") + len("between fields: "):error.index(", then read ")]
    done = _paste(line, tmp_path)
    assert done.returncode == 0 and not done.stderr, (line, done.stderr)
    file, options = error[error.index(", then read ") + len(", then read "):].split(" with ", 1)
    saved = pd.read_csv(file, sep=";", decimal=",", encoding="cp1252")               # pandas' reading, not ours
    assert [Fraction(str(x)) for x in saved["Umsatz netto"]] == [Fraction(a.replace(",", ".")) for a, _, _ in ROWS]
    assert list(saved["Region"]) == [r for _, r, _ in ROWS]
    r = cmd("train", file, "--target", "Klasse", *shlex.split(options), "--epochs", "1", "--out", "m.npz")
    assert r.returncode == 0, r.stderr


def _help(monkeypatch, columns: int, *command: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    return cmd(*command, "--help").stdout.splitlines()


def test_an_exit_codes_text_wraps_under_its_text_at_a_narrow_terminal(monkeypatch):
    lines = _help(monkeypatch, 30)
    codes = lines[lines.index("exit codes:") + 1:]
    for first, after in zip(codes, codes[1:]):
        item = re.match(r"  \d+ +", first)
        if item and after and not re.match(r"  \d+ ", after):
            assert after.startswith(" " * item.end()) and after[item.end()] != " ", (first, after)
    assert any(line.startswith("  130 ") for line in codes) and "      or SIGTERM)" in codes, codes


@pytest.mark.parametrize("columns", [30, 40])
def test_a_comment_moved_above_an_example_is_wrapped_to_the_terminal(monkeypatch, columns):
    commands = [name for a in build_parser()._actions if a.choices for name in a.choices]
    for command in commands:
        wide = [line.strip() for line in _help(monkeypatch, 200, command) if "  # " in line]
        narrow = _help(monkeypatch, columns, command)
        comments = [line for line in narrow if line.lstrip().startswith("# ")]
        long = [line for line in comments if len(line) > columns and " " in line.strip().removeprefix("# ")]
        assert not long, (command, long)
        said = " ".join(line.strip().removeprefix("# ") for line in comments)
        for line in wide:                        # every comment's words, in order, above its example
            assert line.split("  # ", 1)[1].strip() in said, (command, line, said)
