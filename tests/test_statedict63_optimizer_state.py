"""optimizer.state_dict() / load_state_dict(sd), torch's habit, and get_config() / from_config(), Keras': a run cut
after k steps and taken up by a new optimizer from the state dict goes on as the one never cut (bit for bit), and as
torch.optim goes on from its own state dict (and the reverse); a dict of another kind, shape or dtype is refused."""
import copy

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")

KINDS = [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)), ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3)),
         ("Adam", dict(lr=0.02, weight_decay=0.01)), ("Adam", dict(lr=0.02, amsgrad=True)),
         ("AdamW", dict(lr=0.02, weight_decay=0.1)), ("RMSprop", dict(lr=0.01, momentum=0.3, centered=True)),
         ("RMSprop", dict(lr=0.01)), ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1))]


def _data(dtype="float64"):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(20, 4)) * 3).astype(dtype), rng.integers(0, 3, size=20)


def _net(dtype="float64"):
    return cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1,
                      dtype=dtype)


def _fit(net, opt, epochs):
    X, y = _data(net.dtype)
    net.fit(X, y, epochs=epochs, batch_size=5, shuffle=False, optimizer=opt, verbose=0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name, kwargs", KINDS)
def test_k_steps_state_dict_then_m_more_is_the_uncut_run_bit_for_bit(name, kwargs, dtype, kernels):
    whole, cut = _net(dtype), _net(dtype)
    _fit(whole, getattr(optim, name)(**kwargs), 5)
    _fit(cut, getattr(optim, name)(**kwargs), 2)
    sd = cut.optimizer.state_dict()
    assert set(sd["state"]) == {0, 1, 2, 3} and sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    for i, w in enumerate(cut.get_weights()):
        arrays = {k: v for k, v in sd["state"][i].items() if k != "step"}
        assert arrays and all(v.shape == w.shape and v.dtype == w.dtype for v in arrays.values())
        assert sd["state"][i]["step"] == 8
    taken_up = _net(dtype)
    taken_up.set_weights(cut.get_weights())
    fresh = getattr(optim, name)(**kwargs)
    fresh.load_state_dict(copy.deepcopy(sd))
    _fit(taken_up, fresh, 3)
    for got, want in zip(taken_up.get_weights(), whole.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert fresh.t == whole.optimizer.t


def _torch_run(params, opt, steps, start):
    X, y = _data()
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for step in range(start, start + steps):
        i = step % 4
        z = torch.tanh(Xt[i * 5:i * 5 + 5] @ params[0] + params[1]) @ params[2] + params[3]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(z, yt[i * 5:i * 5 + 5]).backward()
        opt.step()


def _as_numpy(sd):
    return {"state": {i: {k: v.numpy().copy() if k != "step" else float(v) for k, v in entry.items()}
                      for i, entry in sd["state"].items()},
            "param_groups": copy.deepcopy(sd["param_groups"])}


def _as_torch(sd):
    return {"state": {i: {k: torch.tensor(v) for k, v in entry.items()} for i, entry in sd["state"].items()},
            "param_groups": copy.deepcopy(sd["param_groups"])}


@pytest.mark.parametrize("name, kwargs", KINDS)
def test_torchs_own_state_dict_taken_up_goes_on_as_torch_and_back(name, kwargs, kernels):
    """torch.optim trains 8 steps; its state dict (tensors as NumPy) loaded into chainrule's optimizer of a network
    of torch's weights: 8 more steps are torch's 8 more. Then chainrule's state dict loaded into a new torch
    optimizer: 4 more steps are chainrule's."""
    net = _net()
    params = [torch.tensor(w.copy(), requires_grad=True) for w in net.get_weights()]
    ref = getattr(torch.optim, name)(params, **kwargs)
    _torch_run(params, ref, 8, 0)
    net.set_weights([p.detach().numpy().copy() for p in params])
    ours = getattr(optim, name)(**kwargs)
    ours.load_state_dict(_as_numpy(ref.state_dict()))
    _torch_run(params, ref, 8, 8)
    _fit(net, ours, 2)
    for got, want in zip(net.get_weights(), params):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=0, atol=1e-12)
    again = [torch.tensor(w.copy(), requires_grad=True) for w in net.get_weights()]
    theirs = getattr(torch.optim, name)(again, **kwargs)
    theirs.load_state_dict(_as_torch(ours.state_dict()))
    _torch_run(again, theirs, 4, 16)
    _fit(net, ours, 1)
    for got, want in zip(net.get_weights(), again):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=0, atol=1e-12)


def _trained(name="Adam", **kwargs):
    net = _net()
    _fit(net, getattr(optim, name)(**kwargs), 1)
    return net, net.optimizer.state_dict()


def test_a_state_dict_of_another_kind_is_refused_by_key():
    _, sd = _trained("Adam")
    with pytest.raises(ValidationError, match=r"\['betas'.*SGD does not take.*Adam"):
        optim.SGD(0.1, momentum=0.9).load_state_dict(sd)
    with pytest.raises(ValidationError, match="decoupled_weight_decay=False.*AdamW has True.*load it into Adam"):
        optim.AdamW().load_state_dict(sd)
    _, sgd = _trained("SGD", momentum=0.9)
    with pytest.raises(ValidationError, match=r"\['momentum', 'dampening', 'nesterov'\].*Adam does not take.*of SGD"):
        optim.Adam().load_state_dict(sgd)


def test_missing_keys_other_shapes_and_dtypes_are_refused_naming_them():
    net, sd = _trained("Adam")
    broken = copy.deepcopy(sd)
    del broken["state"][2]["exp_avg_sq"]
    with pytest.raises(ValidationError, match=r"state\[2\] lacks \['exp_avg_sq'\]"):
        optim.Adam().load_state_dict(broken)
    broken = copy.deepcopy(sd)
    del broken["param_groups"][0]["eps"]
    with pytest.raises(ValidationError, match=r"lacks \['eps'\]"):
        optim.Adam().load_state_dict(broken)
    broken = copy.deepcopy(sd)
    broken["state"][0]["exp_avg"] = broken["state"][0]["exp_avg"].T
    with pytest.raises(ValidationError, match=r"state\[0\]\['exp_avg'\] has shape \(8, 4\).*expected shape \(4, 8\)"):
        net.optimizer.load_state_dict(broken)
    broken = copy.deepcopy(sd)
    broken["state"][1] = {k: v.astype("float32") if k != "step" else v for k, v in broken["state"][1].items()}
    with pytest.raises(ValidationError, match=r"state\[1\]\['exp_avg'\] has shape \(8,\) and dtype float32.*float64"):
        net.optimizer.load_state_dict(broken)
    broken = copy.deepcopy(sd)
    broken["state"][3]["step"] = 3
    with pytest.raises(ValidationError, match="step counts differ"):
        optim.Adam().load_state_dict(broken)
    with pytest.raises(ValidationError, match="keys"):
        optim.Adam().load_state_dict({"state": {}})


def test_a_state_dict_of_another_network_is_refused_when_it_meets_the_network():
    _, sd = _trained("Adam")
    opt = optim.Adam()
    opt.load_state_dict(sd)
    other = cr.Network([cr.Dense(4, 5, "tanh"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy")
    with pytest.raises(ValidationError, match=r"parameter arrays \[\(4, 8\), \(8,\), \(8, 3\), \(3,\)\].*\(4, 5\)"):
        _fit(other, opt, 1)
    narrow = _net("float32")
    with pytest.raises(ValidationError, match="float64.*float32"):
        _fit(narrow, opt, 1)
    assert set(opt.state) == {"exp_avg", "exp_avg_sq"}      # refused, not replaced by zeros


def test_nothing_is_set_when_a_dict_is_refused():
    net, sd = _trained("Adam", lr=0.05)
    before = net.optimizer.state_dict()
    broken = copy.deepcopy(sd)
    broken["param_groups"][0]["lr"] = 0.5
    broken["state"][3]["exp_avg_sq"] = -broken["state"][3]["exp_avg_sq"] - 1
    with pytest.raises(ValidationError, match="never negative"):
        net.optimizer.load_state_dict(broken)
    assert net.optimizer.lr == 0.05 and net.optimizer.state_dict()["param_groups"] == before["param_groups"]


def test_a_saved_and_loaded_network_gives_the_same_state_dict(tmp_path):
    net, sd = _trained("SGD", momentum=0.9, dampening=0.1)
    net.save(tmp_path / "m.npz")
    again = cr.load(tmp_path / "m.npz").optimizer.state_dict()
    assert again["param_groups"] == sd["param_groups"] and set(again["state"]) == set(sd["state"])
    for i, entry in sd["state"].items():
        assert set(again["state"][i]) == set(entry)
        for key, value in entry.items():
            np.testing.assert_array_equal(again["state"][i][key], value)


@pytest.mark.parametrize("name, kwargs", [*KINDS, ("SGD", dict(lr=optim.StepLR(0.1, step_size=2), momentum=0.9))])
def test_get_config_from_config_round_trips(name, kwargs):
    cls = getattr(optim, name)
    opt = cls(**kwargs)
    again = cls.from_config(opt.get_config())
    assert type(again) is cls and again.get_config() == opt.get_config() and repr(again) == repr(opt)
    with pytest.raises(ValidationError, match="config of 'Adagrad'"):
        optim.Adam.from_config(optim.Adagrad().get_config())


def test_an_sgd_buffer_not_started_under_a_frozen_layer_is_left_out_and_starts_as_torchs():
    """Layer 0 frozen for the first 2 epochs: its buffer has not started, so its entries have no buffer (torch's
    have none); unfrozen after load, its first step starts the buffer undamped, as the uncut run's does."""
    runs = []
    for cut in (False, True):
        net = _net()
        net.layers[0].trainable = False
        opt = optim.SGD(0.1, momentum=0.9, dampening=0.5)
        _fit(net, opt, 2)
        if cut:
            sd = opt.state_dict()
            assert "momentum_buffer" not in sd["state"][0] and "momentum_buffer" in sd["state"][2]
            with pytest.raises(ValidationError, match=r"parameters \[0, 1\] holds no arrays.*opt.bind\(net\)"):
                optim.SGD(0.1, momentum=0.9, dampening=0.5).load_state_dict(sd)
            opt = optim.SGD(0.1, momentum=0.9, dampening=0.5).bind(net)      # knows the shapes: the network's
            opt.load_state_dict(sd)
        net.layers[0].trainable = True
        _fit(net, opt, 2)
        runs.append(net.params)
    np.testing.assert_array_equal(*runs)


def test_an_optimizer_stepped_on_one_array_gives_one_parameter():
    weights, grads = np.zeros(3), np.array([3.0, -0.2, -5.0])
    opt = optim.RMSprop(0.1, momentum=0.5)
    opt.step(weights, grads)
    sd = opt.state_dict()
    assert list(sd["state"]) == [0] and sd["state"][0]["square_avg"].shape == (3,)
    again, copied = optim.RMSprop(0.1, momentum=0.5), weights.copy()
    again.load_state_dict(sd)
    opt.step(weights, grads)
    again.step(copied, grads)
    np.testing.assert_array_equal(weights, copied)


def test_a_scheduled_rate_goes_on_from_its_epoch_and_another_schedule_is_refused():
    def sgd():
        return optim.SGD(optim.StepLR(0.2, step_size=1, gamma=0.5), momentum=0.9)
    X, y = _data()
    whole, cut = _net(), _net()
    whole.fit(X, y, epochs=4, batch_size=5, shuffle=False, optimizer=sgd(), verbose=0)
    cut.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=sgd(), verbose=0)
    sd = cut.optimizer.state_dict()
    assert sd["param_groups"][0]["lr"] == 0.1 and sd["param_groups"][0]["epoch"] == 1
    with pytest.raises(ValidationError, match="'lr'] is 0.1.*StepLR gives 0.15 at epoch 1"):
        optim.SGD(optim.StepLR(0.3, step_size=1, gamma=0.5), momentum=0.9).load_state_dict(sd)
    opt = sgd()
    opt.load_state_dict(sd)
    cut.fit(X, y, epochs=4, initial_epoch=2, batch_size=5, shuffle=False, optimizer=opt, verbose=0)
    np.testing.assert_array_equal(cut.params, whole.params)


def test_parameters_without_state_among_stepped_ones_are_refused_as_torchs_step_0():
    """torch's Adam keeps no state for a parameter never stepped (a frozen layer): its step is 0 while the others'
    are 8, which chainrule's one step count cannot hold (zeros at step 9 are not torch's first step)."""
    net = _net()
    params = [torch.tensor(w.copy(), requires_grad=True) for w in net.get_weights()]
    ref = torch.optim.Adam(params, lr=0.02)
    for _ in range(8):
        ref.zero_grad()
        (params[0].sum() ** 2 + params[1].sum() ** 2).backward()
        ref.step()
    sd = _as_numpy(ref.state_dict())
    assert set(sd["state"]) == {0, 1}
    with pytest.raises(ValidationError, match=r"state lacks parameters \[2, 3\].*step 0.*8"):
        optim.Adam(0.02).bind(net).load_state_dict(sd)
    _, ours = _trained("Adam")
    del ours["state"][3]
    with pytest.raises(ValidationError, match=r"state lacks parameters \[3\]"):
        optim.Adam().bind(_net()).load_state_dict(ours)


def test_state_values_that_are_not_arrays_of_numbers_are_refused_naming_the_key():
    _, sd = _trained("Adam")
    for bad in ([[1.0, 2.0], [3.0]], "abc", None):
        broken = copy.deepcopy(sd)
        broken["state"][2]["exp_avg"] = bad
        with pytest.raises(ValidationError, match=r"state\[2\]\['exp_avg'\]"):
            optim.Adam().load_state_dict(broken)


def test_a_setting_refused_names_its_param_group_key():
    _, sd = _trained("Adam")
    sd["param_groups"][0]["betas"] = (1.5, 0.999)
    with pytest.raises(ValidationError, match=r"param_groups\[0\]\['betas'\].*1.5"):
        optim.Adam().load_state_dict(sd)
