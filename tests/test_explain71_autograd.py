"""`chainrule explain` on a user's own network: every derivative it prints is torch autograd's, to the printed
digits, for a 1-layer, a 2-layer and a 4-layer network (weights given as JSON, one sample from --inputs)."""
import json
import re
from decimal import Decimal

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from conftest import cmd  # noqa: E402

ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}
# "dE/dw7 = ... = -0.02260254", "dE/dout_h1_2 = ... = 0.1", "dE/dnet_o1 = ... = 0.13"
LINE = re.compile(r"^\s+dE/d(w\d+|b_\S+|out_\S+|net_\S+) = .* = (\(?-?\d+(?:\.\d+)?\)?)$")


def unit_names(widths):
    """The seed's names: h1, h2 for one hidden layer, h1_1, h2_1 ... for several, o1, o2 for the outputs."""
    hidden = len(widths) - 2
    names = []
    for k, n in enumerate(widths[1:], start=1):
        if k == len(widths) - 1:
            names.append([f"o{j + 1}" for j in range(n)])
        elif hidden == 1:
            names.append([f"h{j + 1}" for j in range(n)])
        else:
            names.append([f"h{k}_{j + 1}" for j in range(n)])
    return names


def torch_derivatives(widths, weights, x, t, act, loss):
    """Every dE/dw, dE/db, dE/dout and dE/dnet by autograd, named as the seed names them (w numbered through the
    layers, neuron by neuron, input by input: w1 = i1->h1, w2 = i2->h1)."""
    params = [torch.tensor(np.asarray(p, dtype=float), requires_grad=True) for p in weights]
    a = torch.tensor([x], dtype=torch.float64)
    nets, outs = [], []
    for k in range(len(widths) - 1):
        z = a @ params[2 * k] + params[2 * k + 1]
        z.retain_grad()
        a = ACT[act](z)
        a.retain_grad()
        nets.append(z)
        outs.append(a)
    y = torch.tensor([t], dtype=torch.float64)
    E = 0.5 * ((y - a) ** 2).sum() if loss == "sse" else ((y - a) ** 2).mean()
    E.backward()
    found, w = {}, 0
    for k, units in enumerate(unit_names(widths)):
        W, b = params[2 * k], params[2 * k + 1]
        for j, u in enumerate(units):
            for i in range(W.shape[0]):
                w += 1
                found[f"w{w}"] = W.grad[i, j].item()
            found[f"b_{u}"] = b.grad[j].item()
            found[f"out_{u}"] = outs[k].grad[0, j].item()
            found[f"net_{u}"] = nets[k].grad[0, j].item()
    return found


@pytest.mark.parametrize("widths, act, loss", [
    ((3, 2), "sigmoid", "sse"),                 # one layer of weights
    ((3, 4, 2), "sigmoid", "sse"),
    ((2, 3, 3, 3, 2), "tanh", "mse"),           # four layers of weights
])
def test_every_printed_derivative_is_torch_autograds(tmp_path, widths, act, loss):
    rng = np.random.default_rng(sum(widths))
    weights = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        weights += [rng.uniform(-1, 1, (n_in, n_out)).round(3).tolist(), rng.uniform(-1, 1, n_out).round(3).tolist()]
    x = rng.uniform(0, 1, widths[0]).round(2).tolist()
    t = rng.uniform(0, 1, widths[-1]).round(2).tolist()
    (tmp_path / "w.json").write_text(json.dumps(weights))
    r = cmd("explain", "--layers", ",".join(map(str, widths)), "--activation", act, "--loss", loss,
            "--weights", tmp_path / "w.json", "--inputs", ",".join(map(str, x)), "--targets", ",".join(map(str, t)),
            "--width", "0")
    assert r.returncode == 0, r.stderr
    truth = torch_derivatives(widths, weights, x, t, act, loss)
    printed = {}
    for line in r.stdout.splitlines():
        m = LINE.match(line)
        if m:
            printed.setdefault(m.group(1), m.group(2).strip("()"))
    n_params = sum(i * o + o for i, o in zip(widths[:-1], widths[1:]))
    assert sum(k[0] in "wb" for k in printed) == n_params            # every parameter's derivative is printed
    assert sum(k.startswith("out_") for k in printed) == sum(widths[1:])
    for name, text in printed.items():
        digits = len(text.split(".")[1]) if "." in text else 0
        assert Decimal(text) == round(Decimal(truth[name]), digits), name
