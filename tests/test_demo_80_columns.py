"""`make demo` read at an 80-column terminal: its lines fit, and a sentence is broken where the line is full. The
closing line's bracket '(about 0.6 s; CHAINRULE_NUMBA=1 always loads them)', never broken inside, left a line of 46
columns above it ('is done before the compiled kernels would load') in the middle of a sentence."""
from __future__ import annotations

import pytest
from conftest import cmd

from chainrule.backend import kernels


def paragraphs(text: str) -> list[list[str]]:
    """The lines of each paragraph: a line and the indented ones that continue it."""
    found: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("  ") and found:
            found[-1].append(line)
        elif line:
            found.append([line])
    return found


@pytest.mark.parametrize("available, enabled", [(False, False), (True, False), (True, "auto")])
def test_the_demo_fits_80_columns_and_breaks_no_sentence_early(monkeypatch, available, enabled):
    import chainrule.cli.example as example
    monkeypatch.setattr(example, "width", lambda args: 80)          # a terminal of 80 columns
    monkeypatch.setattr(kernels, "AVAILABLE", available)
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    monkeypatch.setattr(kernels, "numba", None)
    r = cmd("demo", "--no-example", "--epochs", "1")
    assert r.returncode == 0, r.stderr
    for lines in paragraphs(r.stdout):
        assert all(len(line) <= 80 for line in lines), lines
        short = [line for line in lines[:-1] if len(line) < 54]     # two thirds of the width, a sentence going on
        assert not short, lines
