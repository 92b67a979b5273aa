"""A report's lines fitted to a terminal: a formula's bracket that fits a line stays whole, and a note keeps its
indent. A 4-row mse E_total's bracket of 119 characters broke inside at --width 119-120 (the "= " before it took the
2 columns it needed; the = now ends the line before); "(summed over samples; fused: ...)" came out to column 0
at 56 columns (it is now broken at its "; " under its value)."""
import re

import numpy as np

import chainrule as cr
from chainrule.teach.width import PROSE, _depths, fit_width

# every fourth width from 40 to 160 and the findings' (each width of them took 25 s: fit_width is called 20,000 times)
WIDTHS = sorted({*range(40, 161, 4), 56, 57, 119, 120})


def reports() -> list[str]:
    """Reports whose lines hold long brackets and notes: 4 rows, 2 and 3 outputs, mse, sse and cross-entropy."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1.0]])
    cases = [("mse", "sigmoid", np.array([[0, 1], [1, 0], [1, 1], [0, 0.0]])),
             ("sse", "sigmoid", np.eye(3)[[0, 1, 2, 0]]),
             ("binary_crossentropy", "sigmoid", np.array([[0], [1], [1], [0.0]]))]
    return [cr.explain(cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, len(Y[0]), act)], loss=loss, seed=0,
                                  dtype=dtype), X, Y).text()
            for loss, act, Y in cases for dtype in ("float64", "float32")]


def round_brackets(line: str) -> list[tuple[str, str]]:
    """Each matched (...) group of `line`, with what must stand beside it on its line: the sign that starts a
    continuation ("+ "), the brackets it opens in ("((") and those it closes with ("))")."""
    depth, found = _depths(line), []
    for a, c in enumerate(line):
        if c == "(" and a + 1 < len(line) and depth[a + 1] > depth[a]:
            b = next((k for k in range(a + 1, len(line)) if depth[k] <= depth[a]), len(line))
            before = re.search(r"(?:[-+*/] |-)?\(*$", line[:a]).group()      # a minus: "-(" as one
            found.append((line[a:b], before + line[a:b] + re.match(r"\)*", line[b:]).group()))
    return found


def test_a_bracket_that_fits_a_line_is_never_broken_and_no_line_is_wider():
    lines = [ln for text in reports() for ln in text.splitlines()]
    total = next(ln for ln in lines if ln.startswith("  E_total") and "/ (n_samples * n_outputs) = ((" in ln)
    assert max(len(g) for g, _ in round_brackets(total)) == 119, total     # the bracket of the finding
    for line in set(lines):
        formula = " = " in line and not PROSE.search(line.split(" = ")[0])
        groups = round_brackets(line.split("   (")[0]) if formula else []      # the note after it: prose
        for width in (w for w in WIDTHS if w < len(line)):        # a line as wide as the width is left whole
            out = fit_width(line, width).splitlines()
            assert " ".join(out).split() == line.split(), (width, line)
            assert [ln for ln in out if len(ln) > width] == [], (width, out)
            broken = [g for g, need in groups if len(need) <= width and not any(g in o for o in out)]
            assert broken == [], (width, out)


def test_a_note_under_its_value_keeps_its_indent_where_the_width_allows():
    notes = [ln for text in reports() for ln in text.splitlines() if ln.endswith(")") and "   (summed" in ln]
    assert notes
    for line in set(notes):
        for width in (w for w in WIDTHS if w < len(line)):
            out = fit_width(line, width).splitlines()
            start = next(k for k, o in enumerate(out) if "(summed" in o)
            if out[start].lstrip().startswith("(summed"):        # on its own lines, under the value's line
                indent = len(out[start - 1]) - len(out[start - 1].lstrip())
                assert all(len(o) - len(o.lstrip()) >= indent for o in out[start:]), (width, out)


def test_a_notes_clause_that_fits_under_its_value_is_never_broken_inside():
    """At 33 columns "(summed over samples;" broke at its spaces ("(summed over" / "samples;": a clause broken
    inside reads as two) although it fits whole a column out from under the note's indent, still under its value.
    Every clause that fits whole at its value's indent (a continuation one column in) is on one line."""
    lines = {ln for text in reports() for ln in text.splitlines()
             if ln.endswith(")") and " = " in ln and "; " in ln.rpartition("   (")[2]}
    assert lines
    for line in lines:
        clauses = re.split(r"(?<=;) ", "(" + line.rpartition("   (")[2])
        for width in [*range(30, 40), *WIDTHS]:
            out = fit_width(line, width).splitlines()
            start = next(k for k, o in enumerate(out) if clauses[0].split()[0] in o)
            if not out[start].lstrip().startswith(clauses[0].split()[0]):
                continue                                    # after its value
            indent = len(out[start - 1]) - len(out[start - 1].lstrip())
            torn = [c for k, c in enumerate(clauses) if indent + (k > 0) + len(c) <= width
                    and not any(c in o for o in out)]
            assert torn == [], (width, out)
