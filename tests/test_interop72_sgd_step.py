"""torch's SGD keeps no step count (its state is the momentum buffer alone, nothing for plain SGD), but
`to_torch_state` wrote chainrule's 'step' into each entry: torch kept it as an extra key that never counts on (still 2
after more steps), and the dict was not the one torch writes. Converted, chainrule's SGD state is now torch's own,
equal to the state torch's SGD writes after the same steps; torch's goes to chainrule and back unchanged (its settings
too, but for those of how torch computes, which chainrule leaves alone); either side's three more steps are the
other's to 1e-12."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch_twin import X, Y, assert_weights_as_torch, small_net, torch_steps  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402
from chainrule.training.optimizer_state import TORCH_HOW  # noqa: E402

SETTINGS = [{"momentum": 0.0}, {"momentum": 0.9}, {"momentum": 0.9, "nesterov": True},
            {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}]


def _fit(net, opt, steps):
    net.fit(X, Y, optimizer=opt, epochs=steps, batch_size=len(X), shuffle=False, verbose=0)


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_chainrules_sgd_state_is_torchs_after_the_same_steps_and_goes_on_as_torch(settings):
    net = small_net()
    twin = cr.to_torch(net).train()
    tsgd = torch.optim.SGD(twin.parameters(), lr=0.1, **settings)
    opt = cr.optim.SGD(lr=0.1, **settings)
    _fit(net, opt, 2)
    torch_steps(twin, tsgd, X, Y, 2)
    converted = to_torch_state(opt.state_dict(), net=net)
    expected = tsgd.state_dict()["state"]
    assert {i: sorted(e) for i, e in converted["state"].items()} == {i: sorted(e) for i, e in expected.items()}
    for i, entry in expected.items():
        for key, value in entry.items():
            np.testing.assert_allclose(converted["state"][i][key].numpy(), value.numpy(), rtol=1e-12, atol=1e-13)
    module = cr.to_torch(net).train()
    resumed = torch.optim.SGD(module.parameters(), lr=0.1)
    resumed.load_state_dict(converted)
    _fit(net, opt, 3)
    torch_steps(module, resumed, X, Y, 3)
    assert_weights_as_torch(net, module)
    assert {i: sorted(e) for i, e in resumed.state_dict()["state"].items()} == \
        {i: sorted(e) for i, e in tsgd.state_dict()["state"].items()}


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_torchs_sgd_state_goes_to_chainrule_and_back_unchanged(settings):
    net = small_net()
    module = cr.to_torch(net).train()
    tsgd = torch.optim.SGD(module.parameters(), lr=0.1, **settings)
    torch_steps(module, tsgd, X, Y, 2)
    sd = tsgd.state_dict()
    opt = cr.optim.SGD()
    opt.load_state_dict(from_torch_state(sd))
    back = to_torch_state(opt.state_dict(), net=net)
    assert sorted(back["state"]) == sorted(sd["state"])
    for i, entry in sd["state"].items():
        assert sorted(back["state"][i]) == sorted(entry)
        for key, value in entry.items():
            assert torch.equal(back["state"][i][key], value)
    again = torch.optim.SGD(cr.to_torch(net).parameters(), lr=0.5)
    again.load_state_dict(back)
    theirs, ours = sd["param_groups"][0], again.state_dict()["param_groups"][0]
    how = set(TORCH_HOW)             # how torch computes, left alone by chainrule: torch's load sets its defaults
    assert {k: ours[k] for k in theirs if k not in how} == {k: v for k, v in theirs.items() if k not in how}
    net.set_weights([p.detach().numpy().T.copy() for p in module.parameters()])
    _fit(net, opt, 3)
    torch_steps(module, tsgd, X, Y, 3)
    assert_weights_as_torch(net, module)


def test_a_float32_bias_free_network_with_a_frozen_layer_has_torchs_entries_alone():
    """torch's SGD has no entry for a parameter never stepped (the frozen layer's); chainrule's had one holding its
    step alone."""
    torch.manual_seed(72)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4, bias=False), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    model[2].requires_grad_(False)
    net = cr.from_torch(model)
    x, y = X.astype(np.float32), Y.astype(np.float32)
    opt = cr.optim.SGD(lr=0.1, momentum=0.9)
    net.fit(x, y, optimizer=opt, epochs=2, batch_size=len(x), shuffle=False, verbose=0)
    tsgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_steps(model, tsgd, x, y, 2)
    converted, theirs = to_torch_state(opt.state_dict(), net=net)["state"], tsgd.state_dict()["state"]
    assert {i: sorted(e) for i, e in converted.items()} == {i: sorted(e) for i, e in theirs.items()} == \
        {0: ["momentum_buffer"]}
    assert converted[0]["momentum_buffer"].dtype == torch.float32
    np.testing.assert_allclose(converted[0]["momentum_buffer"].numpy(), theirs[0]["momentum_buffer"].numpy(),
                               rtol=1e-5, atol=1e-6)
