"""A learner redoing a line of explain from its written (rounded) numbers: where that gives another last digit than
the value written, the report says so under the first such line, with what it gives and how many more there are."""
import re
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from conftest import cmd
from seed_rule import seed

import chainrule as cr

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?")
NOTE = "Each value is the engine's, from the unrounded numbers"


def on_every_kernel(x, w, b):
    """x.w + b in float32 with each multiply-add fused (rounded once, as an FMA kernel does) or not, in either order:
    the values a BLAS may give (OpenBLAS's SkylakeX kernels fuse a one-row product, its Haswell ones do not)."""
    x, w, b = ([Fraction(float(np.float32(v))) for v in vs] for vs in (x, w, [b]))
    p, r = [a * c for a, c in zip(x, w)], lambda q: Fraction(float(np.float32(float(q))))
    sums = {r(r(p[0]) + r(p[1])), r(p[1] + r(p[0])), r(p[0] + r(p[1]))}
    return {float(r(s + b[0])) for s in sums}


def by_hand(line: str) -> tuple[str, str] | None:
    """(what the written numbers give, to nine decimals as the seed writes them; the written value) of a line of plain
    arithmetic, computed exactly; None for a line with a function, a name or no numbers."""
    parts = line.strip().split("   (")[0].split(" = ")
    if len(parts) < 3 or parts[0].startswith("E_") or "e" in parts[-1]:
        return None
    numbers = parts[-2]
    if re.search(r"[A-Za-z_]|\.\.\.", NUMBER.sub("", numbers)):
        return None
    code = NUMBER.sub(lambda m: f"Fraction('{m[0]}')", re.sub(r"(\d)\(", r"\1*(", numbers).replace("^", "**"))
    exact = eval(code, {"Fraction": Fraction})
    value = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1).scaleb(-9),
                                                                            rounding=ROUND_HALF_EVEN)
    return seed(float(value)), parts[-1]        # nine decimals, as every value is rounded (0.55 is 0.550000000)


def differing(text: str) -> list[tuple[int, str, str]]:
    lines = text.splitlines()
    return [(k, *got) for k, line in enumerate(lines) if (got := by_hand(line)) and got[0] != got[1]]


def check(text: str) -> None:
    lines, found = text.splitlines(), differing(text)
    notes = [k for k, line in enumerate(lines) if NOTE in line]
    if not found:
        assert notes == []
        return
    (k, gives, written), *rest = found
    assert notes == [k + 1], text
    assert f"gives {gives}, not {written}" in lines[k + 1] or f"give {gives}, not {written}" in lines[k + 1]
    assert (f"(and {len(rest)} more line" in lines[k + 1]) == bool(rest)


def test_the_seed_s_report_says_where_its_rounded_numbers_give_another_last_digit():
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    # the seed's own dE/dout_h1 line: 0.055399425 + (-0.019049118) is 0.036350307 to nine decimals
    assert any(line.strip().startswith("dE/dout_h1 =") for _, line in
               [(k, text.splitlines()[k]) for k, _, _ in differing(text)])
    check(text)


@pytest.mark.parametrize("widths, act, loss, x, y", [
    ([3, 4, 2], "tanh", "sse", [[0.5, -1, 2]], [[0.2, 0.8]]),
    ([2, 2, 1], "sigmoid", "binary_crossentropy", [[1, 0]], [[1]]),
    ([2, 3, 2], "relu", "mse", [[0.05, 0.1]], [[0.01, 0.99]]),
])
def test_a_teacher_s_own_network_says_so_too_in_text_and_markdown(widths, act, loss, x, y):
    layers = [cr.Dense(a, b, act if k < len(widths) - 2 else ("sigmoid" if loss == "binary_crossentropy" else act))
              for k, (a, b) in enumerate(zip(widths, widths[1:]))]
    net = cr.Network(layers, loss=loss, seed=3)
    report = cr.explain(net, np.array(x, float), np.array(y, float), lr=0.1)
    check(report.text())
    assert report.markdown().count(NOTE) == report.text().count(NOTE)


def test_a_neuron_slice_of_the_command_names_only_lines_it_shows(tmp_path):
    run = cmd("explain", "--layers", "3,4,2", "--activation", "tanh", "--inputs", "0.5,-1,2", "--targets", "0.2,0.8",
              "--lr", "0.1", "--layer", "1", "--neuron", "0")
    assert run.returncode == 0, run.stderr
    body = run.stdout.split("Forward pass", 1)[1]
    check(body)
    assert NOTE in body          # the kept lines still differ in places: said among them


def test_a_float32_neuron_slice_says_it_under_a_line_it_shows(tmp_path):
    # the float32 note read every forward line: under net_h3 of `--neuron 2` it said "this line's numbers done
    # exactly give net_h1 = 0.32", of a line the slice does not show. net_h1 (0.42000002, 0.42 by hand) and net_h3
    # (0.21000001, 0.21) so on every BLAS, whether it fuses their multiply-adds or not (test_explain_float32_errors)
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse", dtype="float32", seed=0)
    net.dense_layers[0].W[:, 0], net.dense_layers[0].b[0] = [0.1, 0.7], 0.2
    net.dense_layers[0].W[:, 2], net.dense_layers[0].b[2] = [0.2, 0.3], 0.1
    assert all(on_every_kernel([0.1, 0.3], w, b) == {float(np.float32(v))} for w, b, v in
               [([0.1, 0.7], 0.2, "0.42000002"), ([0.2, 0.3], 0.1, "0.21000001")])
    net.save(tmp_path / "m.npz")
    run = cmd("explain", "--model", str(tmp_path / "m.npz"), "--inputs", "0.1,0.3", "--targets", "0.9,0.1",
              "--layer", "0", "--neuron", "2")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert not any(x.startswith("  net_h1 = ") for x in lines)
    at = next(k for k, x in enumerate(lines) if "computes in float32" in x)
    said = re.search(r"(\S+)'s (.*) gives (\S+), not (\S+?)(?:[ ,:]|$)", lines[at])
    shown = lines[at - 1].strip().split(" = ")
    assert said and shown[0] == said[1] and shown[-2] == said[2] and shown[-1] == said[4], (lines[at - 1], lines[at])
    exact = eval(NUMBER.sub(lambda m: f"Fraction('{m[0]}')", said[2]), {"Fraction": Fraction})
    assert Fraction(said[3]) == exact != Fraction(said[4])         # done exactly, its numbers give that


def test_the_one_evaluator_reads_every_line_s_numbers():
    # one evaluator for E lines, float32 lines and float64 lines: a clamped log of 0 (the engine's -100), 0 log 0
    # as 0, |x| and a product written 0.75(1 - 0.75); a power other than a small integer is exact nowhere
    from chainrule.teach.last_digit import exact
    assert exact("-(0.9 * max(log(0.000000000), -100))", functions=True) == 90
    assert exact("-(0 * log(0.000000000)) - (1 - 0) * log(1 - 0.5)", functions=True) == Fraction(np.log(2))
    assert exact("0.75(1 - 0.75) + |-0.5|") == Fraction(3, 16) + Fraction(1, 2)
    assert exact("2^0.5") is None and exact("log(2)") is None and exact("0.1 + ... + 0.2") is None


def test_a_neuron_slice_is_one_filter_python_and_the_command_alike():
    # --neuron cut the forward pass in the command (only_neuron) while Report.text(kept=...) was a second filter
    # for the note; explain(..., neuron=) in Python showed every unit's lines. One filter now: the report's.
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse",
                     seed=2)
    X, Y = np.array([[0.5, -1.0, 2.0]]), np.array([[0.2, 0.8]])
    report = cr.explain(net, X, Y, lr=0.1, layer=1, neuron=0)
    run = cmd("explain", "--layers", "3,4,3,2", "--activation", "tanh,sigmoid", "--seed", "2", "--inputs",
              "0.5,-1,2", "--targets", "0.2,0.8", "--lr", "0.1", "--layer", "1", "--neuron", "0", "--width", "0")
    assert run.returncode == 0, run.stderr
    from chainrule.teach.notation import as_options  # the Python calls in the command's words
    assert run.stdout.split("\n\n", 1)[1] == as_options(report.text())
    lines = report.text().splitlines()
    assert [x.split(" = ")[0].strip() for x in lines if re.match(r"  (net|out)_\w+ = \w", x)] == [
        "net_h2_1", "out_h2_1", "net_o1", "out_o1", "net_o2", "out_o2"], lines
    h1 = np.tanh(X @ net.dense_layers[0].W + net.dense_layers[0].b)[0]        # what the kept lines read
    assert f"  out_h1_1 = {h1[0]:.9f}, out_h1_2 = {h1[1]:.9f}, out_h1_3 = {h1[2]:.9f}, out_h1_4 = {h1[3]:.9f}" \
        "   (hidden layer 1: explain(..., layer=0) derives them)" in lines
    check(report.text().split("Forward pass", 1)[1])        # the note on rounding reads the lines it shows


def test_a_float32_pointer_writes_the_held_number_to_digits_that_differ_from_its_print():
    # 0.113235675 is float32's shortest decimal with nine digits: at nine digits its float32 value reads the same,
    # 'float32 holds 0.113235675 as 0.113235675' says nothing
    from chainrule.teach.last_digit import held
    from chainrule.teach.numbers import fmt, single_precision
    a, b = "0.113235675", "0.11328125"            # b is exact in float32: a alone is held to other digits
    value = np.float32(a) - np.float32(b)          # exact in float32 (Sterbenz): the numbers as held give it
    with single_precision(True):
        said = held(f"x = a - b = {a} - {b} = {fmt(float(value))}")
    m = re.fullmatch(r", as float32 holds (\S+) as (\S+) \(its numbers so held give (\S+)\)", said)
    assert m and m[1] == a and Decimal(m[2]) != Decimal(a), said
    assert abs(Fraction(m[2]) - Fraction(float(np.float32(a)))) < abs(Fraction(a) - Fraction(float(np.float32(a))))
    assert np.float32(m[3]) == value, said
