"""torch's param_groups as torch 2.x writes them: a rate or betas given as tensors (torch takes them and keeps them so),
an unbound optimizer that loaded torch's fresh dict giving it back to torch, and a bad rate
refused as load_state_dict's."""
import numpy as np
import pytest
from torch_twin import goes_on_as_torch, small_net

import chainrule as cr

torch = pytest.importorskip("torch")
X = np.random.default_rng(1).normal(size=(12, 3))
Y = X @ np.array([[1.0], [-0.5], [0.25]])


def _as_ours(sd):
    return {"state": {i: {k: float(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                      for i, e in sd["state"].items()}, "param_groups": sd["param_groups"]}


@pytest.mark.parametrize("kind, settings", [
    ("Adam", {"lr": torch.tensor(0.01), "betas": (torch.tensor(0.8, dtype=torch.float64),
                                                  torch.tensor(0.99, dtype=torch.float64))}),
    ("AdamW", {"lr": torch.tensor(0.02, dtype=torch.float64)}),
    ("SGD", {"lr": torch.tensor(0.05), "momentum": 0.9}),
    ("RMSprop", {"lr": torch.tensor(0.01), "centered": True})])
def test_a_rate_and_betas_given_as_tensors_load_and_go_on_as_torch(kind, settings):
    opt = goes_on_as_torch(kind, settings, _as_ours, X, Y)
    assert opt.lr == float(settings["lr"])


@pytest.mark.parametrize("kind", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_an_unbound_optimizer_gives_torch_back_the_parameters_its_dict_listed(kind):
    model = cr.to_torch(small_net())
    fresh = getattr(torch.optim, kind)(model.parameters()).state_dict()
    opt = getattr(cr.optim, kind)()
    opt.load_state_dict(_as_ours(fresh))
    again = opt.state_dict()
    assert again["param_groups"][0]["params"] == fresh["param_groups"][0]["params"]
    getattr(torch.optim, kind)(model.parameters()).load_state_dict(again)       # torch's own check of the sizes


def test_a_bad_rate_is_refused_as_load_state_dicts():
    sd = cr.optim.Adam().bind(small_net()).state_dict()
    sd["param_groups"][0]["lr"] = "fast"
    with pytest.raises(cr.errors.ChainruleError, match=r"^load_state_dict: param_groups\[0\]\['lr'\] must be a number"):
        cr.optim.Adam().load_state_dict(sd)
