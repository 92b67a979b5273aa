"""`chainrule data --help` and `chainrule sweep --help` read by a new user: every option says its default (a flag,
what happens without it), and the text fits 80 columns."""
import argparse

import pytest
from conftest import cmd

from chainrule.cli import build_parser


def _command(name):
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


@pytest.mark.parametrize("name", ["data", "sweep"])
def test_every_option_says_its_default(name):
    p = _command(name)
    # every one, whatever its default: argparse shows none of them (a list's [] too: --drop, --text, --na-values)
    missing = [a.dest for a in p._actions if a.help and not a.required and a.dest not in ("help", "debug", "csv")
               and not any(w in a.help.lower() for w in ("default", "not given"))]
    assert not missing, f"{name}: options whose help says no default: {missing}"


@pytest.mark.parametrize("name", ["data", "sweep"])
def test_the_help_fits_80_columns(name, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    done = cmd(name, "--help")
    assert done.returncode == 0
    wide = [line for line in done.stdout.splitlines() if len(line) > 80]
    assert not wide, wide


def test_a_mistyped_example_name_gets_the_likely_one(tmp_path):
    # difflib (the rule of every "did you mean") takes 'irsi.csv' for 'iris.csv'; 'xyz' is close to none
    import difflib
    assert difflib.get_close_matches("irsi.csv", ["iris.csv", "diabetes.csv", "seed.npz"], n=1) == ["iris.csv"]
    done = cmd("data", "irsi.csv", cwd=tmp_path)
    assert done.returncode == 2 and "no example file 'irsi.csv' (did you mean 'iris.csv'?)" in done.stderr
    assert "did you mean" not in cmd("data", "xyz", cwd=tmp_path).stderr and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("options", [["--out", "data/", "--force"], ["--out", ""], ["--force"]])
def test_options_without_a_name_are_told_a_command_that_does_what_they_meant(options, tmp_path):
    """`data --out ''` was told to try `data iris.csv --out ''`, refused in turn; `--out d --force` lost --force."""
    import re
    import shlex
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "iris.csv").write_text("mine\n")      # there already: only --force replaces it
    (tmp_path / "iris.csv").write_text("mine\n")
    done = cmd("data", *options, cwd=tmp_path)
    assert done.returncode == 2
    said = done.stderr.splitlines()[-1]
    if options == ["--out", ""]:           # the empty folder is what is wrong, as with a name
        assert said == "chainrule data: error: argument --out: expected a folder to copy into, e.g. data/ (or no " \
                       "--out for the current folder); got ''", said
        return
    suggested = re.search(r"e\.g\. (chainrule data [^)]*)\)", said)
    assert suggested, said
    again = cmd(*shlex.split(suggested[1])[1:], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / ("data" if "--out" in options else ".") / "iris.csv").read_text() != "mine\n"
