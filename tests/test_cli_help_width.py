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
    assert lines == ["usage: chainrule info [-h] [--classes] [--debug] model"]


def test_a_mutually_exclusive_group_wider_than_the_line_keeps_each_option_with_its_value(monkeypatch):
    """A group '[--alpha-option ALPHA | --beta-option BETA]' wider than the line was cut after its first option, as an
    option and its values: '[--alpha-option' over 'ALPHA | --beta-option BETA]', past 40 columns. Its choices go one a
    line now, the words argparse's own."""
    import argparse

    from chainrule.cli import HelpFormatter

    def parser(formatter):
        p = argparse.ArgumentParser(prog="chainrule thing", formatter_class=formatter)
        group = p.add_mutually_exclusive_group()
        group.add_argument("--alpha-option", metavar="ALPHA_VALUE")
        group.add_argument("--beta-option", metavar="BETA_VALUE")
        p.add_argument("--many", nargs="+", metavar="ITEM")
        p.add_argument("files", nargs="*")
        return p
    monkeypatch.setenv("COLUMNS", "1000")
    wide = parser(argparse.HelpFormatter).format_usage().split()
    monkeypatch.setenv("COLUMNS", "40")
    lines = parser(HelpFormatter).format_usage().splitlines()
    assert lines[0] == "usage: chainrule thing" and " ".join(lines).split() == wide
    assert [line for line in lines if len(line) > 40] == [], lines
    assert "    [--alpha-option ALPHA_VALUE" in lines and "      | --beta-option BETA_VALUE]" in lines, lines


@pytest.mark.parametrize("columns", [40, 80])
def test_every_line_of_every_help_fits(monkeypatch, columns):
    """Not the usage alone: train's '  --class-weight balanced|LABEL=W[,LABEL=W]' ran to 43 columns at 40 (and
    sweep's; train's --schedule to 41). An option whose values do not fit beside it has them on the next line,
    under it, the words argparse's own."""
    monkeypatch.setenv("COLUMNS", str(columns))
    for command in [None, *COMMANDS]:
        r = cmd(*([command] if command else []), "--help")
        assert r.returncode == 0 and [ln for ln in r.stdout.splitlines() if len(ln) > columns] == [], command
    lines = cmd("train", "--help").stdout.splitlines()
    if columns == 40:
        at = lines.index("  --class-weight")
        assert lines[at + 1] == "      balanced|LABEL=W[,LABEL=W]", lines[at:at + 3]
