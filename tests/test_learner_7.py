"""The teaching text a student reads: mse's dE/dout with its 2 and its mean's divisor, E_total without a
divisor of 1 (both checked against torch autograd), and the text broken to the terminal's width, measured."""
import re

import numpy as np
import pytest
from test_derive_6 import evaluate, report_line

import chainrule as cr

torch = pytest.importorskip("torch")


def sample(outputs, samples, act="linear", loss="mse"):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, outputs, act)], loss=loss, seed=0)
    X = np.array([[0.05, 0.1], [0.3, -0.2], [-0.4, 0.7]])[:samples]
    Y = np.array([[0.01, 0.99, 0.5], [0.2, 0.4, 0.6], [0.7, 0.1, 0.2]])[:samples, :outputs]
    if loss == "categorical_crossentropy":
        Y = np.eye(outputs)[[0, 1, 0][:samples]]
    return net, X, Y


@pytest.mark.parametrize("samples", [1, 2, 3])
@pytest.mark.parametrize("outputs", [1, 2, 3])
def test_mses_error_derivative_shows_where_its_2_and_its_mean_went(outputs, samples):
    """mse's dE/dout_o1 read out_o1 - target_o1 for 2 outputs: the 2 of the square and the 1/2 of the mean had
    cancelled out of sight. The line now writes 2 * (out - target) / its divisor, by name and (one sample) by
    count; the formula, its names replaced by the counts and each sample's output and target, is torch's
    dE/dout of E = mean((target - out)^2) for every sample, and so are its numbers and its value."""
    net, X, Y = sample(outputs, samples)
    line = report_line(cr.explain(net, X, Y).text(), "dE/dout_o1")
    parts = line.split(" = ")
    divisor = {(1, 1): "", (1, 2): " / n_outputs", (2, 1): " / n_samples"}.get(
        (min(samples, 2), min(outputs, 2)), " / (n_samples * n_outputs)")
    assert parts[1] == "2 * (out_o1 - target_o1)" + divisor, line
    out = torch.tensor(net.predict(X), requires_grad=True)
    ((torch.tensor(Y) - out) ** 2).mean().backward()
    truth = out.grad[:, 0].tolist()
    for s in range(samples):
        formula = parts[1].replace("n_samples", str(samples)).replace("n_outputs", str(outputs))
        formula = formula.replace("out_o1", repr(out[s, 0].item())).replace("target_o1", repr(float(Y[s, 0])))
        assert evaluate(formula) == pytest.approx(truth[s], abs=1e-12)
    if samples == 1:
        assert parts[2].endswith(f" / {outputs}") == (outputs > 1) and evaluate(parts[2]) == pytest.approx(
            truth[0], abs=1e-9)
    assert [float(v) for v in re.findall(r"-?\d+\.\d+", parts[-1])] == pytest.approx(truth, abs=1e-9)


TORCH_E = {   # E_o of one sample and E_total as torch computes them
    "sse": (lambda o, t: 0.5 * (t - o) ** 2, lambda o, t: 0.5 * ((t - o) ** 2).sum() / len(o)),
    "mse": (lambda o, t: (t - o) ** 2, lambda o, t: ((t - o) ** 2).mean()),
    "binary_crossentropy": (lambda o, t: -(t * torch.log(o) + (1 - t) * torch.log(1 - o)),
                            lambda o, t: torch.nn.functional.binary_cross_entropy(o, t)),
    "categorical_crossentropy": (lambda o, t: -t * torch.log(o), lambda o, t: -(t * torch.log(o)).sum() / len(o)),
}
ACT = {"sse": "sigmoid", "mse": "linear", "binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}


@pytest.mark.parametrize("samples", [1, 3])
@pytest.mark.parametrize("outputs", [1, 2])
@pytest.mark.parametrize("loss", list(TORCH_E))
def test_e_total_is_written_without_a_divisor_of_one(loss, outputs, samples):
    """mse's E_total of one output and one sample read E_total = (E_o1) / (n_samples * n_outputs), a divisor of
    1 written out. Each count of 1 is now left out (E_total = E_o1, (E_o1 + E_o2) / n_outputs, sum_samples(E_o1)
    / n_samples); the line, its E_o torch's and its counts put in, is torch's loss, for every loss."""
    if loss == "categorical_crossentropy" and outputs == 1:
        outputs = 3
    net, X, Y = sample(outputs, samples, ACT[loss], loss)
    text = cr.explain(net, X, Y).text()
    formula = report_line(text, "E_total").split(" = ")[1]
    assert not re.search(r"(?<!sum_samples)\(E_o\d\)|/ 1\b", formula), formula
    if samples == 1 and (outputs == 1 or loss in ("sse", "categorical_crossentropy")):
        assert formula == " + ".join(f"E_o{j + 1}" for j in range(outputs))
    o, t = torch.tensor(net.predict(X)), torch.tensor(Y)
    names = {f"E_o{j + 1}": TORCH_E[loss][0](o[:, j], t[:, j]).numpy() for j in range(outputs)}
    value = eval(formula, {"sum_samples": np.sum, "n_samples": samples, "n_outputs": outputs, **names})
    assert float(np.sum(value)) == pytest.approx(float(TORCH_E[loss][1](o, t)), rel=1e-12)


# -- the text broken to the terminal's width -------------------------------------------------------------
WIDTHS = range(40, 121)


@pytest.fixture(scope="module")
def example_at():
    """`chainrule example`'s text at a width, as the command writes it (the seed trained once)."""
    from chainrule.teach.report import fit_width
    from chainrule.teach.worked_example import render, worked_example
    figures, report = worked_example()
    return lambda w, published=False: fit_width(render(figures, report, as_published=published, width=w), w)


def explained(capsys):
    """Each explain command's unbroken text (--width 0), by its arguments."""
    from conftest import cli_in_process
    from test_explain_mend import NETWORKS
    texts = {}
    for args in [[], *NETWORKS]:
        code, text, _ = cli_in_process(capsys, "explain", *args, "--width", "0")
        assert code == 0
        texts[" ".join(args)] = text
    return texts


def too_wide(text, width):
    """Lines wider than `width` other than a single token that alone is wider (a number cannot break)."""
    return [ln for ln in text.splitlines() if len(ln) > width and len(ln.split()) > 1]


def test_the_command_writes_the_text_measured_here(capsys, example_at):
    from conftest import cli_in_process

    from chainrule.teach.report import fit_width
    for w in (40, 57):
        code, out, _ = cli_in_process(capsys, "example", "--width", str(w), "--as-published")
        assert code == 0 and out == example_at(w, True)
        code, out, _ = cli_in_process(capsys, "explain", "--width", str(w))
        assert code == 0 and out == fit_width(explained(capsys)[""], w)


def test_every_line_fits_every_width_from_40_to_120(capsys, example_at):
    """Measured on the real text: every line of `example` (and --as-published) and of `explain` (the seed's and
    six other networks) is at most --width columns for each width 40..120; the one exception allowed is a
    line of a single token wider than the terminal, and there is none here. explain's text, joined again,
    is the unbroken text."""
    from chainrule.teach.report import fit_width
    texts = explained(capsys)
    for w in WIDTHS:
        for published in (False, True):
            assert [ln for ln in example_at(w, published).splitlines() if len(ln) > w] == [], w
        for args, text in texts.items():
            narrow = fit_width(text, w)
            assert too_wide(narrow, w) == [], (args, w)
            assert narrow.split() == text.split()
    assert too_wide("  a-number-of-45-digits-stands-alone-as-it-is\n  x = 1", 40) == []


def chains(text):
    """Each gradient line with its continuation lines: [first, *continuations]."""
    out, lines = [], text.splitlines()
    for k, line in enumerate(lines):
        if re.match(r"  dE/d\w+ = ", line):
            more = []
            for nxt in lines[k + 1:]:
                if len(nxt) - len(nxt.lstrip()) <= 2:
                    break
                more.append(nxt)
            out.append([line, *more])
    return out


def test_a_broken_chain_continues_with_its_operator_and_each_equals_sign_starts_a_line(capsys, example_at):
    """--width 40 wrote dE/db_o1's numbers as "* 1 = 0.138498562": the continuation of a broken product read
    as 1 = 0.138. Each continuation line of a gradient's chain now starts with its operator (=, *, +, /) or
    is the note after the value, and a line that continues a product or a sum holds no = sign; the value is
    on the line of its own = sign, for every width."""
    from chainrule.teach.report import fit_width
    texts = [example_at(w) for w in WIDTHS] + [fit_width(t, w) for t in explained(capsys).values() for w in WIDTHS]
    seen = 0
    for text in texts:
        for first, *more in chains(text):
            for prev, line in zip([first, *more], more):
                body = line.strip()
                assert (re.match(r"[=*+/-] ", body) or body.startswith("(") or prev.endswith(",")
                        or not prev.rstrip().endswith(tuple("0123456789]"))), (first, line)
                assert not (re.match(r"[*+/-] ", body) and " = " in body), (first, line)
                seen += 1
    assert seen > 1000


def test_the_examples_prose_wraps_at_spaces_between_words(example_at):
    """`chainrule example --width 50` broke its opening prose at its = signs ("Below," alone, then "= b_h2 =
    the seed's b1," under it). Prose is now filled at the spaces between its words: no line starts with =,
    each line takes every word that fits, and the words are the unbroken text's."""
    for w in (40, 50, 60):
        head = example_at(w).split("\nForward pass")[0]
        lines = [ln for ln in head.splitlines() if ln]
        assert all(len(ln) <= w and not ln.lstrip().startswith("= ") for ln in lines), lines
        for line, nxt in zip(lines, lines[1:]):          # the title and the paragraph: each filled
            assert len(line) + 1 + len(nxt.split()[0]) > w or nxt.startswith("Network"), (line, nxt)
        assert head.split() == example_at(0).split("\nForward pass")[0].split()
    from chainrule.teach.report import fit_width

    # a sentence with = signs in it, given to the breaking
    sentence = "Below, each neuron has its own bias (b_h1 = b_h2 = the seed's b1,"
    assert fit_width(sentence, 40).splitlines() == ["Below, each neuron has its own bias",
                                                    "  (b_h1 = b_h2 = the seed's b1,"]
