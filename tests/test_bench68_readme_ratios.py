"""Every speed ratio README's Performance section quotes ("2.90x") is one a benchmarks/RESULTS*.md file records,
or one rounded from it: a reader deciding whether to trust "faster than PyTorch" can find each one measured.
The notes under the table were checked before; the summary and the table's rows were not, and the tabular
row quoted 2.26x / 2.88x (then 2.22x / 2.86x) where RESULTS-tabular.md's totals and ratios allow 2.21-2.25x and
2.87-2.89x: 2.2x / 2.9x."""
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


def _allowed(shown_values: list[str], op) -> tuple[float, float]:
    """The least and greatest value `op` of the recorded figures can take, each figure anywhere in its rounding."""
    corners = [op(*(float(v) + sign * _half(v) for v, sign in zip(shown_values, signs)))
               for signs in ((-1, -1), (-1, 1), (1, -1), (1, 1))]
    return min(corners), max(corners)


def test_the_tabular_rows_ratios_are_what_the_recorded_times_allow():
    """README's row says how many times faster; RESULTS-tabular.md records the whole-process totals and chainrule's
    total over scikit-learn's (the default row, at each size), each rounded. Both bound the true ratio: the README
    figure must be one that every value inside both bounds rounds to (no digit the file cannot vouch for)."""
    row = next(line for line in _section().splitlines() if line.startswith(TABULAR))
    shown = RATIO.findall(row)
    table = (ROOT / "benchmarks" / "RESULTS-tabular.md").read_text()
    cells = r"\| (\d+\.\d+) \| \d+\.\d+ \| \d+\.\d+ \| (\d+\.\d+)x \| \d+\.\d+x \|$"
    ours = re.findall(r"^\| chainrule \(default[^|]*\| \d+\.\d+ \| \d+\.\d+ " + cells, table, re.M)
    theirs = re.findall(r"^\| scikit-learn pipeline \| \d+\.\d+ \| \d+\.\d+ " + cells, table, re.M)
    assert len(shown) == len(ours) == len(theirs) == 2, (shown, ours, theirs)
    for s, (total, ratio), (sk_total, _) in zip(shown, ours, theirs):
        by_ratio = (1 / (float(ratio) + _half(ratio)), 1 / (float(ratio) - _half(ratio)))
        by_totals = _allowed([sk_total, total], lambda a, b: a / b)
        low, high = max(by_ratio[0], by_totals[0]), min(by_ratio[1], by_totals[1])
        assert low <= high, (total, ratio, sk_total)
        assert float(s) - _half(s) <= low and high <= float(s) + _half(s), \
            f"README {s}x; RESULTS-tabular.md allows {low:.3f}-{high:.3f} (totals {sk_total} s / {total} s, {ratio}x)"
