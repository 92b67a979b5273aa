"""An nn.ModuleList or a TorchScript module nested inside an nn.Sequential got the generic per-layer advice ("a module
of its own ... build an nn.Sequential of its layers"), which for a scripted layer names its compiled sublayers (refused
again). Each is named now as at the top level, with advice for its place in the model that imports it."""
import re
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402

X = np.random.default_rng(70).normal(size=(7, 3))


def _inner():
    torch.manual_seed(70)
    return [nn.Linear(5, 4).double(), nn.Tanh()]


def _model(inner):
    torch.manual_seed(7)
    return nn.Sequential(nn.Linear(3, 5).double(), nn.ReLU(), nn.Sequential(inner), nn.Linear(4, 2).double())


def _expected():
    with torch.no_grad():
        return _model(nn.Sequential(*_inner()))(torch.from_numpy(X)).numpy()


def test_a_nested_module_list_is_named_and_its_advice_imports_the_model():
    model = _model(nn.ModuleList(_inner()))
    with pytest.raises(ValidationError, match=r"layer 2\.0 \(ModuleList\) is a ModuleList of 2 layers, which has no "
                                              r"forward") as info:
        cr.from_torch(model)
    assert "module of its own" not in str(info.value)
    exec(re.search(r"\((model\[2\]\[0\] = nn\.Sequential\(\*model\[2\]\[0\]\));", str(info.value)).group(1))
    np.testing.assert_allclose(cr.from_torch(model).predict(X), _expected(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("how", ["script", "trace"])
def test_a_nested_torchscript_module_is_named_and_its_advice_imports_the_model(how):
    eager = nn.Sequential(*_inner())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)      # torch.jit's own notice, not chainrule's
        scripted = torch.jit.script(eager) if how == "script" else torch.jit.trace(eager, torch.zeros(1, 5).double())
    model = _model(scripted)
    with pytest.raises(ValidationError, match=rf"layer 2\.0 \({type(scripted).__name__}\) is a TorchScript module "
                                              rf"\(torch\.jit\.{how}'s compiled code") as info:
        cr.from_torch(model)
    assert "module of its own" not in str(info.value)
    fix = re.search(r"(eager\.load_state_dict\(model\[2\]\[0\]\.state_dict\(\)\); model\[2\]\[0\] = eager)",
                    str(info.value)).group(1)
    eager = nn.Sequential(*_inner())
    with torch.no_grad():
        for p in eager.parameters():
            p.zero_()
    exec(fix)
    np.testing.assert_allclose(cr.from_torch(model).predict(X), _expected(), rtol=0, atol=1e-12)
