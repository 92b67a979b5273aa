"""`explain --width W` and `example --width W`, measured on the commands' real output for W in 40..80: no line
breaks inside a bracket or a quote whose text fits on a line, and mse's 2 * (out - target) stays whole."""
import re

import pytest
from conftest import cli_in_process
from test_explain_mend import NETWORKS

WIDTHS = range(40, 81)
SSE = ["--layers", "2,2,2", "--activation", "sigmoid,sigmoid", "--loss", "sse", "--inputs", "0.5,0.2;0.3,0.1",
       "--targets", "0.1,0.9;0.2,0.3"]


@pytest.fixture(scope="module")
def csv_model(tmp_path_factory):
    """A model `chainrule train` made from a CSV with a number, a text column and a target 'y' of labels a/b."""
    folder = tmp_path_factory.mktemp("yn")
    rows = "".join(f"{i % 7 / 3:.3f},{'rgb'[i % 3]},{'ab'[(i // 2) % 2]}\n" for i in range(24))
    (folder / "yn.csv").write_text("x,c,y\n" + rows)
    from chainrule.cli import main
    assert main(["train", str(folder / "yn.csv"), "--target", "y", "--hidden", "3", "--epochs", "2", "--quiet",
                 "--out", str(folder / "yn.npz")]) == 0
    return ["--model", folder / "yn.npz", "--data", folder / "yn.csv", "--row", "2", "--layer", "1", "--neuron", "0"]


def run(capsys, *args):
    code, out, err = cli_in_process(capsys, *args)
    assert code == 0, err
    return out


def pairs(line):
    """(start, end) of each quoted text ('y', not the ' of "seed's") and each bracket that closes on the line."""
    out = [m.span() for m in re.finditer(r"(?<!\w)'[^']*'(?!\w)", line)]
    quoted, stack = list(out), []
    for i, c in enumerate(line):
        if any(a <= i < b for a, b in quoted):
            continue
        if c in "([{":
            stack.append(i)
        elif c in ")]}" and stack and "([{".index(line[stack[-1]]) == ")]}".index(c):
            out.append((stack.pop(), i + 1))
    return out


def breaks(wide, narrow):
    """Each unbroken line with the offsets in it where the broken text starts a new line."""
    lines = iter(narrow.splitlines())
    for line in wide.splitlines():
        starts = [m.start() for m in re.finditer(r"\S+", line)]
        got, seen = [], 0
        while seen < len(starts) or not got:
            got.append(next(lines))
            seen += len(got[-1].split())
            if seen < len(starts):
                yield line, starts[seen], got
        assert " ".join(" ".join(g.split()) for g in got) == " ".join(line.split())


def inside_a_fitting_bracket(line, at, width):
    """The bracket or quote `at` falls inside, where that text (with the name it follows, as in exp(...)) fits on
    a line of its own at the line's indent, after an operator, and is not all of its part between = signs (then
    there is nowhere else to break it)."""
    around = [(a, b) for a, b in pairs(line) if a < at < b]
    if not around or line[:at].rstrip().endswith(";"):          # a note broken between its clauses, at its "; "
        return None
    a, b = min(around)
    while a > 0 and not line[a - 1].isspace():
        a -= 1
    if line[a - 3:a] == " = " and line[b:b + 3] in (" = ", ""):       # all of a part: no other place to break
        return None
    indent = len(line) - len(line.lstrip())
    return line[a:b] if indent + 2 + (b - a) <= width else None


def check(wide, narrow, width, where):
    assert [ln for ln in narrow.splitlines() if len(ln) > width and len(ln.split()) > 1] == [], (where, width)
    assert narrow.split() == wide.split(), where
    for line, at, got in breaks(wide, narrow):
        assert inside_a_fitting_bracket(line, at, width) is None, (where, width, got)


def test_no_line_breaks_inside_a_bracket_or_quote_that_fits(capsys, csv_model):
    """--width 40 broke a CSV model's explanation inside its parentheses and quotes: "i1 = 'x' standardised:
    (0.259" / "- 0.528958) / 0.273067", "outputs: o1 = P('y' = 'a'), o2 = P('y'" / "= 'b')", and "exp(net_o1) /
    (exp(net_o1)" / "+ exp(net_o2))". A line now breaks inside a bracket or a quote only where the bracketed text
    cannot fit on a line; measured on explain's real output (a CSV model, sse, mse, cross-entropy networks) and
    example's, for every width 40..80: each line fits, and the text joined again is --width 0's."""
    for args in [csv_model, SSE, *NETWORKS]:
        wide = run(capsys, "explain", *args, "--width", 0)
        for w in WIDTHS:
            check(wide, run(capsys, "explain", *args, "--width", w), w, args)
    from chainrule.teach.report import fit_width
    from chainrule.teach.worked_example import render, worked_example
    figures, report = worked_example()          # example trains the seed: once here, the command at two widths
    for published in (False, True):
        for w in WIDTHS:      # example lays its figures out for the width first, then breaks what is still wider
            wide = render(figures, report, as_published=published, width=w)
            check(wide, fit_width(wide, w), w, published)
    for w in (40, 80):
        assert run(capsys, "example", "--width", w) == fit_width(render(figures, report, width=w), w)


def test_the_csv_models_lines_at_width_40(capsys, csv_model):
    """The reviewer's lines, as they now read at --width 40: the outputs a list broken at its comma, each P(...)
    whole, and the standardising (x - mean) / scale whole after its words."""
    text = run(capsys, "explain", *csv_model, "--width", 40)
    lines = [ln.strip() for ln in text.splitlines()]
    assert "outputs: o1 = P('y' = 'a')," in lines and "o2 = P('y' = 'b')" in lines, text
    k = lines.index("i1 = 'x' standardised:")
    # (x - mean) whole on its line; "/ scale" on the next where the mean's and scale's digits (as many as give the
    # standardised value back) leave no room for it within 40 columns
    whole = lines[k + 1] if lines[k + 1].endswith(tuple("0123456789")) and " / " in lines[k + 1] else \
        f"{lines[k + 1]} {lines[k + 2]}"
    assert re.fullmatch(r"\(-?\d+\.\d+ - -?\d+\.\d+\) / \d+\.\d+", whole), lines[k:k + 3]
    raw = text.splitlines()
    k_raw = next(i for i, ln in enumerate(raw) if ln.strip() == "i1 = 'x' standardised:")
    assert all(len(ln) <= 40 for ln in raw[k_raw:k_raw + 4]), raw[k_raw:k_raw + 4]     # (a path cannot break)


def parts_of(text, name):
    """The first part of `name`'s equation, line by line: its first line and the continuations before the
    next = sign."""
    lines = text.splitlines()
    k = next(i for i, ln in enumerate(lines) if ln.startswith(f"  {name} = "))
    more = []
    for line in lines[k + 1:]:
        if line.lstrip().startswith("= ") or len(line) - len(line.lstrip()) <= 2:
            break
        more.append(line)
    return lines[k], more


@pytest.mark.parametrize("args", [NETWORKS[2], NETWORKS[4]], ids=["mse 4 samples", "mse 1 sample"])
def test_mses_2_times_the_difference_stays_whole_and_parts_share_one_indent(capsys, args):
    """--width 40 wrote mse's dE/dout_o1 as "dE/dout_o1 = 2" / "* (out_o1 - target_o1)" / "/ n_outputs", each
    continuation a step deeper than the one before. A product and a quotient now break as one (* and / bind
    alike, as + and - do): 2 * (out_o1 - target_o1) stays on the line of its = where it fits, and the
    continuations of a part never step deeper than its first."""
    for w in WIDTHS:
        text = run(capsys, "explain", *args, "--width", w)
        for name in [n for n in ("dE/dout_o1", "dE/dout_o2", "E_total") if f"  {n} = " in text]:
            first, more = parts_of(text, name)
            whole = first.split(" = ", 1)[1] + " " + " ".join(m.strip() for m in more)
            product = f" = 2 * (out_{name[-2:]} - target_{name[-2:]})"
            if name.startswith("dE") and len(first.split(" = ")[0]) + len(product) <= w:
                assert first.endswith(product) or product + " " in first, (w, first)
            assert whole.startswith(("2 * (out_o", "E_o1", "sum_samples(")), whole
            indents = [len(m) - len(m.lstrip()) for m in more]
            assert all(d <= indents[0] for d in indents), (w, first, more)
