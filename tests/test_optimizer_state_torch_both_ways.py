"""State dicts that differ from torch's in a key torch's optimizer does not read still go on as torch goes on, both
ways: SGD's 'step' (chainrule's one step count, which torch's SGD keeps but never reads), and an RMSprop state saved
before its momentum buffer was left out at momentum 0 (a buffer of zeros, set aside)."""
import numpy as np
import pytest
from torch_twin import small_net, torch_steps

import chainrule as cr

torch = pytest.importorskip("torch")
X = np.random.default_rng(0).normal(size=(16, 3))
Y = X @ np.array([[0.5], [-1.0], [2.0]])


def _to_torch(sd, keep):
    return {"state": {i: {k: torch.tensor(float(v)) if k == "step" else torch.from_numpy(np.ascontiguousarray(v.T))
                          for k, v in e.items()} for i, e in sd["state"].items()},
            "param_groups": [{k: v for k, v in sd["param_groups"][0].items() if k in keep}]}


def _from_torch(sd):
    return {"state": {i: {k: int(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                      for i, e in sd["state"].items()}, "param_groups": sd["param_groups"]}


def _same(net, model):
    np.testing.assert_allclose(net.layers[0].W, model[0].weight.detach().numpy().T, rtol=1e-10, atol=1e-14)


def test_sgd_state_with_step_and_torch_state_without_it_go_on_as_torch_both_ways():
    settings = {"lr": 0.05, "momentum": 0.9, "dampening": 0.1}
    net = small_net()
    model = cr.to_torch(net)
    topt = torch.optim.SGD(model.parameters(), **settings)
    torch_steps(model, topt, X, Y, 3)
    assert "step" not in topt.state_dict()["state"][0]                # torch's SGD counts no steps
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    opt = cr.optim.SGD(**settings)
    opt.load_state_dict(_from_torch(topt.state_dict()))              # torch's, without 'step'
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=16, shuffle=False, verbose=0)
    torch_steps(model, topt, X, Y, 2)
    _same(net, model)
    ours = opt.state_dict()
    assert sorted(ours["state"][0]) == ["momentum_buffer", "step"]
    again = cr.to_torch(net)
    tagain = torch.optim.SGD(again.parameters(), **settings)
    tagain.load_state_dict(_to_torch(ours, topt.state_dict()["param_groups"][0]))   # ours, with 'step'
    torch_steps(again, tagain, X, Y, 1)
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=16, shuffle=False, verbose=0)
    _same(net, again)


def test_an_rmsprop_state_with_a_zero_buffer_at_momentum_0_goes_on_as_torch():
    net = small_net()
    model = cr.to_torch(net)
    topt = torch.optim.RMSprop(model.parameters(), lr=0.01)
    torch_steps(model, topt, X, Y, 3)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    old = _from_torch(topt.state_dict())
    for entry in old["state"].values():                              # as files written before kept it
        entry["momentum_buffer"] = np.zeros_like(entry["square_avg"])
    opt = cr.optim.RMSprop(lr=0.01)
    opt.load_state_dict(old)
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=16, shuffle=False, verbose=0)
    torch_steps(model, topt, X, Y, 2)
    _same(net, model)
    fresh = torch.optim.RMSprop(cr.to_torch(net).parameters(), lr=0.01)
    fresh.load_state_dict(_to_torch(opt.state_dict(), topt.state_dict()["param_groups"][0]))
