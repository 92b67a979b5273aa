"""The lines docs/guide.md quotes from a report inside its prose (indented, not a code block test_docs runs
and compares), and the figure a comment of its code cites, are what the engine prints now."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from conftest import cmd

import chainrule as cr

GUIDE = Path(__file__).parents[1] / "docs" / "guide.md"


def quoted_lines() -> list[str]:
    """Every line indented by 4 spaces outside the guide's code fences: a report's line quoted as an example."""
    found, fenced = [], False
    for line in GUIDE.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"^    \S", line) and not line.lstrip().startswith("- "):
            found.append(line.strip())
    return found


def printed() -> set[str]:
    """The lines of the reports the guide quotes: the seed's, the commands its prose names, section 3's slice."""
    net, X, Y, lr = cr.examples.seed_network()
    texts = [cr.explain(net, X, Y, lr=lr).text()]
    mse = ["explain", "--layers", "2,2,2", "--activation", "sigmoid", "--loss", "mse", "--seed", "1"]
    for inputs, targets in (("0.05,0.1", "0.01,0.99"), ("0.05,0.1;0.2,0.3", "0.01,0.99;0.5,0.5")):
        r = cmd(*mse, "--inputs", inputs, "--targets", targets)
        assert r.returncode == 0, r.stderr
        texts.append(r.stdout)
    xor = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X2, y2 = cr.examples.xor()
    texts.append(cr.explain(xor, X2[1:2], y2[1:2], lr=0.5, layer=1).text())
    return {line.strip() for text in texts for line in text.splitlines()}


def test_each_quoted_report_line_is_printed_as_quoted():
    quoted = quoted_lines()
    assert len(quoted) >= 10                     # the excerpts of sections 1 and 3 are found
    lines = printed()
    assert [q for q in quoted if q not in lines] == [], "quoted in docs/guide.md but not printed (or printed otherwise)"


def test_the_loss_after_10000_updates_is_the_one_the_comment_cites():
    cited = re.search(r"print\(net\.loss\(X, Y\)\)\s+# (\S+) after 10,000 updates", GUIDE.read_text())
    assert cited, "the guide's comment on the loss after 10,000 updates"
    net, X, Y, lr = cr.examples.seed_network()
    for _ in range(10_000):
        last = net.step(X, Y, lr)
    loss = net.loss(X, Y)
    assert float(cited[1]) == float(f"{loss:.8g}")
    # the seed's figure, 0.0000351085, is the error of the 10,000th step's forward pass (seed-notes.md's table),
    # the one net.step returns; after its update the error is the one seed-notes.md gives as correct
    assert f"{last:.10f}" == "0.0000351085"
    notes = (GUIDE.parent / "seed-notes.md").read_text()
    correct = re.search(r"\| E_total after 10,000 updates \| 0\.0000351085 \| (0\.\d+) \|", notes)
    assert correct and f"{loss:.10f}" == correct[1]


def test_the_seeds_first_rounding_note_is_the_one_the_guide_cites():
    # the guide wrote "not -0.022602540", a trailing zero its own number rule (a few lines above) drops
    cited = re.search(r"the seed's is (\S+), whose numbers give (\S+), not (\S+)\)", GUIDE.read_text())
    assert cited, "the guide's sentence on the seed's first rounding note"
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    note = re.search(r"recomputed from the rounded ones written, (\S+)'s .*? gives (\S+), not (\S+) \(", text)
    assert note and note.groups() == cited.groups(), (note and note.groups(), cited.groups())
    written = re.search(rf"^  {re.escape(cited[1])} = .* = (\S+)$", text, re.M)
    assert written and written[1] == cited[3]                   # the value as its line writes it
    factors = [float(v) for v in re.findall(r"\(?(-?\d\.\d+)\)?", written[0].split(" = ")[-2])]
    assert f"{np.prod(factors):.9f}" == cited[2]                # what the written numbers give, done by hand
