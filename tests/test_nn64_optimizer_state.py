"""RMSprop's state dict as torch's: a momentum buffer only while momentum is on, loaded both ways."""
import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

X = np.random.default_rng(0).normal(size=(16, 3))
Y = X @ np.array([[0.5], [-1.0], [2.0]])


def _pair(momentum, centered=False):
    """The same network in chainrule and torch, trained 3 full-batch steps by RMSprop with these settings."""
    net = cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    model = cr.to_torch(net)
    opt = cr.optim.RMSprop(lr=0.01, momentum=momentum, centered=centered)
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=16, shuffle=False, verbose=0)
    topt = torch.optim.RMSprop(model.parameters(), lr=0.01, momentum=momentum, centered=centered)
    for _ in range(3):
        topt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
        topt.step()
    return net, opt, model, topt


@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.0, True), (0.9, False), (0.9, True)])
def test_rmsprop_state_dict_has_the_keys_torch_has(momentum, centered):
    _, opt, _, topt = _pair(momentum, centered)
    ours, theirs = opt.state_dict()["state"], topt.state_dict()["state"]
    assert {i: sorted(e) for i, e in ours.items()} == {i: sorted(e) for i, e in theirs.items()}
    for i, entry in theirs.items():
        for key, value in entry.items():
            want = value.numpy().T if value.ndim == 2 else value.numpy()      # torch's Linear.weight is W's transpose
            np.testing.assert_allclose(ours[i][key], want, rtol=1e-10, atol=1e-14)


def test_rmsprop_without_momentum_loads_torch_and_torch_loads_it():
    """A chainrule RMSprop(momentum=0) goes on from torch's state as torch goes on, and torch takes chainrule's."""
    net, opt, model, topt = _pair(0.0)
    sd = opt.state_dict()
    fresh = torch.optim.RMSprop(model.parameters(), lr=0.01)
    fresh.load_state_dict({"state": {i: {k: torch.from_numpy(np.ascontiguousarray(v.T if v.ndim == 2 else v))
                                         if k != "step" else torch.tensor(float(v)) for k, v in e.items()}
                                     for i, e in sd["state"].items()},
                           "param_groups": [{k: v for k, v in sd["param_groups"][0].items()
                                             if k not in ("clip_norm", "clip_value", "epoch")}]})
    assert sorted(fresh.state_dict()["state"][0]) == ["square_avg", "step"]
    other = cr.optim.RMSprop(lr=0.01)
    theirs = topt.state_dict()                            # torch's Linear.weight is W's transpose
    other.load_state_dict({"state": {i: {k: v.numpy().T.copy() if k != "step" else int(v) for k, v in e.items()}
                                     for i, e in theirs["state"].items()}, "param_groups": theirs["param_groups"]})
    assert sorted(other.state_dict()["state"][0]) == ["square_avg", "step"]
    net.fit(X, Y, optimizer=other, epochs=1, batch_size=16, shuffle=False, verbose=0)
    topt.zero_grad()
    torch.nn.functional.mse_loss(model(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    topt.step()
    np.testing.assert_allclose(net.layers[0].W, model[0].weight.detach().numpy().T, rtol=1e-10)


def test_rmsprop_momentum_turned_on_later_starts_its_buffer_from_zeros_as_a_fresh_one():
    """Momentum turned on after steps without it: the buffer starts at zero, as torch's RMSprop starts it."""
    net, opt, model, topt = _pair(0.0)
    opt.momentum = 0.9
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=16, shuffle=False, verbose=0)
    sd = opt.state_dict()["state"][0]
    assert sorted(sd) == ["momentum_buffer", "square_avg", "step"]
    grad_step = sd["momentum_buffer"]                  # one step from zero: g / (sqrt(v) + eps)
    assert np.all(np.isfinite(grad_step)) and np.any(grad_step != 0)
