"""The notebook widget given a teacher's own network: `Explorer(net)` (the habit of every notebook widget that shows
an object) failed deep inside the session with "'Network' object has no attribute 'mode'", and `Explorer(net=net)` or
`Explorer(model=net)` opened the seed network without a word (anywidget took the keyword and dropped it). Now the
page drives a copy of that network, and its numbers are the engine's: PyTorch autograd on the same weights and
sample, for a network trained on iris (float64) and a float32 one."""
import json

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore.session import Session
from chainrule.teach.explore.widget import Explorer


def iris_net(dtype="float64"):
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    net = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy",
                     seed=0, dtype=dtype)
    net.fit(X.astype(dtype), y, epochs=20, verbose=0)
    return net


def torch_numbers(net, X, Y):
    """The loss and each weight's gradient by PyTorch autograd, from the network's weights (W: inputs by units)."""
    h = torch.tensor(X, dtype=torch.float64)
    params = []
    for layer in net.dense_layers:
        W = torch.tensor(np.asarray(layer.W, dtype=np.float64), requires_grad=True)
        b = torch.tensor(np.asarray(layer.b, dtype=np.float64).reshape(-1), requires_grad=True)
        params.append((W, b))
        z = h @ W + b
        h = torch.tanh(z) if layer.activation.name == "tanh" else torch.softmax(z, dim=1)
    loss = -(torch.tensor(Y, dtype=torch.float64) * torch.log(h)).sum(1).mean()
    loss.backward()
    return loss.item(), [(W.grad.numpy(), b.grad.numpy()) for W, b in params]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 2e-6)])
def test_a_trained_iris_network_opens_in_the_widget_with_the_engines_numbers(dtype, tol):
    net = iris_net(dtype)
    for w in (Explorer(net), Explorer(net=net)):
        s = w.session
        assert s.mode == "model" and s.net is not net and s.net.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(s.net.params, net.params)          # the teacher's weights, a copy of them
        state = w.handle({"kind": "open"}, [])[0]["state"]
        assert state["title"] == "your network"
        loss, grads = torch_numbers(net, s.X, s.Y)
        assert state["E_total"] == pytest.approx(loss, rel=tol)
        for p in state["params"]:
            g = grads[p["layer"]][0 if p["kind"] == "W" else 1]
            assert p["grad"] == pytest.approx(g[tuple(p["index"])] if p["kind"] == "W" else g[p["index"][-1]],
                                              rel=tol, abs=tol), p["name"]
        w.handle({"kind": "act", "action": "step"}, [])
        assert s.steps == 1 and not np.array_equal(s.net.params, net.params)      # the page trains its copy
    np.testing.assert_array_equal(net.params, iris_net(dtype).params)              # the teacher's stays as trained


def test_a_network_too_large_to_draw_is_refused_in_the_notebooks_words():
    big = cr.Network([cr.Dense(4, 64, "relu"), cr.Dense(64, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.raises(ValidationError) as refused:
        Explorer(big)
    said = str(refused.value)
    assert "at most 16 units per layer; your network has 64 in its hidden layer 1" in said
    assert "cr.explain(net, X, Y)" in said and "chainrule train" not in said


@pytest.mark.parametrize("call, words", [
    (lambda net: Explorer(model=net), "unexpected keyword argument 'model'"),
    (lambda net: Explorer(net, net=net), "a network given twice"),
    (lambda net: Explorer(Session(), net=net), "a session or a net, not both"),
    (lambda net: Explorer("net.npz"), "the first argument is a cr.Network or an explorer Session; got str"),
    (lambda net: Explorer(net=net.params), "net must be a cr.Network; got ndarray"),
])
def test_what_the_widget_cannot_take_is_refused_naming_it_never_the_seed_opened_instead(call, words):
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    with pytest.raises(TypeError, match=words):
        call(net)


def test_the_page_speaks_of_the_teachers_network_not_of_a_model_file():
    """A network given to Explorer is no file: "The model file holds no optimizer" and "(100 in the model file, 1 on
    this page)" said of it sent the teacher looking for a file."""
    fresh = cr.Network([cr.Dense(3, 2, "tanh"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    said = Explorer(fresh).session.state()["optimizer_from"]
    assert said.startswith("Your network holds no optimizer: the explorer opens it with Gradient")
    net = iris_net()
    w = Explorer(net)
    state = w.handle({"kind": "act", "action": "step"}, [])[0]["state"]
    assert f"Adam after {net.optimizer.t + 1} steps ({net.optimizer.t} in your network's fit, 1 on this page)" \
        in state["optimizer_from"]
    assert "model file" not in json.dumps({k: state[k] for k in ("optimizer_from", "sample_from", "title", "message")})


def test_a_trained_network_whose_weights_were_loaded_is_not_said_never_fitted(tmp_path):
    """Weights loaded into a network (cr.load_weights, or a file saved without its optimizer) leave it without an
    optimizer though it was trained: "Your network (never fitted)" told the teacher their training was lost."""
    trained = iris_net()
    trained.save_weights(tmp_path / "w.npz")
    loaded = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=9)
    loaded.load_weights(tmp_path / "w.npz")
    assert loaded.optimizer is None
    np.testing.assert_array_equal(loaded.params, trained.params)
    said = Explorer(loaded).session.state()["optimizer_from"]
    assert said.startswith("Your network holds no optimizer") and "never fitted" not in said


def test_a_network_and_a_share_code_together_are_refused_never_the_network_dropped():
    """`Explorer(net, share=code)` opened the shared network: the teacher's, given first, was dropped without a
    word."""
    code = Explorer().handle({"kind": "act", "action": "share"}, [])[0]["code"]
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    for call in (lambda: Explorer(net, share=code), lambda: Explorer(net=net, share=code),
                 lambda: Explorer(net, share="")):
        with pytest.raises(TypeError, match=r"give a net or a share, not both"):
            call()


def test_a_rebuilt_network_is_not_named_as_the_teachers_own():
    """After Architecture's rebuild the weights are new ones: the title said "Your network on the sample of your
    network", one name for two networks."""
    w = Explorer(iris_net())
    w.session.act("set_architecture", {"hidden": [4]})
    title = w.session.state()["title"]
    assert title == "A new network on your network's sample"
    w.session.act("undo", {})
    assert w.session.state()["title"] == "your network"
