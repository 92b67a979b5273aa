"""What a reader of the docs' first screens takes as the whole story: tabular.md's table of the estimators'
parameters, which it says lists each parameter, lacked clip_norm and clip_value (given to get_params, cloned
and swept by GridSearchCV like the rest)."""
from __future__ import annotations

import ast
import re

import pytest
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
