"""`chainrule explain` as a student reads it, checked against what is independent of our own output:
the terminal's columns, torch autograd's gradients, and `net.step`'s update."""
import re

import numpy as np
import pytest
from conftest import cli_in_process

import chainrule as cr

NETWORKS = [
    ["--layers", "2,2,2", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.5,-0.25;0.1,0.2", "--targets", "0,1;1,0"],
    ["--layers", "2,3,1", "--activation", "tanh,sigmoid", "--loss", "binary_crossentropy",
     "--inputs", "0.5,0.2;0.1,0.9", "--targets", "1;0", "--lr", "0.5"],
    ["--layers", "2,2,2", "--activation", "sigmoid,linear", "--loss", "mse", "--inputs",
     "0.5,-0.25;0.1,0.2;0.3,0.3;0.2,0.1", "--targets", "0,1;1,0;1,1;0,0", "--lr", "0.1"],
    ["--layers", "3,4,2", "--activation", "tanh,softmax", "--loss", "categorical_crossentropy",
     "--inputs", "0.64,0.27,0.04", "--targets", "1", "--layer", "1", "--neuron", "0"],
    ["--layers", "2,3,3,1", "--activation", "relu,relu,linear", "--loss", "mse", "--inputs", "0.5,-0.2",
     "--targets", "0.7", "--lr", "0.1"],
    ["--layers", "2,3,2", "--activation", "leaky_relu,sigmoid", "--loss", "binary_crossentropy",
     "--inputs", "0.5,-0.25;0.1,0.2;0.3,0.3", "--targets", "0,1;1,0;1,1", "--lr", "0.1"],
]


@pytest.mark.parametrize("width", [40, 60, 70, 80])
@pytest.mark.parametrize("args", NETWORKS, ids=[" ".join(a[1:6:2]) + f" {a[9].count(';') + 1} rows" for a in NETWORKS])
def test_explain_fits_the_width_asked_for(capsys, args, width):
    """--width 60 printed the gradient lines' notes, "   (summed over samples; fused: (out - target) / 2)",
    past column 60 (73-76 columns): the note came after the value and the breaking knew only =, + and *.
    Every line now fits, a note after the value where it fits, else on its own line after it, and the text,
    joined again, is the unbroken text."""
    code, wide, _ = cli_in_process(capsys, "explain", *args, "--width", "0")
    assert code == 0
    code, narrow, _ = cli_in_process(capsys, "explain", *args, "--width", str(width))
    assert code == 0
    assert [ln for ln in narrow.splitlines() if len(ln) > width] == []
    assert narrow.split() == wide.split()
    lines = narrow.splitlines()
    for k, line in enumerate(lines):        # a note sits after its value: on its line or the next
        if line.strip().startswith("(summed over samples"):
            assert re.search(r"= -?\d+\.\d+$", lines[k - 1]), lines[k - 1:k + 1]


torch = pytest.importorskip("torch")
ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=1)}


def autograd(net, X, Y):
    """Each Dense layer's (dE/dW, dE/db) and dE/dnet per sample by torch autograd, float64, E as PyTorch
    defines each loss (mean over the samples; mse and binary cross-entropy over the outputs too)."""
    params = [(torch.tensor(d.W, requires_grad=True), torch.tensor(d.b, requires_grad=True)) for d in net.dense_layers]
    a, nets = torch.tensor(np.asarray(X, dtype=float)), []
    for (W, b), d in zip(params, net.dense_layers):
        z = a @ W + b
        z.retain_grad()
        nets.append(z)
        a = ACTS[d.activation.name](z)
    t = torch.tensor(np.asarray(Y, dtype=float))
    E = {"sse": lambda: 0.5 * ((t - a) ** 2).sum(dim=1).mean(), "mse": lambda: ((t - a) ** 2).mean(),
         "binary_crossentropy": lambda: torch.nn.functional.binary_cross_entropy(a, t),
         "categorical_crossentropy": lambda: -(t * torch.log(a)).sum(dim=1).mean()}[net.loss_function.name]()
    E.backward()
    return [(W.grad.numpy(), b.grad.numpy()) for W, b in params], [z.grad.numpy() for z in nets]


def product(numbers: str) -> float:
    """The factors a line shows, "[0.23, -0.25] * (-0.5) * 1", multiplied (per sample) and summed over the samples."""
    factors = [np.array([float(v) for v in f.strip("[]").split(", ")]) if f.startswith("[") else float(f.strip("()"))
               for f in numbers.split(" * ")]
    return float(np.sum(np.prod(np.broadcast_arrays(*factors), axis=0)))


def test_the_explorers_delta_of_a_linear_output_reads_its_derivative_as_1_over_several_samples():
    """The explorer's card of a linear output wrote its delta dE/dnet_o1 = dE/dout_o1 * dout_o1/dnet_o1 with
    its own factors, [0.238191199, 0.190298753] * [1, 1] for two samples, where the gradient lines write
    linear's derivative 1: the card now reads the report's line (`derivation.net_delta_line`). Its factors
    give torch's dE/dnet per sample."""
    from chainrule.teach.explore import derive
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "linear")], loss="mse", seed=0)
    X, Y = np.array([[0.05, 0.1], [0.3, -0.2]]), np.array([[0.01, 0.99], [0.2, 0.4]])
    d = cr.explain(net, X, Y).to_dict()
    delta = autograd(net, X, Y)[1][-1]
    for j, unit in enumerate(["o1", "o2"]):
        line = next(ln for ln in derive.neuron_lines(d, unit) if ln["lhs"] == f"dE/dnet_{unit}")
        dout, slope = line["numbers"].split(" * ")
        assert slope == "1"                          # linear's derivative, whatever the sample
        assert [float(v) for v in dout.strip("[]").split(", ")] == pytest.approx(delta[:, j], abs=1e-9)
        assert line["raw"] == pytest.approx(delta[:, j], abs=1e-12)


def gradient_networks():
    """(name, net, X, Y): the seed's; fused softmax and sigmoid outputs; a linear mse output over two samples;
    a softmax whose Jacobian is written (a Dropout keeps the loss from fusing); two hidden ReLU layers."""
    seed = cr.examples.seed_network()[:3]
    yield "seed", *seed
    yield ("softmax cross-entropy", cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "softmax")],
                                               loss="categorical_crossentropy", seed=0),
           np.array([[0.05, 0.1]]), np.array([[1.0, 0.0]]))
    yield ("linear mse, 2 samples", cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "linear")], loss="mse",
                                               seed=0), np.array([[0.05, 0.1], [0.3, -0.2]]),
           np.array([[0.01, 0.99], [0.2, 0.4]]))
    yield ("sigmoid binary cross-entropy, 3 samples", cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")],
                                                                 loss="binary_crossentropy", seed=4),
           np.array([[0.5, 0.2], [0.1, 0.9], [-0.3, 0.4]]), np.array([[1.0], [0.0], [1.0]]))
    yield ("softmax Jacobian", cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax"), cr.Dropout(0.2)],
                                          loss="categorical_crossentropy", seed=1),
           np.array([[0.64, 0.27, 0.04]]), np.array([[1.0, 0.0]]))
    yield ("relu, relu, linear mse", cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 3, "relu"),
                                                 cr.Dense(3, 1, "linear")], loss="mse", seed=3),
           np.array([[0.5, -0.2]]), np.array([[0.7]]))


@pytest.mark.parametrize("name", [n for n, *_ in gradient_networks()])
def test_the_report_and_the_explorer_show_factors_that_multiply_to_autograds_gradient(name):
    """Each dE/dw and dE/db line of explain's report and of the explorer: its factors, multiplied (and summed
    over the samples), and its value are torch autograd's gradient."""
    from chainrule.teach.explore import derive
    net, X, Y = next((n, x, y) for nm, n, x, y in gradient_networks() if nm == name)
    grads = autograd(net, X, Y)[0]
    report = cr.explain(net, X, Y)
    text, d = report.text(), report.to_dict()
    tol = 2e-9 * len(X)                        # each factor written to 9 decimals
    for p in d["parameters"]:
        want = grads[p["layer"]][0 if p["kind"] == "W" else 1][tuple(p["index"])]
        line = next(ln.strip() for ln in text.splitlines() if ln.strip().startswith(f"dE/d{p['name']} = "))
        _, _, numbers, value = line.partition("   (")[0].split(" = ")
        assert product(numbers) == pytest.approx(want, abs=tol), line
        assert float(value) == pytest.approx(want, abs=1e-9), line
        page = next(ln for ln in derive.parameter_lines(d, p) if ln.get("kind") == "gradient")
        assert product(page["numbers"]) == pytest.approx(want, abs=tol), page
        assert float(page["value"]) == pytest.approx(want, abs=1e-9) and page["raw"] == pytest.approx(want, abs=1e-12)


def wrapped(tex: str) -> bool:
    """Whether `tex` is one pair of parentheses around the whole of it."""
    depth = 0
    for k, ch in enumerate(tex):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and k < len(tex) - 1:
            return False
    return tex.startswith("(") and tex.endswith(")")


@pytest.mark.parametrize("layers,acts,loss", [
    ("2,2,2", "sigmoid,linear", "mse"), ("2,2,1", "tanh,sigmoid", "binary_crossentropy"),
    ("2,3,2", "tanh,softmax", "categorical_crossentropy"), ("2,2,2", "sigmoid,sigmoid", "mse"),
    ("2,2,2", "sigmoid,linear", "sse"), ("2,3,2", "tanh,sigmoid", "binary_crossentropy")])
def test_formulas_write_no_parentheses_that_no_coefficient_needs(capsys, layers, acts, loss):
    """--formulas with mse and 2 outputs wrote \\delta^{(2)}_{j} = (out^{(2)}_{j} - t_{j}): mse's 2/2 cancels
    and leaves the parentheses around nothing (so did the fused softmax and one-output sigmoid deltas). The
    delta keeps them where a factor multiplies it. Each delta is still SymPy's derivative (test_formulas)."""
    code, out, _ = cli_in_process(capsys, "explain", "--formulas", "--layers", layers, "--activation", acts,
                                  "--loss", loss)
    assert code == 0
    deltas = re.findall(r"^\$\$\\delta\^\{\(\d\)\}_\{\w\} = (.*)\$\$$", out, flags=re.M)
    assert deltas
    for tex in deltas:
        assert not wrapped(tex), tex


def sklearn_network(kind):
    """A network imported from a fitted scikit-learn MLP: its alpha (default 1e-4) is the weight penalty."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (12, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "classifier":
            y = np.arange(12) % 3
            mlp = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
            Y = np.eye(3)[y]
        else:
            Y = X @ np.array([[0.5, -1.0], [0.2, 0.3], [1.0, 0.1]])
            mlp = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, Y)
    return cr.from_sklearn(mlp), mlp.alpha, X[:2], Y[:2]


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_explains_update_is_net_steps_for_a_network_with_a_weight_penalty(kind):
    """An MLP imported with from_sklearn keeps its alpha as the network's weight penalty, which net.step adds to
    each weight's gradient (alpha * w / m) and to E; explain's "updated" weights left it out, so they were not
    the step's. The report now says the penalty's term of E and each weight's penalized gradient, and its update
    is net.step's, in the report, its dict and the explorer."""
    from chainrule.teach.explore import derive
    net, alpha, X, Y = sklearn_network(kind)
    assert net.weight_penalty == alpha > 0
    lr = 0.5
    report = cr.explain(net, X, Y, lr=lr)
    text, d = report.text(), report.to_dict()
    E = net.step(X, Y, lr)                  # the report is written: the step changes the network, not it
    after = {p["name"]: float(net.dense_layers[p["layer"]].W[tuple(p["index"])] if p["kind"] == "W"
                              else net.dense_layers[p["layer"]].b[tuple(p["index"])]) for p in d["parameters"]}
    for p in d["parameters"]:
        assert p["updated"] == pytest.approx(after[p["name"]], abs=1e-12), p["name"]
        line = next(ln.strip() for ln in text.splitlines() if ln.strip().startswith(f"{p['name']}+ = "))
        assert float(line.rsplit(" = ", 1)[1]) == pytest.approx(after[p["name"]], abs=1e-9), line
        update = next(ln for ln in derive.parameter_lines(d, p) if ln.get("kind") == "update")
        assert update["raw"] == pytest.approx(after[p["name"]], abs=1e-12)
        if p["kind"] == "W":        # the penalized gradient's line: its terms add up to what the step took
            line = next(ln.strip() for ln in text.splitlines() if ln.strip().startswith(f"dE/d{p['name']} + alpha"))
            numbers, value = line.partition("   (")[0].split(" = ")[1:]
            assert eval(numbers) == pytest.approx(float(value), abs=2e-9)
            assert float(value) == pytest.approx((p["value"] - after[p["name"]]) / lr, abs=1e-9)
    assert d["E_total"] + d["E_penalty"] == pytest.approx(E, rel=1e-12)
    assert re.search(r"^ {2}E_penalty = .* = (\S+) {3}\(", text, flags=re.M)[1] == f"{d['E_penalty']:.9f}"
