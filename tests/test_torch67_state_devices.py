"""torch's optimizer state converted by from_torch_state / to_torch_state: a tensor on the 'meta' device (a shape,
no values) and a step that is no whole number are refused naming the entry, not a torch error or a step cut short."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402


def _torch_state():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    module = cr.to_torch(net).train()
    opt = torch.optim.Adam(module.parameters(), lr=0.01)
    module(torch.from_numpy(np.random.default_rng(0).normal(size=(5, 3)))).sum().backward()
    opt.step()
    return net, opt.state_dict()


@pytest.mark.parametrize("key", ["exp_avg", "step"])
def test_a_meta_tensor_in_the_state_is_refused_naming_it(key):
    _, sd = _torch_state()
    sd["state"][2][key] = sd["state"][2][key].to("meta")
    with pytest.raises(ValidationError, match=rf"from_torch_state: state\[2\]\['{key}'\] is on the 'meta' device"):
        from_torch_state(sd)


def test_a_state_from_torch_loads_and_its_step_is_kept():
    """The independent truth: torch's own step count and moments, in W's layout."""
    net, sd = _torch_state()
    opt = cr.optim.Adam(lr=0.01)
    opt.bind(net)
    opt.load_state_dict(from_torch_state(sd))
    ours = opt.state_dict()["state"]
    assert ours[0]["step"] == int(sd["state"][0]["step"]) == 1
    np.testing.assert_array_equal(ours[0]["exp_avg"], sd["state"][0]["exp_avg"].numpy().T)


@pytest.mark.parametrize("step", [2.5, torch.tensor(2.5), -1.0])
@pytest.mark.parametrize("convert", [from_torch_state, to_torch_state])
def test_a_step_that_is_no_whole_number_is_refused_not_cut_short(step, convert):
    """int(2.5) is 2: the conversion read a damaged step as another one."""
    _, sd = _torch_state()
    if convert is to_torch_state:
        sd = from_torch_state(sd)
    sd["state"][1]["step"] = step
    with pytest.raises(ValidationError, match=rf"{convert.__name__}: state\[1\]\['step'\] must be a whole number"):
        convert(sd)



TRUTHS = {"str": "3", "bytes": b"3", "np-bool": np.bool_(True), "torch-bool": torch.tensor(True)}


@pytest.mark.parametrize("step", TRUTHS.values(), ids=TRUTHS.keys())
@pytest.mark.parametrize("convert", [from_torch_state, to_torch_state])
def test_a_step_of_text_or_truth_is_refused_as_load_state_dict_refuses_it(step, convert):
    """float('3') is 3.0 and float(np.True_) 1.0: the conversions took such steps as whole numbers, which
    load_state_dict itself refuses; both read a step one way now."""
    net, sd = _torch_state()
    ours = from_torch_state(sd)
    ours["state"][1]["step"] = step
    opt = cr.optim.Adam(lr=0.01)
    opt.bind(net)
    with pytest.raises(ValidationError, match=r"load_state_dict: state\[1\]\['step'\] must be a whole number"):
        opt.load_state_dict(ours)
    given = ours if convert is to_torch_state else sd
    given["state"][1]["step"] = step
    with pytest.raises(ValidationError, match=rf"{convert.__name__}: state\[1\]\['step'\] must be a whole number"):
        convert(given)
