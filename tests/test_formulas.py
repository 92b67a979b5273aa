"""The general formulas against SymPy differentiating the same network symbolically."""
import numpy as np
import pytest

import chainrule as cr
from chainrule import formulas

sp = pytest.importorskip("sympy")

SP_ACT = {"sigmoid": lambda z: 1 / (1 + sp.exp(-z)), "tanh": sp.tanh, "linear": lambda z: z}


def symbolic_network(widths, acts, loss):
    L = len(widths) - 1
    inputs = sp.symbols(f"i1:{widths[0] + 1}")
    targets = sp.symbols(f"t1:{widths[-1] + 1}")
    weights = {l: [[sp.Symbol(f"w{l}_{i}{j}") for j in range(widths[l])] for i in range(widths[l - 1])]
               for l in range(1, L + 1)}
    biases = {l: [sp.Symbol(f"b{l}_{j}") for j in range(widths[l])] for l in range(1, L + 1)}
    outs, nets = {0: list(inputs)}, {}
    for l in range(1, L + 1):
        nets[l] = [sum(outs[l - 1][i] * weights[l][i][j] for i in range(widths[l - 1])) + biases[l][j]
                   for j in range(widths[l])]
        if acts[l - 1] == "softmax":
            ex = [sp.exp(z) for z in nets[l]]
            outs[l] = [e / sum(ex) for e in ex]
        else:
            outs[l] = [SP_ACT[acts[l - 1]](z) for z in nets[l]]
    o, K = outs[L], widths[-1]
    E = {"sse": sum((t - y) ** 2 for t, y in zip(targets, o)) / 2,
         "mse": sum((t - y) ** 2 for t, y in zip(targets, o)) / K,
         "binary_crossentropy": -sum(t * sp.log(y) + (1 - t) * sp.log(1 - y) for t, y in zip(targets, o)) / K,
         "categorical_crossentropy": -sum(t * sp.log(y) for t, y in zip(targets, o))}[loss]
    return E, inputs, targets, weights, biases, outs, nets


CASES = [((2, 2, 2), ("sigmoid", "sigmoid"), "sse"),
         ((2, 2, 2), ("tanh", "tanh"), "sse"),
         ((2, 3, 2, 1), ("sigmoid", "sigmoid", "sigmoid"), "sse"),
         ((2, 3, 2, 1), ("tanh", "tanh", "tanh"), "mse"),
         ((2, 3, 2, 1), ("tanh", "sigmoid", "sigmoid"), "binary_crossentropy"),
         ((2, 3, 2), ("sigmoid", "softmax"), "categorical_crossentropy"),
         ((2, 2, 2), ("tanh", "linear"), "mse")]


@pytest.mark.parametrize("widths,acts,loss", CASES)
def test_formula_equals_sympy_derivative(widths, acts, loss):
    net = cr.Network([cr.Dense(a, b, act) for a, b, act in zip(widths, widths[1:], acts)], loss=loss)
    E, inputs, targets, weights, biases, outs, nets = symbolic_network(widths, acts, loss)
    rng = np.random.default_rng(0)
    point = {s: rng.uniform(-1, 1) for ws in weights.values() for row in ws for s in row}
    point.update({s: rng.uniform(-1, 1) for bs in biases.values() for s in bs})
    point.update({s: rng.uniform(-1, 1) for s in inputs})
    point.update({s: v for s, v in zip(targets, rng.dirichlet(np.ones(len(targets))))})
    for l in range(len(acts)):
        for i in range(widths[l]):
            for j in range(widths[l + 1]):
                f = formulas.weight_gradient(net, l, i, j)
                ours = f.sympy(sp, outs, nets, weights, inputs, targets)
                truth = sp.diff(E, weights[l + 1][i][j])
                assert float(ours.subs(point)) == pytest.approx(float(truth.subs(point)), rel=1e-10, abs=1e-14)


def test_sigmoid_2_2_2_is_exactly_the_seeds_results_symbolically():
    widths, acts = (2, 2, 2), ("sigmoid", "sigmoid")
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="sse")
    E, inputs, targets, weights, biases, outs, nets = symbolic_network(widths, acts, "sse")
    f = formulas.weight_gradient(net, 0, 0, 0)
    assert sp.simplify(f.sympy(sp, outs, nets, weights, inputs, targets) - sp.diff(E, weights[1][0][0])) == 0


def test_formula_matches_engine_numbers_for_the_seed():
    net, X, Y, _ = cr.examples.seed_network()
    E, inputs, targets, weights, biases, outs, nets = symbolic_network((2, 2, 2), ("sigmoid", "sigmoid"), "sse")
    point = dict(zip(inputs, X[0])) | dict(zip(targets, Y[0]))
    for l, layer in enumerate(net.layers, start=1):
        point.update({weights[l][i][j]: layer.W[i, j] for i in range(2) for j in range(2)})
        point.update({biases[l][j]: layer.b[j] for j in range(2)})
    grads = net.gradients(X, Y)
    f = formulas.weight_gradient(net, 0, 0, 0)       # w1
    assert float(f.sympy(sp, outs, nets, weights, inputs, targets).subs(point)) == pytest.approx(grads[0][0][0, 0],
                                                                                                 rel=1e-12)


def test_latex_reads_like_the_seed():
    net, _, _, _ = cr.examples.seed_network()
    md = formulas.weight_gradient(net, 0, 0, 0).markdown()
    assert r"\delta^{(1)}_{1} \cdot i_{1}" in md
    assert r"\sum_{k} \delta^{(2)}_{k}\, w^{(2)}_{1k}" in md and "out^{(1)}_{1}(1 - out^{(1)}_{1})" in md
    assert r"-(t_{j} - out^{(2)}_{j})" in md
    text = formulas.general(net)
    assert "result (a)" in text and "result (b)" in text


def test_bad_indices():
    net, _, _, _ = cr.examples.seed_network()
    with pytest.raises(cr.errors.ValidationError, match="layer must be"):
        formulas.weight_gradient(net, 2, 0, 0)
    with pytest.raises(cr.errors.ValidationError, match=r"i must be a row of W \(shape \(2, 2\)\)"):
        formulas.weight_gradient(net, 0, 2, 0)


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_the_formulas_are_valid_latex_for_every_activation(act):
    """Every $...$ of `chainrule explain --formulas` parses with matplotlib's mathtext (tanh wrote
    out^{(2)}_{j}^2, a double superscript; leaky ReLU \\le, which mathtext does not know)."""
    import re

    from matplotlib.mathtext import MathTextParser
    parser = MathTextParser("path")
    nets = [cr.Network([cr.Dense(2, 3, act), cr.Dense(3, 2, act)], loss=loss, seed=0) for loss in ("sse", "mse")]
    nets.append(cr.Network([cr.Dense(2, 3, act), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=0))
    for net in nets:
        md = formulas.general(net)
        found = re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", md)
        assert len(found) >= 4
        for display, inline in found:
            parser.parse(f"${display or inline}$")
    text = formulas.general(nets[0])
    if act == "tanh":
        assert r"(1 - {out^{(2)}_{j}}^2)" in text


def test_leaky_relu_formulas_use_the_layers_slope():
    """The formulas wrote (and built in SymPy) leaky_relu's slope as 0.01 whatever the layer's alpha."""
    from chainrule.nn.activations import LeakyReLU
    net = cr.Network([cr.Dense(2, 2, LeakyReLU(0.2)), cr.Dense(2, 1, "linear")], loss="mse")
    assert r"0.2\,\mathbf{1}[net^{(1)}_{j} \leq 0]" in formulas.general(net)
    i1, i2, t = sp.symbols("i1 i2 t1")
    w = [[sp.Symbol(f"w1_{i}{j}") for j in range(2)] for i in range(2)]
    v = [[sp.Symbol(f"w2_{j}0")] for j in range(2)]
    nets1 = [i1 * w[0][j] + i2 * w[1][j] for j in range(2)]
    outs1 = [sp.Piecewise((z, z > 0), (sp.Rational(1, 5) * z, True)) for z in nets1]
    nets2 = [outs1[0] * v[0][0] + outs1[1] * v[1][0]]
    E = (t - nets2[0]) ** 2
    point = {i1: 0.7, i2: -0.4, t: 0.3, w[0][0]: -1.0, w[1][0]: 0.5, w[0][1]: 0.8, w[1][1]: 0.2,
             v[0][0]: 0.6, v[1][0]: -0.9}                    # net^(1)_1 < 0 < net^(1)_2
    for i in range(2):
        for j in range(2):
            f = formulas.weight_gradient(net, 0, i, j)
            ours = f.sympy(sp, {0: [i1, i2], 1: outs1, 2: nets2}, {1: nets1, 2: nets2}, {1: w, 2: v}, [i1, i2], [t])
            assert float(ours.subs(point)) == pytest.approx(float(sp.diff(E, w[i][j]).subs(point)), rel=1e-12)
