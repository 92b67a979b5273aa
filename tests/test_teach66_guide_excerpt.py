"""docs/guide.md's excerpt of the seed's worked example: each of its lines is a line `explain` prints, in the
report's order, and every output delta dE/dnet_o a line reads is made by a line of the excerpt above it (the
excerpt showed dE_o1/dout_h1 = dE/dnet_o1 * w5 = 0.138498562 * 0.4 with no line saying what 0.138498562 is)."""
from __future__ import annotations

import re
from pathlib import Path

import chainrule as cr

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"


def _excerpt() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    block = text.split("every update, for instance\n\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in block.splitlines()]


def test_the_guides_seed_excerpt_is_what_explain_prints_and_names_what_it_reads():
    net, X, Y, lr = cr.examples.seed_network()
    printed = [line.strip() for line in cr.explain(net, X, Y, lr=lr).text().splitlines()]
    shown = _excerpt()
    assert len(shown) >= 5, shown
    at = [printed.index(line) for line in shown]          # ValueError: a line explain does not print
    assert at == sorted(at), shown
    for i, line in enumerate(shown):
        lhs, rhs = line.split(" = ", 1)
        for read in set(re.findall(r"dE/dnet_o\d+", rhs)) - {lhs}:
            assert any(s.startswith(f"{read} = ") for s in shown[:i]), (read, line)
