"""from_torch: a Flatten of rows between layers is read as torch computes it; a refused Flatten or a nested module of
the user's own is named, with what to give instead, and that advice works."""
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


def test_a_leading_flatten_after_dropout_is_named_with_the_layers_to_import():
    model = nn.Sequential(nn.Dropout(0.1), nn.Flatten(), nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).double().eval()
    with pytest.raises(cr.errors.ValidationError, match=r"^layer 1 \(Flatten\) flattens each sample") as raised:
        cr.from_torch(model)
    code = re.search(r"\((cr\.from_torch\(model\[\d+:\]\))\)", str(raised.value)).group(1)
    np.testing.assert_allclose(eval(code).predict(X), _torch_out(model), rtol=1e-12)


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
