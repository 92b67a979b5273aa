"""docs/cli.md: every command has a section naming each of its options and an example whose output is shown
(tests/test_docs.py runs each and compares); `...` in an output only leaves out lines or a number's last digits."""
import argparse
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def sections() -> dict[str, str]:
    text = DOC.read_text()
    return {m.group(1): body for m, body in zip(re.finditer(r"^## (\w+):", text, re.M),
                                               re.split(r"^## \w+:.*$", text, flags=re.M)[1:])}


def test_every_command_has_a_section_naming_each_of_its_options():
    from chainrule.cli import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    said = sections()
    assert sorted(said) == sorted(sub.choices)
    for name, parser in sub.choices.items():
        options = {a.option_strings[-1] for a in parser._actions
                   if a.option_strings and a.dest not in ("help", "debug")}
        missing = [o for o in sorted(options) if f"`{o}`" not in said[name]]
        assert not missing, f"docs/cli.md's {name} leaves out {missing}"
        assert f"$ chainrule {name}" in said[name], f"docs/cli.md's {name} has no example"


def test_the_outputs_leave_out_only_lines_and_a_numbers_last_digits():
    """`...` (doctest's ELLIPSIS, which matches anything) alone on a line, or after a number's first digits."""
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), re.S):
        command, *shown = block.rstrip("\n").split("\n")
        assert command.startswith("$ chainrule ") and shown, block
        for line in shown:
            loose = re.sub(r"\d\.\d*\.\.\.", "", line) if line != "..." else ""
            assert "..." not in loose, f"{command}: {line!r} hides more than a number's last digits"
