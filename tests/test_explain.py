"""explain: the seed's figures, and every number equal to the engine's own."""
import re
from decimal import Decimal

import numpy as np
import pytest
from conftest import random_network
from seed_rule import seed

import chainrule as cr
from chainrule.teach.examples import SEED_FIGURES
from chainrule.teach.worked_example import at_digits

NOT_CORRECT = {"dE_o2/dout_h1", "E_total after 1 update", "E_total after 10,000 updates"}


def test_seed_report_text_shows_every_seed_figure():
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    for text in (report.text(), report.markdown()):
        numbers = [float(x) for x in re.findall(r"-?\d+\.\d+", text)]
        for key, printed in SEED_FIGURES.items():
            if key in NOT_CORRECT:
                continue
            assert any(at_digits(v, printed) == Decimal(printed) for v in numbers), key


def test_seed_names_follow_the_seed():
    net, X, Y, lr = cr.examples.seed_network()
    d = cr.explain(net, X, Y, lr=lr).to_dict()
    wires = {p["name"]: (p["from"], p["to"]) for p in d["parameters"] if p["kind"] == "W"}
    assert wires == {"w1": ("i1", "h1"), "w2": ("i2", "h1"), "w3": ("i1", "h2"), "w4": ("i2", "h2"),
                     "w5": ("h1", "o1"), "w6": ("h2", "o1"), "w7": ("h1", "o2"), "w8": ("h2", "o2")}
    assert all(p["updated"] is None for p in d["parameters"] if p["kind"] == "b")     # frozen biases


@pytest.mark.parametrize("case", range(25))
def test_every_number_is_the_engines(case):
    rng = np.random.default_rng(500 + case)
    net, X, Y = random_network(rng, max_layers=3, max_width=4)
    X, Y = X[:3], Y[:3]
    report = cr.explain(net, X, Y, lr=0.1)
    d = report.to_dict()
    grads = net.gradients(X, Y)
    assert d["E_total"] == net.loss(X, Y)
    dense = net.dense_layers
    for layer_d, layer in zip(d["layers"], dense):
        for j, nr in enumerate(layer_d["neurons"]):
            assert nr["out"] == list(layer.out[:, j]) and nr["net"] == list(layer.net[:, j])
    for p in d["parameters"]:
        layer = dense[p["layer"]]
        dW, db = grads[p["layer"]]
        if p["kind"] == "W":
            i, j = p["index"]
            assert p["grad"] == dW[i, j] and p["value"] == layer.W[i, j]
            assert p["dnet/dparam"] == list(layer.x[:, i])
        else:
            (j,) = p["index"]
            assert p["grad"] == db[j] and p["value"] == layer.b[j]
        assert p["dE/dnet"] == list(layer.delta[:, j])
        assert p["updated"] == p["value"] - 0.1 * p["grad"]
        # the factors shown multiply to the gradient (summed over the samples)
        if p["dE/dout"] is not None and p["dout/dnet"] is not None:
            prod = sum(a * b * c for a, b, c in zip(p["dE/dout"], p["dout/dnet"], p["dnet/dparam"]))
            assert prod == pytest.approx(p["grad"], rel=1e-9, abs=1e-15)
        if p["paths"]:
            for s in range(len(p["dE/dout"])):
                assert sum(q["term"][s] for q in p["paths"]) == pytest.approx(p["dE/dout"][s], rel=1e-9, abs=1e-15)


def test_local_derivative_lines_like_the_seed():
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    # as the seed prints them: nine decimals at most, the seed's 0.75136507 without the zero of 0.751365070
    assert "dE/dout_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507) = 0.74136507" in text
    assert "dout_o1/dnet_o1 = out_o1(1 - out_o1) = 0.75136507(1 - 0.75136507) = 0.186815602" in text
    assert "w5+ = w5 - lr * dE/dw5 = 0.4 - 0.5 * 0.082167041 = 0.35891648" in text
    assert "dout_h1/dnet_h1 = out_h1(1 - out_h1) = 0.593269992(1 - 0.593269992) = 0.241300709" in text
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 2, "relu")], loss="mse", seed=0)
    text = cr.explain(net, [[1.0, 2.0], [0.5, -1.0]], [[0.0, 1.0], [1.0, 0.0]]).text()
    assert "dE/dout_o1 = 2 * (out_o1 - target_o1) / (n_samples * n_outputs) = [" in text
    assert "dout_h1/dnet_h1 = 1 - out_h1^2 = [" in text


def test_markdown_uses_latex_like_the_seed():
    net, X, Y, lr = cr.examples.seed_network()
    md = cr.explain(net, X, Y, lr=lr).markdown()
    assert "$$\\frac{\\partial E_{total}}{\\partial w_{5}}" in md
    assert "w_{5}^+ = w_{5} - \\eta" in md


def test_large_network_needs_a_slice():
    net = cr.Network([cr.Dense(30, 20, "relu"), cr.Dense(20, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    X, y = np.random.default_rng(0).normal(size=(1, 30)), [1]
    with pytest.raises(cr.errors.ValidationError, match="layer=L, neuron=J"):
        cr.explain(net, X, y)
    d = cr.explain(net, X, y, layer=1).to_dict()
    assert {p["layer"] for p in d["parameters"]} == {1} and len(d["parameters"]) == 21 * 3
    d = cr.explain(net, X, y, layer=0, neuron=4).to_dict()
    assert len(d["parameters"]) == 31 and {p["to"] for p in d["parameters"]} == {"h5"}
    with pytest.raises(cr.errors.ValidationError, match="neuron"):
        cr.explain(net, X, y, neuron=2)


def test_a_slice_of_a_wide_network_writes_wide_sums_by_their_ends():
    """explain(layer=1, neuron=1) of a 784-64-10 network printed every one of the 64 hidden sums with
    its 784 products and numbers (2 MB of text); a sum too wide for any slice is now written by its
    ends, with the engine's value."""
    net = cr.Network([cr.Dense(784, 64, "relu"), cr.Dense(64, 10, "softmax")], loss="categorical_crossentropy",
                     seed=0)
    X = np.random.default_rng(0).random((1, 784))
    report = cr.explain(net, X, [3], layer=1, neuron=1)
    text, md = report.text(), report.markdown()
    assert len(text) < 100_000 and len(md) < 150_000
    # the hidden sums, which no slice writes out, are read here: their outs, the engine's, in one line (as the
    # command's --neuron shows them)
    h2 = float(net.layers[0].out[0, 1])
    said = "(hidden layer 1: no slice writes them out (785 parameters a unit, more than 120)"
    assert f"  out_h1 = 0, out_h2 = {seed(h2)}, out_h3 = 0, ... and 61 more   {said}" in text
    assert "net_h2 = " not in text and "net_{h2} = " not in md and f"out_h2 = {seed(h2)}" in md
    # the chosen output neuron's sum (64 inputs) is written out whole, with the numbers; the other nine
    # output sums by their ends, with a note of what they leave out
    o2 = next(line for line in text.splitlines() if line.startswith("  net_o2 = "))
    assert o2.count(" + w") == 63 and len(o2.split(" = ")) == 4      # formula = numbers = value
    assert "w1568*i784" not in text.replace("... + w1568*i784", "")
    assert "  net_o1 = w50177*out_h1 + w50178*out_h2 + ... + w50240*out_h64 + b_o1*1 = " in text
    assert "(net_o1, net_o3, net_o4, ... and 6 more: 61 of their 64 weighted terms left out" in text


def test_softmax_with_cross_entropy_shows_the_fused_delta():
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    report = cr.explain(net, [[0.5, -0.5]], [2])
    assert "fused: out - target" in report.text()
    p = report.parameter("w1")
    assert p["dE/dnet"][0] == pytest.approx(net.layers[0].out[0, 0] - 0.0)


def test_slice_arguments_and_sample_limit():
    net, X, Y, lr = cr.examples.seed_network()
    assert len(cr.explain(net, X, Y, layer=np.int64(1)).to_dict()["parameters"]) == 6
    for bad in (True, 2, -3, 1.0):
        with pytest.raises(cr.errors.ValidationError, match="layer must be"):
            cr.explain(net, X, Y, layer=bad)
    X8, Y8 = np.repeat(X, 8, axis=0), np.repeat(Y, 8, axis=0)
    assert cr.explain(net, X8, Y8).to_dict()["n_samples"] == 8
    with pytest.raises(cr.errors.ValidationError,
                       match=r"explain shows at most 8 samples; this call has 9. Explain fewer: explain\(net, X\[:1\]"):
        cr.explain(net, np.repeat(X, 9, axis=0), np.repeat(Y, 9, axis=0))
    with pytest.raises(cr.errors.ValidationError, match=r"^lr must be in \[0.0, inf\); got -0.1$"):
        cr.explain(net, X, Y, lr=-0.1)       # 0 is taken, as torch.optim takes it (tests/test_lr_zero.py)


def test_guide_quotes_the_report_as_it_prints():
    from pathlib import Path
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    quoted = [line.strip() for line in guide.splitlines() if line.startswith("    ") and "(fused" not in line
              and "target_o1 = " not in line and "n_outputs" not in line and re.match(r"\s+(net_|dE|dout|w\d)", line)]
    assert len(quoted) >= 6
    for line in quoted:
        assert line in text, line
    # mse's dE/dout line is the command's the guide names
    import contextlib
    import io

    from chainrule.cli import main
    mse = [line.strip() for line in guide.splitlines()
           if line.startswith("    dE/dout") and "(out_o1 - target_o1)" in line]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["explain", "--layers", "2,2,2", "--activation", "sigmoid", "--loss", "mse", "--inputs",
                     "0.05,0.1", "--targets", "0.01,0.99", "--seed", "1"]) == 0
    assert len(mse) == 1 and mse[0] in printed.getvalue(), mse
    # the fused lines are the guide's own network's (section 3), as its code prints them
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X, y = cr.examples.xor()
    text = cr.explain(net, X[1:2], y[1:2], lr=0.5, layer=1).text()
    fused = [line.strip() for line in guide.splitlines() if line.startswith("    dE") and "(fused" in line]
    assert len(fused) == 2
    for line in fused:
        assert line in text, line


def mathtext(tex: str) -> None:
    """Parse one LaTeX formula with matplotlib's mathtext (raises ValueError where it is invalid)."""
    from matplotlib.mathtext import MathTextParser
    MathTextParser("path").parse(f"${tex}$")


def numpy_loss(loss, out, Y):
    """The mean error of each loss, computed here from the network's outputs."""
    n, k = out.shape
    if loss == "sse":
        return 0.5 * np.sum((Y - out) ** 2) / n
    if loss == "mse":
        return np.sum((Y - out) ** 2) / (n * k)
    if loss == "binary_crossentropy":
        return -np.sum(Y * np.log(out) + (1 - Y) * np.log(1 - out)) / (n * k)
    return -np.sum(Y * np.log(out)) / n


@pytest.mark.parametrize("loss", ["sse", "mse", "binary_crossentropy", "categorical_crossentropy"])
@pytest.mark.parametrize("n", [1, 2, 6])
def test_the_total_error_line_says_how_the_errors_make_the_total(loss, n):
    act = "softmax" if loss == "categorical_crossentropy" else "sigmoid"
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, act)], loss=loss, seed=3)
    rng = np.random.default_rng(n)
    X = rng.random((n, 2))
    Y = np.eye(2)[rng.integers(0, 2, n)] if loss == "categorical_crossentropy" else rng.uniform(0.05, 0.95, (n, 2))
    report = cr.explain(net, X, Y)
    W1, b1, W2, b2 = net.get_weights()
    h = 1 / (1 + np.exp(-(X @ W1 + b1)))
    z = h @ W2 + b2
    out = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) if act == "softmax" else 1 / (1 + np.exp(-z))
    truth = numpy_loss(loss, out, Y)
    scale = n * 2 if loss in ("mse", "binary_crossentropy") else n
    # the plain text: (E_o1 + E_o2) / scale, each E_o a list over the samples
    text = report.text()
    errors = {m.group(1): [float(x) for x in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", m.group(2))]
              for m in re.finditer(r"^  E_(o\d) = .*? = (\[[^]]*\]|\S+)(?:   \(target.*)?$", text, re.M)}
    total_line = next(line for line in text.splitlines() if line.startswith("  E_total"))
    printed = float(total_line.rsplit("= ", 1)[1])
    assert printed == pytest.approx(truth, abs=1e-9)
    assert (sum(map(sum, errors.values())) / scale) == pytest.approx(truth, abs=1e-8)
    # the LaTeX line: the same formula, valid, with E_{o1} and the right denominator
    md = report.markdown()
    tex = next(line for line in md.splitlines() if line.startswith("$$E_{total}")).strip("$")
    mathtext(tex)
    formula, value = tex.split(" = ")[1], float(tex.rsplit(" = ", 1)[1])
    assert value == printed and "E_o" not in tex and "E_{o1} + E_{o2}" in formula
    assert ("\\sum_{samples}" in formula) == (n > 1) and ("sum_samples(E_o1 + E_o2) / " in total_line) == (n > 1)
    expr = formula.replace("E_{o1}", repr(sum(errors["o1"]))).replace("E_{o2}", repr(sum(errors["o2"])))
    expr = expr.replace("\\sum_{samples}", "")
    expr = expr.replace("n_{samples}", str(n)).replace("n_{outputs}", "2").replace(" \\cdot ", " * ")
    expr = re.sub(r"\\frac\{(.*)\}\{(.*)\}", r"(\1) / (\2)", expr)
    assert eval(expr) == pytest.approx(truth, abs=1e-8), tex


def sigmoid_chain_gradients(weights, x, t):
    """dE/dW, dE/db of a sigmoid network with E = 1/2 sum (t - out)^2, one sample, backprop by hand."""
    Ws, bs = weights[0::2], weights[1::2]
    outs = [np.asarray(x, float)]
    for W, b in zip(Ws, bs):
        outs.append(1 / (1 + np.exp(-(outs[-1] @ W + b))))
    delta = (outs[-1] - t) * outs[-1] * (1 - outs[-1])
    grads: list = [None] * len(Ws)
    for layer in reversed(range(len(Ws))):
        grads[layer] = (np.outer(outs[layer], delta), delta)
        delta = (delta @ Ws[layer].T) * outs[layer] * (1 - outs[layer])
    return grads


def test_vanishing_gradients_are_written_with_their_size():
    """17 sigmoid layers: the first layer's gradients are about 1e-13. Nine fixed decimals wrote them
    -0.000000000 and the update as a change; the report writes their size and the same rounding
    for a weight before and after."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid") for _ in range(17)], loss="sse", seed=0)
    x, t = np.array([0.5, 0.5]), np.array([0.1, 0.9])
    grads = sigmoid_chain_gradients(net.get_weights(), x, t)
    text = cr.explain(net, [x], [t], lr=0.5, layer=0).text()
    assert "0.000000000 " not in text.split("Backward pass")[1] and "-0.000000000" not in text
    W = net.get_weights()[0]
    for k, (i, j) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        printed = re.search(rf"^  dE/dw{k + 1} = .* = (\S+)$", text, re.M)[1]
        assert 1e-15 < abs(grads[0][0][i, j]) < 1e-12
        assert float(printed) == pytest.approx(grads[0][0][i, j], rel=1e-6)       # 7 significant digits
        update = re.search(rf"^  w{k + 1}\+ = .* = (\S+) - 0\.5 \* \((\S+)\) = (\S+)$", text, re.M)
        before, grad, after = update.groups()
        assert before == after == seed(W[i, j])     # a change of 3e-14 is not a change in the 9th decimal
        assert float(grad) == pytest.approx(grads[0][0][i, j], rel=1e-6)
    printed = re.search(r"^  dE/db_h1_1 = .* = (\S+)$", text, re.M)[1]
    assert float(printed) == pytest.approx(grads[0][1][0], rel=1e-6)


def test_negative_numbers_are_parenthesised_in_the_formulas():
    net = cr.Network([cr.Dense(1, 1, "tanh")], loss="sse", seed=0)
    net.set_weights([np.array([[1.0]]), np.array([0.0])])
    report = cr.explain(net, [[-0.3]], [[0.04]])
    out = np.tanh(-0.3)
    assert f"= -(0.04 - ({seed(out)})) = {seed(out - 0.04)}" in report.text()
    assert "- -" not in report.text() and "--" not in report.markdown().replace("---", "")
    net = cr.Network([cr.Dense(1, 1, "sigmoid")], loss="sse", seed=0)
    net.set_weights([np.array([[1.0]]), np.array([0.0])])
    md = cr.explain(net, [[-0.5]], [[0.04]]).markdown()
    assert "e^{-(-0.5)}" in md and "e^{--" not in md


def test_the_report_shows_itself_at_the_prompt_and_in_jupyter():
    """`cr.explain(...)` as a cell's last line showed `<chainrule.teach.explain.Report object at 0x...>`:
    the prompt now shows its text, and Jupyter its Markdown, the formulas typeset (LaTeX)."""
    from IPython.core.formatters import DisplayFormatter
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    assert repr(report) == report.text()
    assert "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109" in repr(report)
    shown, _ = DisplayFormatter().format(report)
    assert shown["text/markdown"] == report.markdown()
    assert r"$$E_{total} = E_{o1} + E_{o2} = 0.274811083 + 0.023560026 = 0.298371109$$" in shown["text/markdown"]
    assert shown["text/plain"] == report.text().rstrip("\n")          # IPython drops the last newline


def test_paths_above_a_softmax_output_are_written_as_what_they_are():
    """Above a softmax every E_o depends on every net: the path through net_o1 is dE/dnet_o1 * w, not
    dE_o1/dout_h1 (E_o1 was 0 for a target of 0, its derivative shown as 0.236)."""
    from chainrule.teach.explore import derive
    net = cr.Network([cr.Dense(2, 2, "leaky_relu"), cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy",
                     seed=0)
    report = cr.explain(net, np.array([[0.5, -0.2]]), np.array([2]))
    text, d = report.text(), report.to_dict()
    assert "dE_o1/dout_h1" not in text and "dE_o1/dout_h1" not in report.markdown()
    p = next(q for q in d["parameters"] if q["name"] == "w1")
    q = p["paths"][0]
    assert f"dE/dnet_o1 * dnet_o1/dout_h1 = dE/dnet_o1 * w5 = {seed(q['dE/dnet'][0])} * " in text
    assert "dE/dout_h1 = dE/dnet_o1 * w5 + dE/dnet_o2 * w7 + dE/dnet_o3 * w9 = " in text
    assert "dE_o" not in " ".join(line["lhs"] + line["formula"] for line in derive.parameter_lines(d, p))
    seed_net, X, Y, lr = cr.examples.seed_network()                 # sigmoid outputs: the seed's own names
    assert "dE_o1/dout_h1 = dE/dnet_o1 * dnet_o1/dout_h1" in cr.explain(seed_net, X, Y, lr=lr).text()


def test_a_registered_loss_and_leaky_relu_are_written_in_text_and_latex(monkeypatch):
    """A loss of one's own made text() and markdown() fail (KeyError: no formula); leaky_relu's name was
    LaTeX with a subscript ('leaky' sub 'r')."""
    from chainrule.nn.losses import MSE

    class Halved(MSE):
        name = "halved_mse"

        def elementwise(self, out, Y):
            return super().elementwise(out, Y) / 2

        def grad(self, out, Y):
            return super().grad(out, Y) / 2

    from chainrule.nn import losses
    monkeypatch.setitem(losses.LOSSES, "halved_mse", Halved)          # registered for this test only
    net = cr.Network([cr.Dense(2, 2, "leaky_relu"), cr.Dense(2, 1)], loss="halved_mse", seed=0)
    report = cr.explain(net, np.array([[0.5, -0.2]]), np.array([[0.3]]))
    assert "E_o1 = halved_mse(out_o1, target_o1) = " in report.text()
    assert "dE/dout_o1 = dhalved_mse/dout_o1 = " in report.text()
    md = report.markdown()
    assert r"E_{o1} = \mathrm{halved\_mse}(out_{o1}, target_{o1}) = " in md
    assert r"out_{h1} = \max(net_{h1}, 0.01 \cdot net_{h1}) = " in md and r"\mathrm{leaky_relu}" not in md


@pytest.mark.parametrize("alpha", [0.2, 0.0])
def test_relu_derivatives_are_math_in_latex_and_name_the_layers_slope(alpha):
    """The markdown wrote relu's derivative as the words '1 if net_h1 > 0 else alpha' inside $$ (italic
    letters run together), and leaky_relu's text said 'alpha' whatever the layer's slope."""
    from chainrule.nn.activations import LeakyReLU
    from chainrule.teach.explore import derive

    net = cr.Network([cr.Dense(2, 2, LeakyReLU(alpha)), cr.Dense(2, 1, "relu")], loss="mse", seed=1)
    X, Y = np.array([[0.5, -0.2]]), np.array([[0.3]])
    report = cr.explain(net, X, Y)
    math = [line for line in report.markdown().splitlines() if line.startswith("$$")]
    assert not [line for line in math if " if " in line or "else" in line]
    assert r"\frac{\partial out_{o1}}{\partial net_{o1}} = \mathbf{1}[net_{o1} > 0] = " in report.markdown()
    assert (rf"\frac{{\partial out_{{h1}}}}{{\partial net_{{h1}}}} = (\mathbf{{1}}[net_{{h1}} > 0] + "
            rf"{alpha:g}\,\mathbf{{1}}[net_{{h1}} \leq 0]) = ") in report.markdown()
    assert f"dout_h1/dnet_h1 = 1 if net_h1 > 0 else {alpha:g} = " in report.text()
    assert "else alpha" not in report.text()
    lines = derive.parameter_lines(report.to_dict(), report.parameter("w1"))
    assert f"1 if net_h1 > 0 else {alpha:g}" in {line["lhs"]: line for line in lines}["dout_h1/dnet_h1"]["formula"]
