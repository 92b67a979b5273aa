"""The benchmarks' command lines read their options whole, as `chainrule`'s do: argparse took any unique prefix
(`run.py --rep 1` ran as --reps 1), so a prefix in a script would change meaning once an option sharing it is
added. Parsed only: each command line below ends in an option no benchmark has, so none runs a benchmark."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
#: the positional arguments a benchmark requires before its options are read (the worker's framework and workload)
REQUIRED = {"worker.py": ["numpy", "peak"]}


def _options(path: Path) -> list[str]:
    """The long options the file's argparse parser adds, in order, then --help (every parser's)."""
    calls = [node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument" and node.args]
    found = [c.args[0].value for c in calls if isinstance(c.args[0], ast.Constant)]
    return [o for o in found if isinstance(o, str) and o.startswith("--")] + ["--help"]


def _shortened(path: Path) -> str:
    """The first option less its last letter that no other option starts with: argparse read it as the option."""
    options = _options(path)
    return next(o[:-1] for o in options if len(o) > 4 and [p for p in options if p.startswith(o[:-1])] == [o])


FILES = sorted(p for p in BENCH.glob("*.py") if "ArgumentParser(" in p.read_text())


def test_the_benchmarks_with_a_command_line_are_all_checked():
    assert {"run.py", "mpi.py", "memmap.py", "worker.py"} <= {p.name for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_a_benchmarks_shortened_option_is_refused(path, tmp_path):
    word = f"{_shortened(path)}=x"
    done = subprocess.run([sys.executable, str(path), *REQUIRED.get(path.name, []), word, "--zz-no-option"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.splitlines()[-1].endswith(f"error: unrecognized arguments: {word} --zz-no-option"), done.stderr
    assert list(tmp_path.iterdir()) == []
