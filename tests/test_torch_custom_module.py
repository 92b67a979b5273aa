"""from_torch of a module of the user's own (Linear layers called in its forward) was refused as 'module must be a
torch.nn.Sequential of Linear layers and activations; got Custom', with no way there. The refusal names the class
and the Sequential to build from the module's own layers; that Sequential, built as said, imports a network whose
predictions are the module's forward (torch computes the truth)."""
import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn


class Custom(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def _suggested(message: str) -> str:
    found = re.search(r"e\.g\. (nn\.Sequential\(.*?\)), and (?:give that|put that in its place)"
                      r"|give (nn\.Sequential\(model\))", message)
    assert found, message
    return found.group(1) or found.group(2)


def _same_as_forward(built, model):
    x = np.random.default_rng(0).normal(size=(5, 4))
    with torch.no_grad():
        want = model(torch.from_numpy(x).to(next(model.parameters()).dtype)).double().numpy()
    np.testing.assert_allclose(cr.from_torch(built).predict(x), want, rtol=1e-5, atol=1e-6)


def test_a_custom_module_is_told_the_sequential_of_its_own_layers_to_give():
    torch.manual_seed(0)
    model = Custom()
    with pytest.raises(cr.errors.ChainruleTypeError) as caught:
        cr.from_torch(model)
    said = str(caught.value)
    assert "got Custom" in said and "module of its own" in said, said
    assert _suggested(said) == "nn.Sequential(model.fc1, nn.ReLU(), model.fc2)", said
    _same_as_forward(eval(_suggested(said)), model)


def test_a_custom_module_inside_a_sequential_is_told_the_same_naming_its_place():
    torch.manual_seed(0)
    outer = nn.Sequential(nn.Linear(4, 4), Custom())
    with pytest.raises(cr.errors.ValidationError) as caught:
        cr.from_torch(outer)
    said = str(caught.value)
    assert "layer 1 (Custom) has no chainrule form" in said and "model[1].fc1" in said, said
    fixed = nn.Sequential(outer[0], eval(_suggested(said), {"nn": nn, "model": outer}))
    _same_as_forward(fixed, outer)


def test_a_single_layer_is_told_to_wrap_it_in_a_sequential():
    torch.manual_seed(0)
    model = nn.Linear(4, 3).double()
    with pytest.raises(cr.errors.ChainruleTypeError, match=r"got Linear, one layer: give nn\.Sequential\(model\)"):
        cr.from_torch(model)
    _same_as_forward(nn.Sequential(model), model)
