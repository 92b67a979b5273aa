"""Several samples' E_total was written without numbers (E_total = sum_samples(E_o1 + E_o2) / n_samples = 0.137),
so a reader could not check the mean over the rows: it now adds each sample's E_o, the values its lines list,
then divides, as torch's mean does; a note says where those numbers done exactly give another last digit."""
from __future__ import annotations

import re
import warnings
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from conftest import cmd
from seed_rule import seed
from test_explain_error_numbers import _section
from test_explain_float32_errors import _torch_terms

import chainrule as cr

torch = pytest.importorskip("torch")
F = torch.nn.functional
X = np.array([[0.35, -0.7], [0.1, 0.2], [-0.4, 0.9]])
Y = np.array([[0.9, 0.1, 0.3], [0.2, 0.6, 0.1], [0.5, 0.2, 0.8]])
C = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])      # one distribution per row


def _round(x: Fraction, printed: str, float32: bool = False) -> str:
    """`x` as the report writes it, half to even: float64 to nine decimals, trailing zeros dropped (as the seed);
    float32 to the decimals `printed` shows (its shortest)."""
    with localcontext() as c:
        c.prec = 60
        exact = Decimal(x.numerator) / Decimal(x.denominator)
        if float32:
            return str(exact.quantize(Decimal(printed), rounding=ROUND_HALF_EVEN))
        return seed(float(exact.quantize(Decimal(1).scaleb(-9), rounding=ROUND_HALF_EVEN)))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loss, act", [("sse", "sigmoid"), ("mse", "linear"), ("binary_crossentropy", "sigmoid"),
                                       ("categorical_crossentropy", "softmax")])
def test_a_batch_total_adds_each_samples_errors_then_takes_the_mean(loss, act, dtype):
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 3, act)], loss=loss, dtype=dtype, seed=1)
    Yt = (C if loss == "categorical_crossentropy" else Y).astype(dtype)
    text = cr.explain(net, X.astype(dtype), Yt).text()
    lines = _section(text)
    total = next(x for x in lines if x.startswith("E_total = ")).split(" = ")
    assert len(total) == 4, total                                  # name = formula = numbers = value
    terms, out, T = _torch_terms(net, X.astype(dtype), Yt, loss)
    divisor = {"sse": 3, "categorical_crossentropy": 3, "mse": 9, "binary_crossentropy": 9}[loss]
    rows = re.findall(r"\(([^()]*)\)", total[2].split(" / ")[0][1:])
    assert len(rows) == 3 and total[2].endswith(f" / {divisor}"), total
    written = [[w for w in r.split(" + ")] for r in rows]
    for k in range(3):       # sample k's E_o: torch's term, as the E_o lines list it
        listed = [re.findall(r"\[([^]]*)\]", next(x for x in lines if x.startswith(f"E_o{j + 1} = ")))[0]
                  .split(", ")[k] for j in range(3)]
        float32 = dtype == "float32"
        assert [_round(Fraction(w), t, float32) for w, t in zip(written[k], listed)] == listed, (written, listed)
        if written[k] != listed:          # to more digits than the lines: said, with what their digits give
            assert "E_total adds the E_o to more digits than their lines" in text, text
        assert [float(w) for w in written[k]] == pytest.approx(terms[k].tolist(), rel=2e-6, abs=1e-8)
    mean = {"binary_crossentropy": lambda: F.binary_cross_entropy(out, T), "mse": lambda: F.mse_loss(out, T)}.get(
        loss, lambda: terms.sum() / 3)().item()
    assert float(total[-1]) == pytest.approx(mean, rel=2e-6)
    exact = _round(sum((Fraction(w) for r in written for w in r), Fraction(0)) / divisor, total[-1], dtype == "float32")
    if float(exact) != float(total[-1]):         # the note says what they give
        said = [x for x in text.splitlines() if f"give {exact}" in x or f"E_total = {exact}" in x]
        assert said, (exact, total)


def test_a_batch_of_many_terms_keeps_its_total_short():
    net = cr.Network([cr.Dense(2, 5, "sigmoid")], loss="sse", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = cr.explain(net, np.tile(X, (2, 1)), np.tile(np.c_[Y, Y[:, :2]], (2, 1))).text()  # 6 x 5 = 30 terms
    assert re.search(r"^  E_total = sum_samples\(.*\) / n_samples = [\d.]+$", text, re.M), text


def test_the_guide_quotes_a_batch_total_as_it_prints():
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    quoted = next(x.strip() for x in guide.splitlines() if x.startswith("    E_total = sum_samples("))
    printed = cmd("explain", "--layers", "2,2,2", "--activation", "sigmoid", "--loss", "mse", "--inputs",
                  "0.05,0.1;0.2,0.3", "--targets", "0.01,0.99;0.5,0.5", "--seed", "1", "--width", "200").stdout
    assert quoted in [x.strip() for x in printed.splitlines()], printed


def test_a_batch_note_on_its_total_names_what_the_lines_give_without_repeating_the_sum():
    # the note under a batch's E_total repeated the whole ((...) + (...) + (...)) / 3 of the line above it
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse", seed=15)
    rng = np.random.default_rng(15)
    Xb, Yb = rng.normal(size=(3, 2)), rng.uniform(size=(3, 2))
    lines = cr.explain(net, Xb, Yb).text().splitlines()
    total = next(x for x in lines if x.startswith("  E_total = ")).split(" = ")
    note = lines[lines.index(" = ".join(total)) + 1].strip()
    listed = [Fraction(v) for k in (1, 2) for v in re.findall(r"\[([^]]*)\]", next(
        x for x in lines if x.startswith(f"  E_o{k} = ")))[0].split(", ")]
    gives = _round(sum(listed, Fraction(0)) / 3, total[-1])        # the lines' E_o, added and divided, exactly
    terms, _, _ = _torch_terms(net, Xb, Yb, "sse")
    assert _round(Fraction(terms.sum().item()) / 3, total[-1]) == total[-1] != gives      # torch: the engine's
    assert note == ("E_total adds the E_o to more digits than their lines: the E_o as their lines write them, added "
                    f"and divided by 3, give {gives}, not the engine's {total[-1]}"), note
    assert total[-2] not in note
