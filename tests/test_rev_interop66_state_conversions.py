"""`to_torch_state` / `from_torch_state`: torch's steps after loading leave the converted dict as it was, and what
is not a state dict's entry or array is refused naming where, not met by a deep AttributeError or TypeError."""
import numpy as np
import pytest
from torch_twin import small_net, torch_steps

import chainrule as cr
from chainrule.saving.interop import from_torch_state, to_torch_state

torch = pytest.importorskip("torch")
X = np.random.default_rng(5).normal(size=(10, 3))
Y = X @ np.array([[1.0], [-0.5], [0.25]])


def test_torchs_steps_after_loading_to_torch_state_leave_chainrules_state_dict_as_it_was():
    net = small_net()
    opt = cr.optim.Adam(lr=0.01)
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=len(X), shuffle=False, verbose=0)
    sd = opt.state_dict()
    kept = {i: {k: np.copy(v) for k, v in entry.items()} for i, entry in sd["state"].items()}
    model = cr.to_torch(net).train()
    topt = torch.optim.Adam(model.parameters(), lr=0.01)
    topt.load_state_dict(to_torch_state(sd))
    torch_steps(model, topt, X, Y, 2)
    for i, entry in kept.items():
        for k, v in entry.items():
            np.testing.assert_array_equal(sd["state"][i][k], v, err_msg=f"state[{i}][{k!r}]")


@pytest.mark.parametrize("convert", [to_torch_state, from_torch_state])
@pytest.mark.parametrize("state, said", [([], r"got list"), ({0: 5}, r"got int at index 0")])
def test_a_state_that_is_not_index_to_entry_dicts_is_refused_naming_it(convert, state, said):
    with pytest.raises(cr.errors.ValidationError, match=rf"^{convert.__name__}: a state dict's 'state' is a dict of "
                                                        rf"parameter index -> dict.*{said}"):
        convert({"state": state, "param_groups": []})


@pytest.mark.parametrize("convert, values, said", [
    (from_torch_state, torch.zeros(3, dtype=torch.bfloat16), "bfloat16"),
    (from_torch_state, torch.zeros(3, dtype=torch.int64), "int64"),
    (to_torch_state, np.array(["a", "b"]), "<U1"),
    (to_torch_state, "x", "str")])
def test_a_state_array_that_is_not_float32_or_float64_is_refused_naming_it(convert, values, said):
    with pytest.raises(cr.errors.ValidationError, match=rf"^{convert.__name__}: state\[0\]\['exp_avg'\] must be an "
                                                        rf"array of float32 or float64; got {said}"):
        convert({"state": {0: {"step": 1, "exp_avg": values}}, "param_groups": []})


def test_from_torch_state_takes_torchs_state_whose_tensors_are_already_numpy_arrays():
    model = cr.to_torch(small_net()).train()
    topt = torch.optim.Adam(model.parameters(), lr=0.01)
    torch_steps(model, topt, X, Y, 1)
    sd = topt.state_dict()
    as_numpy = {"state": {i: {k: v.numpy() for k, v in e.items()} for i, e in sd["state"].items()},
                "param_groups": sd["param_groups"]}
    got, want = from_torch_state(as_numpy), from_torch_state(sd)
    for i, entry in want["state"].items():
        assert got["state"][i]["step"] == entry["step"] == 1
        np.testing.assert_array_equal(got["state"][i]["exp_avg"], sd["state"][i]["exp_avg"].numpy().T)
