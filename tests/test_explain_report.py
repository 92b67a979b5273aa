"""The text of the explain report: every number trustworthy, every formula matching its numbers."""
import math
import re

import numpy as np
import pytest

import chainrule as cr


def test_an_unknown_parameter_names_the_listed_ones_and_the_slice():
    """report.parameter("w9") raised a bare KeyError: 'w9'."""
    net, X, Y, lr = cr.examples.seed_network()
    with pytest.raises(KeyError) as info:
        cr.explain(net, X, Y, lr=lr).parameter("w9")
    assert isinstance(info.value, cr.errors.ValidationError)
    assert str(info.value) == ("no parameter named 'w9'; this report lists w1, w2, w3, w4, w5, w6, w7, w8 and "
                               "b_o1, b_o2, b_h1, b_h2")
    with pytest.raises(cr.errors.ValidationError, match=r"'w1' in this slice \(layer=1, neuron=0; .*lists w5, w6 "
                                                        r"and b_o1$"):
        cr.explain(net, X, Y, layer=1, neuron=0).parameter("w1")


def torch_pass(net, X, Y):
    """Every Dense layer's net input (its .grad: dE/dnet) and output, by torch autograd, from the
    network's weights; E as chainrule's loss defines it (sse, mse; softmax or not)."""
    torch = pytest.importorskip("torch")
    a = torch.tensor(np.asarray(X, float), requires_grad=True)
    nets, outs = [], []
    for layer in net.dense_layers:
        z = a @ torch.tensor(layer.W.astype(float)) + torch.tensor(layer.b.astype(float))
        z.retain_grad()
        act = layer.activation.name
        a = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "softmax": lambda t: torch.softmax(t, dim=1),
             "linear": lambda t: t}[act](z)
        nets.append(z)
        outs.append(a)
    t = torch.tensor(np.asarray(Y, float))
    n, k = t.shape
    E = (0.5 * ((t - a) ** 2).sum() / n) if net.loss_function.name == "sse" else ((t - a) ** 2).sum() / (n * k)
    E.backward()
    return [z.grad.numpy() for z in nets], [o.detach().numpy() for o in outs]


def test_paths_between_hidden_layers_use_the_names_the_report_defines():
    """`dE_h2_1/dout_h1_1` named an error E_h2_1 that does not exist (E_o is an output's error): a path
    through a hidden layer is dE/dnet_h2_1 * w, and dE/dnet_h2_1 is torch's."""
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 3, "sigmoid"), cr.Dense(3, 2, "sigmoid")], seed=0)
    X, Y = [[0.1, 0.2]], [[0.3, 0.4]]
    report = cr.explain(net, X, Y, layer=0, neuron=0)
    text, md = report.text(), report.markdown()
    assert "dE_h" not in text and "E_{h" not in md
    deltas, _ = torch_pass(net, X, Y)
    W = net.dense_layers[1].W
    for k in range(3):
        m = re.search(rf"^  dE/dnet_h2_{k + 1} \* dnet_h2_{k + 1}/dout_h1_1 = dE/dnet_h2_{k + 1} \* w\d+ = "
                      r"\(?(\S+?)\)? \* \(?(\S+?)\)? = (\S+)$", text, re.M)
        assert float(m[1]) == pytest.approx(deltas[1][0, k], abs=1e-9) and float(m[2]) == pytest.approx(W[0, k])
        assert float(m[3]) == pytest.approx(deltas[1][0, k] * W[0, k], abs=1e-9)
    total = re.search(r"^  dE/dout_h1_1 = dE/dnet_h2_1 \* w\d+ \+ dE/dnet_h2_2 \* w\d+ \+ dE/dnet_h2_3 \* w\d+ = .* = "
                      r"(\S+)$", text, re.M)
    assert float(total[1]) == pytest.approx(deltas[1][0] @ W[0], abs=1e-9)
    # a path into an output (not softmax) keeps the seed's own name dE_o/dout_h
    assert "  dE_o1/dout_h2_1 = dE/dnet_o1 * dnet_o1/dout_h2_1" in cr.explain(net, X, Y, layer=1).text()


def test_a_slice_heading_names_the_layer_as_the_api_counts_it():
    """layer=0 printed 'hidden layer 1' only: the heading now says both numberings; a whole report is unchanged."""
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 3, "sigmoid"), cr.Dense(3, 2, "sigmoid")], seed=0)
    X, Y = [[0.1, 0.2]], [[0.3, 0.4]]
    for layer, title in [(0, "hidden layer 1"), (1, "hidden layer 2"), (2, "output layer")]:
        report = cr.explain(net, X, Y, layer=layer)
        heads = [line for line in report.text().splitlines() if line.startswith("Backward pass")]
        assert heads == [f"Backward pass: {title} (layer={layer})"]
        assert {p["layer"] for p in report.to_dict()["parameters"]} == {layer}
        assert f"## Backward pass: {title} (layer={layer})" in report.markdown()
    assert "(layer=" not in cr.explain(net, X, Y).text()


@pytest.mark.parametrize("loss", ["mse", "binary_crossentropy", "sse"])
def test_several_samples_say_what_e_is_the_mean_of(loss):
    """mse over 3 samples and 2 outputs said 'the mean over 3 samples ... the factor 1/6': it is the mean
    of 6 terms; and (E_o1 + E_o2) / (n_samples * n_outputs) left out the sum over the samples."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss=loss, seed=0)
    X, Y = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]]
    text = cr.explain(net, X, Y).text()
    first, total = text.splitlines()[0], next(line for line in text.splitlines() if line.startswith("  E_total"))
    terms = 3 if loss == "sse" else 6
    assert first.startswith(f"E is the mean over {terms} " + ("samples:" if loss == "sse" else
                                                               "terms (3 samples x 2 outputs):"))
    assert f"the factor 1/{terms} of the mean" in first
    errors = [[float(v) for v in re.search(rf"^  E_o{k} = .* = \[(.*)\]   \(target", text, re.M)[1].split(", ")]
              for k in (1, 2)]
    # the formula as printed, its names replaced by their numbers, gives the printed E_total and net.loss
    expr = total.split(" = ")[1].replace("sum_samples", "sum").replace("n_samples", "3").replace("n_outputs", "2")
    expr = expr.replace("E_o1 + E_o2", f"a + b for a, b in zip({errors[0]}, {errors[1]})")
    assert eval(expr) == pytest.approx(float(total.rsplit(" = ", 1)[1]), abs=1e-8)
    assert float(total.rsplit(" = ", 1)[1]) == pytest.approx(net.loss(X, Y), abs=1e-9)


@pytest.mark.parametrize("loss", ["mse", "binary_crossentropy"])
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_the_general_formulas_write_their_factors_in_lowest_terms(loss, k):
    """mse with 2 outputs printed \\frac{2}{2}(out - t), binary cross-entropy with 1 output \\frac{1}{1}."""
    from fractions import Fraction

    from chainrule.teach.formulas import general
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, k, "sigmoid")], loss=loss, seed=0)
    md = general(net)
    for a, b in re.findall(r"\\frac\{(\d+)\}\{(\d+)\}", md):
        assert Fraction(int(a), int(b)).denominator == int(b) > 1, md
    written = {("mse", 1): "2", ("mse", 2): "", ("mse", 3): "\\frac{2}{3}", ("mse", 4): "\\frac{1}{2}",
               ("binary_crossentropy", 1): "", ("binary_crossentropy", 2): "\\frac{1}{2}",
               ("binary_crossentropy", 3): "\\frac{1}{3}", ("binary_crossentropy", 4): "\\frac{1}{4}"}[loss, k]
    whole = loss == "binary_crossentropy" and not written       # the fused delta alone: no parentheses around it
    shown = "out^{(2)}_{j} - t_{j}$$" if whole else f"{written}(out^{{(2)}}_{{j}} - t_{{j}})"
    assert f"\\delta^{{(2)}}_{{j}} = {shown}" in md


def float32_seed():
    net, X, Y, lr = cr.examples.seed_network()
    n32 = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse", dtype="float32")
    n32.set_weights([w.astype("float32") for w in net.get_weights()])
    return n32, X, Y, lr


def test_a_float32_report_writes_the_shortest_decimal_of_each_float32():
    """The seed network in float32 printed 0.150000006*0.050000001 and E to 9 decimals: digits below
    float32's precision. Each number is now the shortest decimal that reads back as the same float32."""
    net, X, Y, lr = float32_seed()
    report = cr.explain(net, X, Y, lr=lr)
    text, d = report.text(), report.to_dict()
    assert "net_h1 = w1*i1 + w2*i2 + b_h1*1 = 0.15*0.05 + 0.2*0.1 + 0.35*1 = 0.3775\n" in text
    assert "1/2 (0.01 - " in text and "-(0.01 - " in text and "0.150000006" not in report.markdown()
    total = float(re.search(r"^  E_total = E_o1 \+ E_o2 = \S+ \+ \S+ = (\S+)$", text, re.M)[1])
    assert np.float32(total) == np.float32(net.loss(X, Y)) and len(str(total)) < 11
    W = [w.copy() for w in net.get_weights()]
    dense = net.dense_layers
    net.step(X, Y, lr)                                  # the engine's own float32 update
    for p in d["parameters"]:
        grad = re.search(rf"^  dE/d{p['name']} = .* = (\S+)(?: {{3}}\(.*\))?$", text, re.M)[1]
        assert np.float32(grad) == np.float32(p["grad"])
        if p["updated"] is None:
            continue
        after = re.search(rf"^  {p['name']}\+ = .* = (\S+)$", text, re.M)[1]
        layer = dense[p["layer"]]
        engine = layer.W[tuple(p["index"])] if p["kind"] == "W" else layer.b[p["index"][0]]
        assert np.float32(after) == engine, (p["name"], after, engine, W)
    seed, X, Y, lr = cr.examples.seed_network()          # float64: nine decimals for what is computed
    typed = " + ".join(f"{w:g}*{x:g}" for w, x in zip(seed.dense_layers[0].W[:, 0], X[0]))   # given: as typed
    net_h1 = X[0] @ seed.dense_layers[0].W[:, 0] + 0.35
    net_shown = f"{net_h1:.9f}".rstrip("0")          # a net as its out line substitutes it: the seed's 0.3775
    assert f"{typed} + 0.35*1 = {net_shown}\n" in cr.explain(seed, X, Y, lr=lr).text()


def test_dropout_is_named_and_the_update_says_it_is_the_pass_without_it():
    """A Dropout layer was left out of the report without a word, while the update lines read as one
    training step (which would apply a random mask and the 1/(1-p) scaling)."""
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dropout(0.5), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=0)
    X, Y = np.array([[0.1, 0.2]]), np.array([[0.3]])
    report = cr.explain(net, X, Y, lr=0.5)
    text, md = report.text(), report.markdown()
    note = ("Dropout(0.5) after layer 0 (hidden layer 1): not applied in this explained pass (inference, the "
            "identity); a training step would zero each unit with probability 0.5 at random")
    lines = text.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("  " + note))
    assert lines[at - 1].startswith("  out_h3 = ") and lines[at + 1].startswith("  net_o1 = ")
    assert note in md and "The update of this pass, without dropout" in text and "without dropout" in md
    # the numbers are those of the pass without dropout: outputs of predict, gradients of net.gradients
    out = float(re.search(r"^  out_o1 = .* = (\S+)$", text, re.M)[1])
    assert out == pytest.approx(float(net.predict(X)[0, 0]), abs=1e-9)
    W = net.dense_layers[1].W.copy()
    dW = net.gradients(X, Y)[1][0]
    after = float(re.search(r"^  w7\+ = .* = (\S+)$", text, re.M)[1])
    assert after == pytest.approx(W[0, 0] - 0.5 * dW[0, 0], abs=1e-9)
    on_inputs = cr.Network([cr.Dropout(0.2), cr.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
    first = cr.explain(on_inputs, X, Y).text().splitlines()[1]
    assert first.startswith("  Dropout(0.2) on the inputs: not applied in this explained pass")
    seed, X, Y, lr = cr.examples.seed_network()
    assert "ropout" not in cr.explain(seed, X, Y, lr=lr).text()


def printed(text: str, lhs: str) -> tuple[str, float]:
    """The numbers and the value of the text line `lhs = formula = numbers = value`."""
    line = next(line for line in text.splitlines() if line.startswith(f"  {lhs} = "))
    parts = line.split("   (")[0].split(" = ")
    return parts[-2], float(parts[-1])


@pytest.mark.parametrize("case", ["softmax output, mse", "hidden softmax, sse"])
def test_the_softmax_is_written_over_its_layer_and_its_jacobian_with_numbers(case):
    """softmax outputs with mse went from dE/dout_o1 straight to dE/dnet_o1 '(softmax Jacobian)', and the
    forward line said softmax(net_o1) as if it were elementwise. Each number is checked against torch."""
    if case == "softmax output, mse":
        layers, loss, unit = [cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "softmax")], "mse", "o"
    else:
        layers, loss, unit = [cr.Dense(2, 3, "softmax"), cr.Dense(3, 2, "sigmoid")], "sse", "h"
    net = cr.Network(layers, loss=loss, seed=1)
    X, Y = [[0.4, -0.7]], [[0.2, 0.3, 0.5]] if unit == "o" else [[0.2, 0.9]]
    report = cr.explain(net, X, Y)
    text = report.text()
    level = 1 if unit == "o" else 0
    deltas, outs = torch_pass(net, X, Y)
    for k in range(3):
        name = f"{unit}{k + 1}"
        line = next(line for line in text.splitlines() if line.startswith(f"  out_{name} = "))
        assert line.startswith(f"  out_{name} = exp(net_{name}) / (exp(net_{unit}1) + exp(net_{unit}2) + "
                               f"exp(net_{unit}3)) = exp(")
        numbers, value = printed(text, f"out_{name}")
        assert eval(numbers, {"exp": math.exp}) == pytest.approx(value, abs=1e-8)
        assert value == pytest.approx(outs[level][0, k], abs=1e-9)
        numbers, value = printed(text, f"dE/dnet_{name}")
        assert f"  dE/dnet_{name} = out_{name} * (dE/dout_{name} - sum_j dE/dout_j * out_j) = " in text
        assert eval(numbers) == pytest.approx(value, abs=1e-8)
        assert value == pytest.approx(deltas[level][0, k], abs=1e-9)
    numbers, value = printed(text, "sum_j dE/dout_j * out_j")
    assert text.count("  sum_j dE/dout_j * out_j = ") == 1 and eval(numbers) == pytest.approx(value, abs=1e-8)
    md = report.markdown()
    assert f"\\frac{{e^{{net_{{{unit}1}}}}}}{{e^{{net_{{{unit}1}}}} + e^{{net_{{{unit}2}}}} + " in md
    assert f"\\frac{{\\partial E_{{total}}}}{{\\partial net_{{{unit}1}}}} = out_{{{unit}1}} \\left(" in md
