"""`chainrule explain` of a trained model on a CSV row (--model, --data, --row, --lr): every gradient, delta and the
error after the update are torch autograd's on the network inputs and targets the report gives (the row as the
model's own preprocessing scales it) and the weights it lists."""
import json

import numpy as np
import pytest
from conftest import cmd

torch = pytest.importorskip("torch")
ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z}


def test_a_csv_rows_explanation_is_torch_autograds(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 5, (40, 2))
    y = np.sin(X[:, 0]) + 0.3 * X[:, 1]
    (tmp_path / "d.csv").write_text("a,b,y\n" + "".join(f"{p:.3f},{q:.3f},{t:.3f}\n" for (p, q), t in zip(X, y)))
    r = cmd("train", tmp_path / "d.csv", "--target", "y", "--hidden", "3", "--activation", "tanh", "--epochs", "5",
            "--out", tmp_path / "m.npz", "--seed", "1")
    assert r.returncode == 0, r.stderr
    r = cmd("explain", "--model", tmp_path / "m.npz", "--data", tmp_path / "d.csv", "--row", "3", "--lr", "0.1",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["loss"] == "mse" and d["n_samples"] == 1
    params = d["parameters"]
    shapes = [(len(layer["neurons"][0]["weights"]), len(layer["neurons"])) for layer in d["layers"]]
    Ws = [torch.zeros(shape, dtype=torch.float64) for shape in shapes]
    bs = [torch.zeros(shape[1], dtype=torch.float64) for shape in shapes]
    for p in params:
        if p["kind"] == "W":
            Ws[p["layer"]][tuple(p["index"])] = p["value"]
        else:
            bs[p["layer"]][p["index"][-1]] = p["value"]
    for t in Ws + bs:
        t.requires_grad_(True)
    x = torch.tensor([[v["value"][0] for v in d["inputs"]]], dtype=torch.float64)
    t = torch.tensor([[v["value"][0] for v in d["targets"]]], dtype=torch.float64)
    acts = [ACT[layer["activation"]] for layer in d["layers"]]

    def forward(keep=None):
        a = x
        for W, b, f in zip(Ws, bs, acts):
            z = a @ W + b
            if keep is not None:
                z.retain_grad()
                keep.append(z)
            a = f(z)
        return ((t - a) ** 2).mean()

    nets: list = []
    E = forward(nets)
    E.backward()
    np.testing.assert_allclose(d["E_total"], E.item(), rtol=1e-12)
    for p in params:
        grad = (Ws if p["kind"] == "W" else bs)[p["layer"]].grad
        want = grad[tuple(p["index"])] if p["kind"] == "W" else grad[p["index"][-1]]
        np.testing.assert_allclose(p["grad"], want.item(), rtol=1e-12, atol=1e-15, err_msg=p["name"])
        np.testing.assert_allclose(p["dE/dnet"][0], nets[p["layer"]].grad[0, p["index"][-1]].item(),
                                   rtol=1e-12, atol=1e-15, err_msg=p["name"])
    with torch.no_grad():
        for w in Ws + bs:
            w -= 0.1 * w.grad
        after = forward().item()
    np.testing.assert_allclose(d["E_total_after"], after, rtol=1e-12)
