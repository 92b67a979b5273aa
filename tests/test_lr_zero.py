"""A learning rate of 0 wherever a rate is given, as torch.optim.SGD(lr=0) takes it (a warm-up from 0, a layer held
by its rate): Network.step, explain, `chainrule explain --lr 0`, `chainrule train --lr 0` and the explorer's η field
step without moving a weight; a negative rate is still refused with the range. Oracle: torch's SGD at lr 0 and the
network as built before any step."""
import numpy as np
import pytest
from conftest import cmd  # noqa: E402

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")


def _torch_sgd_zero(net, X, Y):
    """The weights after torch's SGD(lr=0) step on the seed's squared error (1/2 sum), and that error."""
    W1, b1, W2, b2 = (torch.tensor(a, requires_grad=True) for a in net.get_weights())
    h = torch.sigmoid(torch.tensor(X) @ W1 + b1)
    o = torch.sigmoid(h @ W2 + b2)
    E = 0.5 * ((torch.tensor(Y) - o) ** 2).sum()
    E.backward()
    params = [W1, b1, W2, b2]
    torch.optim.SGD(params, lr=0).step()
    return [p.detach().numpy() for p in params], float(E.detach())


def test_step_at_rate_0_leaves_the_weights_as_torchs_sgd_does():
    net, X, Y, _ = cr.examples.seed_network()
    want, E_torch = _torch_sgd_zero(net, X, Y)
    E = net.step(X, Y, lr=0)
    assert E == pytest.approx(E_torch, rel=1e-12)
    for ours, theirs in zip(net.get_weights(), want):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValidationError, match=r"^lr must be in \[0.0, inf\); got -0.5$"):
        net.step(X, Y, lr=-0.5)


def test_explain_at_rate_0_shows_the_same_weights_as_torchs_step():
    net, X, Y, _ = cr.examples.seed_network()
    want, _ = _torch_sgd_zero(net, X, Y)
    report = cr.explain(net, X, Y, lr=0)
    assert report.to_dict()["lr"] == 0
    W2 = want[2]
    assert report.parameter("w5")["updated"] == W2[0, 0] == 0.4    # w5: h1 -> o1, as the seed wires it
    updated = [p for p in report.to_dict()["parameters"] if p["updated"] is not None]
    assert updated and all(p["updated"] == p["value"] for p in updated)
    assert "  w5+ = w5 - lr * dE/dw5 = 0.4 - 0 * 0.082167041 = 0.4\n" in report.text()     # the seed's rule: 0.4
    with pytest.raises(ValidationError, match=r"^lr must be in \[0.0, inf\); got -1$"):
        cr.explain(net, X, Y, lr=-1)


def test_explain_command_takes_lr_0_and_names_the_option_of_a_negative_one():
    done = cmd("explain", "--lr", "0")
    assert done.returncode == 0, done.stderr
    assert "Update (learning rate 0)" in done.stdout and "w1+ = w1 - lr * dE/dw1 = 0.15 - 0 * " in done.stdout
    refused = cmd("explain", "--lr", "-1")
    assert refused.returncode != 0
    assert "argument --lr: expected a finite number >= 0, e.g. 0.001; got '-1'" in refused.stderr


def test_train_command_at_lr_0_keeps_the_initial_weights_with_momentum(tmp_path):
    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [f"{x:.3f},{y:.3f},{'xy'[int(x + y > 0)]}" for x, y in rng.normal(size=(12, 2))]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    done = cmd("train", tmp_path / "t.csv", "--target", "label", "--hidden", "3", "--epochs", "2", "--lr", "0",
               "--optimizer", "sgd", "--momentum", "0.9", "--seed", "0", "--quiet", "--out", tmp_path / "m.npz")
    assert done.returncode == 0, done.stderr
    fresh = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    for ours, initial in zip(cr.load(tmp_path / "m.npz").get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(ours, initial)
    refused = cmd("train", tmp_path / "t.csv", "--target", "label", "--lr", "-1", "--out", tmp_path / "n.npz")
    assert refused.returncode == 2
    assert "argument --lr: expected a finite number >= 0, e.g. 0.001; got '-1'" in refused.stderr


def test_the_explorers_rate_field_takes_0_and_a_step_moves_no_weight():
    from starlette.testclient import TestClient
    from test_explore_api import TOKEN, Page

    from chainrule.teach.explore.server import create_app
    page = Page(TestClient(create_app(TOKEN)))
    before = {p["name"]: p["value"] for p in page.state["params"]}
    page.act("set_optimizer", name="momentum", lr=0, momentum=0.9)
    page.act("step")
    page.act("step")
    assert page.state["steps"] == 2 and {p["name"]: p["value"] for p in page.state["params"]} == before
    refused = page.act("set_optimizer", 400, lr=-1)
    assert "η (learning rate) must be a number from 0 up to 1,000,000" in str(refused) and "got -1" in str(refused)
