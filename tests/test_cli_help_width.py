"""Every command's --help usage fits a terminal 40 columns wide: argparse put each option under 'usage: chainrule
predict ' (26 columns in), so '[--encoding ENCODING]' ended at column 46 and train's usage had 22 lines past 40;
the options now go under a 4-space indent, an option's values under it where the two do not fit. Nothing dropped:
the same words as argparse's one-line usage on a wide terminal."""
import pytest
from conftest import cmd

COMMANDS = ["example", "demo", "train", "predict", "evaluate", "info", "data", "plot", "explain", "sweep", "explore",
            "export", "compile"]


def usage(text: str) -> list[str]:
    return text.split("\n\n", 1)[0].splitlines()


@pytest.mark.parametrize("command", COMMANDS)
def test_the_usage_fits_40_columns(monkeypatch, command):
    monkeypatch.setenv("COLUMNS", "1000")
    wide = usage(cmd(command, "--help").stdout)
    assert len(wide) == 1 and wide[0].startswith(f"usage: chainrule {command} ")
    monkeypatch.setenv("COLUMNS", "40")
    r = cmd(command, "--help")
    narrow = usage(r.stdout)
    assert r.returncode == 0 and [line for line in narrow if len(line) > 40] == [], narrow
    assert " ".join(" ".join(narrow).split()) == wide[0]
    error = cmd(command, "--no-such-option")           # the usage before a usage error: the same lines
    assert error.returncode == 2 and error.stderr.splitlines()[:len(narrow)] == narrow


def test_a_usage_that_fits_is_argparses(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    lines = usage(cmd("info", "--help").stdout)
    assert lines == ["usage: chainrule info [-h] [--debug] model"]
