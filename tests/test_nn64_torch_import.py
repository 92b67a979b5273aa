"""from_torch: a Flatten of rows between layers is read as torch computes it; a refused Flatten or a nested module of
the user's own is named, with what to give instead, and that advice works."""
import copy
import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn
X = np.random.default_rng(0).normal(size=(6, 3))


def _torch_out(model):
    with torch.no_grad():
        return model.double()(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("make", [
    lambda: nn.Sequential(nn.Linear(3, 4), nn.Flatten(), nn.ReLU(), nn.Linear(4, 2)),
    lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Sequential(nn.Flatten(), nn.Linear(4, 1))),
    lambda: nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 2), nn.Flatten())])
def test_a_flatten_after_a_linear_is_read_as_torch_computes_it(make):
    """A Linear's outputs are rows, which Flatten() leaves as they are: the network predicts torch's outputs."""
    model = make()
    np.testing.assert_allclose(cr.from_torch(model.double()).predict(X), _torch_out(model), rtol=1e-12)


def test_a_flatten_of_other_dims_in_the_middle_is_named():
    model = nn.Sequential(nn.Linear(3, 4), nn.Flatten(0), nn.Linear(4, 1))
    with pytest.raises(cr.errors.ValidationError, match=r"^layer 1 \(Flatten\) flattens dims 0 to -1"):
        cr.from_torch(model)


@pytest.mark.parametrize("make, place", [
    (lambda: nn.Sequential(nn.Dropout(0.1), nn.Flatten(), nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)), "1"),
    (lambda: nn.Sequential(nn.Sequential(nn.Flatten(), nn.Linear(3, 4)), nn.ReLU(), nn.Linear(4, 1)), "0.0"),
    (lambda: nn.Sequential(nn.Dropout(0.1), nn.Sequential(nn.Flatten(), nn.Linear(3, 4), nn.Tanh()), nn.Linear(4, 1)),
     "1.0")])
def test_a_leading_flatten_not_first_is_named_with_code_that_imports_every_other_layer(make, place):
    """The advice runs as given, keeps the layers before the Flatten (a Dropout too) and leaves the model as it was."""
    model = make().double().eval()
    with pytest.raises(cr.errors.ValidationError, match=rf"^layer {place} \(Flatten\) flattens each sample") as raised:
        cr.from_torch(model)
    code = re.search(r"import the model without it \((.*?; cr\.from_torch\(m\))\)", str(raised.value)).group(1)
    scope = {"model": model, "copy": copy, "cr": cr}
    exec(code.replace("cr.from_torch(m)", "net = cr.from_torch(m)"), scope)
    net, want = scope["net"], _torch_out(model)              # model untouched: it still flattens
    np.testing.assert_allclose(net.predict(X), want, rtol=1e-12)
    dropouts = sum(isinstance(m, nn.Dropout) for m in model.modules())
    assert sum(isinstance(layer, cr.Dropout) for layer in net.layers) == dropouts
    assert any(isinstance(m, nn.Flatten) for m in model.modules())


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


def test_a_nested_module_of_its_own_is_told_to_be_replaced_in_place_and_that_works():
    """Inside a Sequential, a module of the user's own is named by its place, and the advice replaces it there."""
    model = nn.Sequential(Block(), nn.Linear(4, 2)).double()
    want = _torch_out(model)
    with pytest.raises(cr.errors.ValidationError, match=r"^layer 0 \(Block\) has no chainrule form") as raised:
        cr.from_torch(model)
    code = re.search(r"in the model \((model\[0\] = nn\.Sequential\(.*?\))\), then give the model", str(raised.value))
    exec(code.group(1), {"model": model, "nn": nn})
    np.testing.assert_allclose(cr.from_torch(model).predict(X), want, rtol=1e-12)
