"""A state dict given to the conversion towards its own library: chainrule's `opt.state_dict()` to from_torch_state
was taken and each weight's state transposed (a square W's silently wrong: resumed training drifted from the run it
continued), and torch's `state_dict()` to to_torch_state was transposed too (with `net`) or met by a refusal about
frozen biases (without). Both are refused naming the call that takes the dict as it is; torch's state turned to
NumPy (`.numpy()` of each tensor: the step a 0-d array, or no step for SGD) is still torch's and still converted."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.saving.interop import from_torch_state, to_torch_state

torch = pytest.importorskip("torch")
X = np.random.default_rng(0).normal(size=(8, 3))
Y = np.tanh(X[:, :3] @ np.array([[0.5, -1.0, 0.2], [0.3, 0.1, -0.7], [1.0, 0.4, 0.0]]))


def _square_net() -> cr.Network:
    return cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 3, "linear")], loss="mse", seed=1)


@pytest.mark.parametrize("make", [lambda: cr.optim.Adam(lr=0.01), lambda: cr.optim.SGD(lr=0.1, momentum=0.9),
                                  lambda: cr.optim.RMSprop(lr=0.01)])
def test_chainrules_own_state_is_refused_by_from_torch_state(make):
    net, opt = _square_net(), make()
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for args in ((opt.state_dict(),), (opt.state_dict(), net)):
        with pytest.raises(cr.errors.ValidationError,
                           match=r"^from_torch_state: state\[0\]\['\w+'\] is a NumPy array: this is chainrule's "
                                 r"opt.state_dict\(\) already, which chainrule's opt.load_state_dict takes as it is"):
            from_torch_state(*args)


def test_torchs_state_is_refused_by_to_torch_state():
    net = _square_net()
    model = cr.to_torch(net).train()
    topt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss = torch.nn.functional.mse_loss(model(torch.tensor(X)), torch.tensor(Y))
    loss.backward()
    topt.step()
    for args in ((topt.state_dict(),), (topt.state_dict(), net)):
        with pytest.raises(cr.errors.ValidationError,
                           match=r"^to_torch_state: state\[0\]\['exp_avg'\] is a torch tensor: this is torch's "
                                 r"optimizer.state_dict\(\) already"):
            to_torch_state(*args)


def test_torchs_sgd_state_turned_to_numpy_is_still_converted():
    """Guards what worked: torch's SGD keeps no step, so its NumPy copy has nothing of chainrule's; converted, it
    continues torch's run exactly."""
    net = _square_net()
    model = cr.to_torch(net).train()
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        topt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.tensor(X)), torch.tensor(Y)).backward()
        topt.step()
    sd = topt.state_dict()
    as_numpy = {"state": {i: {k: v.numpy() for k, v in e.items()} for i, e in sd["state"].items()},
                "param_groups": sd["param_groups"]}
    got = from_torch_state(as_numpy)
    for i, entry in sd["state"].items():
        np.testing.assert_array_equal(got["state"][i]["momentum_buffer"], entry["momentum_buffer"].numpy().T)
