"""Every speed ratio README's Performance section quotes ("2.90x") is one a benchmarks/RESULTS*.md file records,
or one rounded from it: a reader deciding whether to trust "faster than PyTorch" can find each one measured.
The notes under the table were checked before; the summary and the table's rows were not, and the tabular
row quoted 2.26x where RESULTS-tabular.md's 0.45x of scikit-learn's time allows 2.20-2.25x."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
RATIO = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)x\b")
TABULAR = "| Covertype-like CSV, `chainrule train` + `predict` vs the scikit-learn pipeline"


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Performance\n", 1)[1].split("\nWith `pip install '.[fast]'`", 1)[0]
    return re.sub(r"\[[^]]*\]\([^)]*\)", "", section)          # a link's name and file: no figures


def _half(shown: str) -> float:
    """Half a unit of the last place `shown` gives."""
    return 0.5 * 10.0 ** -(len(shown.split(".")[1]) if "." in shown else 0)


def test_every_ratio_of_the_readme_performance_section_is_recorded():
    section = "\n".join(line for line in _section().splitlines() if not line.startswith(TABULAR))
    ratios = RATIO.findall(section)
    assert len(ratios) > 20, ratios
    values = set()
    for path in sorted((ROOT / "benchmarks").glob("RESULTS*.md")):
        values |= {float(n.replace(",", "")) for n in NUMBER.findall(path.read_text())}
    unrecorded = [r for r in ratios if not any(abs(v - float(r.replace(",", ""))) <= _half(r) + 1e-12
                                               for v in values)]
    assert unrecorded == [], f"README's Performance section quotes ratios no results file records: {unrecorded}"


def test_the_tabular_rows_ratios_are_the_recorded_times_inverted():
    """README's row says how many times faster; RESULTS-tabular.md records chainrule's time over scikit-learn's
    (the default row, at each size): each README figure must lie where that recorded ratio, inverted, can."""
    row = next(line for line in _section().splitlines() if line.startswith(TABULAR))
    shown = RATIO.findall(row)
    table = (ROOT / "benchmarks" / "RESULTS-tabular.md").read_text()
    recorded = re.findall(r"^\| chainrule \(default[^\n]*\| (\d+\.\d+)x \| \d+\.\d+x \|$", table, re.M)
    assert len(shown) == len(recorded) == 2, (shown, recorded)
    for s, r in zip(shown, recorded):
        low, high = 1 / (float(r) + _half(r)), 1 / (float(r) - _half(r))
        assert low - _half(s) <= float(s) <= high + _half(s), f"README {s}x; recorded {r}x allows {low:.3f}-{high:.3f}"
