"""Bad inputs that used to give a NumPy/torch traceback, a NumPy RuntimeWarning beside the answer, or a
message naming the wrong line; each now gets one clear error (docs/errors.md)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import errors


# -- from_torch: parameters without NumPy numbers --------------------------------------------
def _torch_mlp():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return torch, torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(),
                                      torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Sigmoid()))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float8_e4m3fn"])
def test_from_torch_refuses_low_precision_parameters_naming_them_and_the_fix(dtype):
    torch, model = _torch_mlp()
    low = model.to(getattr(torch, dtype))
    with pytest.raises(errors.ValidationError) as info:
        cr.from_torch(low)
    assert str(info.value) == (f"layer 0 (Linear): its parameter '0.weight' is torch.{dtype}; chainrule computes in "
                               "float32 or float64: convert the model first with model.float() (float32) or "
                               "model.double() (float64)")
    # the advice works: the float32 copy imports, and computes what torch computes with it
    fixed = low.float()
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = fixed(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cr.from_torch(fixed).predict(x), expected, rtol=1e-6, atol=1e-6)


def test_from_torch_names_a_nested_parameter_by_its_state_dict_key():
    torch, model = _torch_mlp()
    model[2][0].to(torch.bfloat16)
    with pytest.raises(errors.ValidationError, match=r"^layer 2\.0 \(Linear\): its parameter '2\.0\.weight' is "
                                                     r"torch\.bfloat16") as info:
        cr.from_torch(model)
    assert "2.0.weight" in model.state_dict()


def test_from_torch_refuses_meta_parameters_and_says_how_to_load_them():
    torch, real = _torch_mlp()
    with torch.device("meta"):
        _, empty = _torch_mlp()
    with pytest.raises(errors.ValidationError) as info:
        cr.from_torch(empty)
    assert str(info.value) == ("layer 0 (Linear): its parameter '0.weight' is on the 'meta' device: it has a shape "
                               "but no values (a model built without its weights); load the weights first, e.g. "
                               "model.to_empty(device='cpu') then model.load_state_dict(state_dict)")
    empty.to_empty(device="cpu")                 # the advice works
    empty.load_state_dict(real.state_dict())
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    with torch.no_grad():
        expected = real(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(cr.from_torch(empty).predict(x), expected, rtol=1e-6, atol=1e-6)


def test_from_torch_mixed_float32_and_float64_says_how_to_convert():
    torch, model = _torch_mlp()
    model[0].double()
    with pytest.raises(errors.ValidationError, match=r"got \['float32', 'float64'\]: convert the model first with "
                                                     r"model\.float\(\) \(float32\) or model\.double\(\) \(float64\)"):
        cr.from_torch(model)
    assert cr.from_torch(model.double()).dtype == np.float64
