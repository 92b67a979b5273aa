"""torch's param_groups with a rate or betas in any form torch takes (a tensor of shape (1,)), and a torch dict whose
every tensor a user made a NumPy array (the rate a 0-d array), load and go on as torch (1e-12)."""
import numpy as np
import pytest
from torch_twin import goes_on_as_torch

torch = pytest.importorskip("torch")
X = np.random.default_rng(2).normal(size=(10, 3))
Y = X @ np.array([[0.5], [1.0], [-0.75]])


def _numpy(value):
    """Every tensor a NumPy array, as the docs say to make torch's dict chainrule's (`t.numpy().T`)."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().T.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_numpy(v) for v in value)
    return {k: _numpy(v) for k, v in value.items()} if isinstance(value, dict) else value


ONE = [("SGD", {"lr": torch.tensor([0.05], dtype=torch.float64), "momentum": 0.9}),
       ("Adam", {"lr": torch.tensor([0.01], dtype=torch.float64),
                 "betas": (torch.tensor([0.8], dtype=torch.float64), torch.tensor([0.99], dtype=torch.float64))})]


@pytest.mark.parametrize("kind, settings", ONE)
def test_a_rate_and_betas_as_tensors_of_one_element_load_as_torch_takes_them(kind, settings):
    def convert(sd):
        return {"state": {i: {k: float(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                          for i, e in sd["state"].items()}, "param_groups": sd["param_groups"]}
    goes_on_as_torch(kind, settings, convert, X, Y)


@pytest.mark.parametrize("kind, settings", [
    *ONE, ("Adam", {"lr": torch.tensor(0.01, dtype=torch.float64)}),
    ("RMSprop", {"lr": torch.tensor(0.01, dtype=torch.float64), "centered": True})])
def test_torchs_dict_with_every_tensor_made_an_array_loads(kind, settings):
    goes_on_as_torch(kind, settings, _numpy, X, Y)
