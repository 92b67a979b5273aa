"""A model with NaN or infinite weights (a diverged training) is refused where it comes in, by every importer, as
cr.load refuses such a file and to_onnx such a network, naming the layer and the place; to_torch refuses it too
(its module would give NaN for every row). Also: a torch.compile'd Sequential imports as the module it wraps, and a
leading nn.Flatten is refused with how to import the rest."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")
nn = torch.nn


def test_from_torch_refuses_a_nan_weight_naming_the_layer_and_place():
    module = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with torch.no_grad():
        module[2].weight[1, 0] = float("nan")             # torch's (outputs, inputs): chainrule's W[0, 1]
    with pytest.raises(ValidationError, match=r"NaN or infinity, first in W\[0, 1\] of layer 1 \(Dense\(3, 2.*: nan"):
        cr.from_torch(module)
    with torch.no_grad():
        module[2].weight[1, 0] = 0.0
        module[0].bias[2] = float("inf")
    with pytest.raises(ValidationError, match=r"first in b\[2\] of layer 0 .*: inf"):
        cr.from_torch(module)


def test_from_onnx_refuses_a_nan_initializer():
    onnx = pytest.importorskip("onnx")
    model = cr.to_onnx(cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 1)], seed=0), checks=False)
    weight = next(t for t in model.graph.initializer if t.name.startswith("chainrule.layer1.W"))
    values = onnx.numpy_helper.to_array(weight).copy()
    values[2, 0] = np.nan
    weight.CopyFrom(onnx.numpy_helper.from_array(values, weight.name))
    with pytest.raises(ValidationError, match=r"NaN or infinity, first in W\[2, 0\] of layer 1 .*: nan"):
        cr.from_onnx(model)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_from_sklearn_refuses_a_nan_coefficient():
    neural = pytest.importorskip("sklearn.neural_network")
    X = np.random.default_rng(0).normal(size=(30, 4))
    clf = neural.MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0).fit(X, np.arange(30) % 3)
    clf.intercepts_[1][1] = np.nan
    with pytest.raises(ValidationError, match=r"first in b\[1\] of layer 1 .*: nan"):
        cr.from_sklearn(clf)


def test_to_torch_to_onnx_and_save_refuse_infinite_weights_in_one_wording_naming_the_place(tmp_path):
    """One refusal (npz.non_finite's place and words) wherever such a network goes out, as where it comes in."""
    pytest.importorskip("onnx")
    net = cr.Network([cr.Dense(3, 2, "sigmoid"), cr.Dense(2, 1)], seed=0)
    net.dense_layers[0].W[2, 1] = -np.inf
    for export in (cr.to_torch, lambda n: cr.to_onnx(n, tmp_path / "m.onnx"), lambda n: cr.save(n, tmp_path / "m")):
        with pytest.raises(ValidationError, match=r"contain NaN or infinity, first in W\[2, 1\] of layer 0 "
                                                  r"\(Dense\(3, 2, activation='sigmoid'\)\): -inf; "):
            export(net)
    assert not list(tmp_path.iterdir())


def test_a_compiled_sequential_imports_as_the_module_it_wraps():
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2), nn.Softmax(dim=1)).double()
    net = cr.from_torch(torch.compile(module, backend="eager"))     # compiles nothing until called; eager: no inductor
    X = np.random.default_rng(0).normal(size=(6, 4))
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    assert np.abs(net.predict(X) - expected).max() < 1e-12
    assert repr(net) == ("Network([Dense(4, 5, activation='tanh'), Dense(5, 2, activation='softmax')], "
                         "loss='categorical_crossentropy', dtype='float64')")


def test_a_compiled_sequential_inside_a_sequential_is_read_through_too():
    torch.manual_seed(1)
    inner = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
    module = nn.Sequential(torch.compile(inner, backend="eager"), nn.Linear(4, 2)).double()
    X = np.random.default_rng(2).normal(size=(5, 3))
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()          # the compiled module's own outputs
    assert np.abs(cr.from_torch(module).predict(X) - expected).max() < 1e-12


def test_a_leading_flatten_is_refused_saying_how_to_import_the_rest():
    module = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    with pytest.raises(ValidationError, match=r"layer 0 \(Flatten\) flattens each sample into a row.*model\[1:\]"):
        cr.from_torch(module)
    X = np.random.default_rng(1).normal(size=(5, 2, 2)).astype(np.float32)
    with torch.no_grad():
        expected = module(torch.from_numpy(X)).numpy()
    assert np.abs(cr.from_torch(module[1:]).predict(X.reshape(len(X), -1)) - expected).max() < 1e-6
