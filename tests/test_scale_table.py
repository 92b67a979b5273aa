"""docs/scale.md's first table gives a command line for each engine: each must be one the command accepts as
written (its placeholders filled in), every required option given (the train lines lacked --out, the sweep
line --grid: each, run as shown, was refused)."""
import re
import shlex
from pathlib import Path

import pytest

from chainrule.cli import build_parser

TABLE = (Path(__file__).parent.parent / "docs" / "scale.md").read_text(encoding="utf-8").split("\n## ")[0]
COMMANDS = re.findall(r"`((?:mpiexec -n \d+ )?chainrule [^`]+)`", TABLE)
FILLED = {"FILE": "data.csv", "COL": "y", "GRID": "hidden=8,16", "MODEL.npz": "model.npz", "HOST": "127.0.0.1"}


def test_the_table_gives_a_command_for_each_engine():
    assert len(COMMANDS) == 3, COMMANDS


@pytest.mark.parametrize("line", COMMANDS)
def test_each_command_of_the_table_is_accepted_as_written(line):
    words = shlex.split(line)
    words = words[words.index("chainrule") + 1:]
    for placeholder, value in FILLED.items():
        words = [w.replace(placeholder, value) for w in words]
    try:
        build_parser().parse_args(words)
    except SystemExit as stop:
        raise AssertionError(f"docs/scale.md's {line!r} is refused by the command line") from stop
