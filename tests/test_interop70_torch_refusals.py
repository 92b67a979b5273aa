"""from_torch of an nn.ModuleList, or of a TorchScript module (torch.jit.script or trace), was told to build
nn.Sequential(model[0], ...) of a "module of its own whose forward chainrule does not read": a ModuleList has no
forward, and a scripted model's layers are no Linear (that Sequential is refused again). Each is named now, with
advice that imports the model with torch's numbers."""
import re
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402

X = np.random.default_rng(70).normal(size=(7, 3))


def _layers():
    torch.manual_seed(70)
    return [nn.Linear(3, 5).double(), nn.Tanh(), nn.Linear(5, 2).double(), nn.Softmax(dim=-1)]


def test_a_module_list_is_named_and_its_sequential_imports():
    model_list = nn.ModuleList(_layers())
    with pytest.raises(ChainruleTypeError, match=r"got a ModuleList of 4 layers, which has no forward") as info:
        cr.from_torch(model_list)
    advice = re.search(r"give (nn\.Sequential\(\*model_list\))", str(info.value)).group(1)
    rebuilt = eval(advice, {"nn": nn, "model_list": model_list})        # the advice as a user types it
    with torch.no_grad():
        expected = nn.Sequential(*_layers())(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(cr.from_torch(rebuilt).predict(X), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("how", ["script", "trace"])
def test_a_torchscript_module_is_named_and_its_weights_load_into_the_eager_model(how):
    eager = nn.Sequential(*_layers())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)      # torch.jit's own notice, not chainrule's
        scripted = torch.jit.script(eager) if how == "script" else torch.jit.trace(eager, torch.from_numpy(X))
    with pytest.raises(ChainruleTypeError, match=rf"a TorchScript module \(torch\.jit\.{how}'s compiled code") as info:
        cr.from_torch(scripted)
    assert type(scripted).__name__ in str(info.value)
    model = nn.Sequential(*_layers())
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
    exec(re.search(r"(model\.load_state_dict\(scripted\.state_dict\(\)\))", str(info.value)).group(1))
    with torch.no_grad():
        expected = scripted(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(cr.from_torch(model).predict(X), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(cr.from_torch(eager).predict(X), expected, rtol=0, atol=1e-12)
