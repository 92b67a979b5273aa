"""What a reader of the docs' first screens takes as the whole story: tabular.md's table of the estimators'
parameters, which it says lists each parameter, lacked clip_norm and clip_value (given to get_params, cloned
and swept by GridSearchCV like the rest); guide.md's report lines shown in its prose, indented rather than
fenced, were compared with nothing, the fused delta's with no word of which network printed them."""
from __future__ import annotations

import ast
import re

import pytest
from conftest import cmd
from test_docs import ROOT

TABULAR = ROOT / "docs" / "tabular.md"


def parameter_table() -> dict[str, object]:
    """tabular.md's first table: each parameter named in its first column with the default in its second."""
    section = TABULAR.read_text().split("## In scikit-learn", 1)[1].split("\n### ", 1)[0]
    table: dict[str, object] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 3:
            continue
        names = re.findall(r"`(\w+)`", cells[0])
        defaults = re.findall(r"`([^`]+)`", cells[1])
        assert len(names) == len(defaults), line
        table.update({n: ast.literal_eval(d) for n, d in zip(names, defaults)})
    return table


@pytest.mark.parametrize("name", ["BackpropClassifier", "BackpropRegressor"])
def test_the_estimators_table_names_every_parameter_with_its_default(name):
    import chainrule.sklearn as sk
    params = getattr(sk, name)().get_params()
    table = parameter_table()
    missing = sorted(set(params) - set(table))
    assert not missing, f"docs/tabular.md's parameter table leaves out {name}'s {missing}"
    wrong = {k: (table[k], v) for k, v in params.items() if table[k] != v}
    assert not wrong, f"docs/tabular.md's defaults differ from {name}'s (table, get_params): {wrong}"
    extra = sorted(set(table) - set(params) - ({"class_weight"} if name == "BackpropRegressor" else set()))
    assert not extra, f"docs/tabular.md's table names parameters {name} does not take: {extra}"


GUIDE = ROOT / "docs" / "guide.md"


def excerpts() -> list[tuple[int, str]]:
    """The guide's report lines shown indented in its prose (no fence, so test_docs.py never compares them)."""
    lines, found, fenced = GUIDE.read_text().splitlines(), [], False
    for i, line in enumerate(lines, 1):
        fenced = fenced != line.startswith("```")
        if not fenced and re.match(r"^    \S", line):
            found.append((i, line.strip()))
    return found


def test_every_report_line_the_guide_shows_in_its_prose_is_the_engines():
    """Each indented line is printed, character for character, by the call or command the text around it names:
    the seed's report, the `chainrule explain --layers 2,2,2 ... --seed 1` runs, section 3's tanh network."""
    import chainrule as cr
    net, X, Y, lr = cr.examples.seed_network()
    printed = cr.explain(net, X, Y, lr=lr).text()
    own = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    x, y = cr.examples.xor()
    printed += "\n" + cr.explain(own, x[1:2], y[1:2], lr=0.5, layer=1).text() + "\n"
    base = "explain --layers 2,2,2 --activation sigmoid --loss mse --seed 1 --width 0".split()
    for inputs, targets in (("0.05,0.1", "0.01,0.99"), ("0.05,0.1;0.2,0.3", "0.01,0.99;0.5,0.5")):
        r = cmd(*base, "--inputs", inputs, "--targets", targets)
        assert r.returncode == 0, r.stderr
        printed += r.stdout
    shown = {line.strip() for line in printed.splitlines()}
    found = excerpts()
    assert len(found) >= 10, found
    wrong = [f"docs/guide.md:{i}: {text}" for i, text in found if text not in shown]
    assert not wrong, "\n".join(wrong)
