"""Layers between chainrule and torch / Keras, as a practitioner uses them: `to_torch(net)` on one sample alone (a
1-D tensor, which nn.Linear takes) failed in torch's words for a softmax output (`Softmax(dim=1)` has no dim 1
there), and a Dropout that drops every unit (rate 1, which torch and Keras build) was refused without naming the
layer ("rate must be a number in [0, 1)")."""
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

X = np.random.default_rng(0).normal(size=(4, 3))
ACTIVATIONS = ["sigmoid", "tanh", "relu", {"name": "leaky_relu", "alpha": 0.3}, "softmax", "linear"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_to_torch_takes_one_sample_alone_as_predict_gives_its_row(activation, dtype):
    net = cr.Network([cr.Dense(3, 5, "tanh"), cr.Dense(5, 3, activation)], loss="mse", dtype=dtype, seed=0)
    module = cr.to_torch(net)
    with torch.no_grad():
        one = module(torch.from_numpy(X[0].astype(dtype)))
    assert one.shape == (3,) and one.dtype == getattr(torch, dtype)
    np.testing.assert_allclose(one.numpy(), net.predict(X[:1].astype(dtype))[0], rtol=0,
                               atol=1e-12 if dtype == "float64" else 1e-6)


def test_a_torch_dropout_of_every_unit_is_refused_naming_the_layer():
    module = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Dropout(1.0), nn.Linear(4, 1)))
    with pytest.raises(ValidationError, match=r"layer 2\.0 \(Dropout\) drops a fraction 1\.0 of the units; "
                                              r"chainrule's Dropout takes a rate in \[0, 1\)"):
        cr.from_torch(module)


def test_a_keras_dropout_of_every_unit_is_refused_naming_the_layer():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, "relu"),
                              keras.layers.Dropout(1.0, name="all"), keras.layers.Dense(1)])
    with pytest.raises(ValidationError, match=r"layer 1 \(Dropout 'all'\) drops a fraction 1\.0 of the units"):
        cr.from_keras(model)


def _row(case: str) -> str:
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    return doc.split(f"| {case} | `ValidationError` | ", 1)[1].split(" | ", 1)[0]


def test_errors_md_rows_are_the_messages():
    with pytest.raises(ValidationError) as dropout:
        cr.from_torch(nn.Sequential(nn.Linear(3, 4), nn.Dropout(1.0)))
    assert str(dropout.value) == _row("from_torch a Dropout of every unit")
    from chainrule.saving.interop import from_torch_state
    torch.manual_seed(0)
    net = cr.from_torch(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)).double())
    module = cr.to_torch(net)
    opt = torch.optim.SGD(list(module.parameters())[:1], lr=0.1, momentum=0.9)
    module(torch.ones(2, 3, dtype=torch.float64)).sum().backward()
    opt.step()
    with pytest.raises(ValidationError) as other:
        from_torch_state(opt.state_dict(), net)
    assert str(other.value) == _row("optimizer state of other parameters")


def test_a_lazy_linear_not_run_yet_is_told_to_run_once_and_then_imports():
    torch.manual_seed(0)
    model = nn.Sequential(nn.LazyLinear(4), nn.Tanh(), nn.Linear(4, 1)).double()
    with pytest.raises(ValidationError, match=r"layer 0 \(LazyLinear\) has not been run yet: .*run the model once on "
                                              r"a batch \(model\(x\)\)") as refused:
        cr.from_torch(model)
    assert "prune" not in str(refused.value)               # no hooks of the user's own to remove
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(cr.from_torch(model).predict(X), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("wrap", ["weight_norm", "spectral_norm"])
def test_a_parametrized_weight_is_told_how_to_keep_its_values_and_then_imports(wrap):
    from torch.nn.utils import parametrizations, parametrize
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(),
                          getattr(parametrizations, wrap)(nn.Linear(4, 2))).double()
    with pytest.raises(ValidationError, match=r"layer 2 \(ParametrizedLinear\)'s 'weight' is parametrized .*"
                                              r"remove_parametrizations\(model\[2\], 'weight'\)") as refused:
        cr.from_torch(model)
    assert "Sequential of its layers" not in str(refused.value)
    model.eval()
    with torch.no_grad():
        parametrize.remove_parametrizations(model[2], "weight")
        expected = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(cr.from_torch(model).predict(X), expected, rtol=0, atol=1e-12)
