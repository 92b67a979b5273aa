"""Optimizer settings against torch.optim (float64, 1e-12 relative): a setting changed after construction is
checked as the constructor checks it; lr=0 is a rate, as torch's; a state saved and loaded goes on as one
uninterrupted run of torch's."""
import numpy as np
import pytest

from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")

rng = np.random.default_rng(17)
P0 = rng.normal(size=10)
GRADS = [rng.normal(size=10) for _ in range(6)]


def _torch_steps(make, grads, p0=P0, **later):
    """torch's parameter after stepping `make([p])` on `grads`; `later`: param_group settings set before step 3."""
    p = torch.tensor(p0.copy(), requires_grad=True)
    opt = make([p])
    for i, g in enumerate(grads):
        if i == 2:
            opt.param_groups[0].update(later)
        p.grad = torch.tensor(g)
        opt.step()
    return p.detach().numpy()


@pytest.mark.parametrize("make, name, bad", [
    (lambda: optim.SGD(0.1, momentum=0.9), "momentum", -0.5), (lambda: optim.SGD(0.1), "dampening", -1.0),
    (lambda: optim.SGD(0.1), "nesterov", "yes"), (lambda: optim.SGD(0.1), "weight_decay", -0.1),
    (lambda: optim.Adam(), "betas", (0.9, 1.5)), (lambda: optim.Adam(), "betas", 0.9),
    (lambda: optim.AdamW(), "eps", -1e-8), (lambda: optim.Adam(), "amsgrad", 1),
    (lambda: optim.RMSprop(), "alpha", 2.0), (lambda: optim.RMSprop(), "momentum", -0.1),
    (lambda: optim.RMSprop(), "centered", "no"), (lambda: optim.Adagrad(), "lr_decay", -0.1),
    (lambda: optim.Adagrad(), "initial_accumulator_value", -1.0), (lambda: optim.SGD(0.1), "clip_norm", 0.0)])
def test_a_setting_set_after_construction_is_checked_as_the_constructors(make, name, bad):
    """`opt.momentum = -0.5` was used silently (a negative momentum climbs); torch refuses the same value in its
    constructor, and so does ours: the message is the constructor's, and nothing changes."""
    opt = make()
    before = getattr(opt, name)
    with pytest.raises((ValidationError, ChainruleTypeError)) as constructing:
        type(opt)(**{name: bad})
    with pytest.raises(type(constructing.value)) as setting:
        setattr(opt, name, bad)
    assert str(setting.value) == str(constructing.value) and name.split("_")[0] in str(setting.value)
    assert getattr(opt, name) == before


def test_a_valid_setting_set_later_steps_as_torchs_param_group():
    """Checked, a setting set between steps still takes effect as torch's param_groups edit does."""
    opt, p = optim.SGD(0.1, momentum=0.5), P0.copy()
    for i, g in enumerate(GRADS):
        if i == 2:
            opt.momentum, opt.dampening, opt.weight_decay = 0.9, 0.25, 0.01
        opt.step(p, g.copy())
    want = _torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5), GRADS, momentum=0.9, dampening=0.25,
                        weight_decay=0.01)
    np.testing.assert_allclose(p, want, rtol=1e-12)
    opt, p = optim.Adam(0.01), P0.copy()
    for i, g in enumerate(GRADS):
        if i == 2:
            opt.betas, opt.eps = [0.8, 0.99], 1e-6          # a list, as a JSON file gives it: kept as a pair
        opt.step(p, g.copy())
    assert opt.betas == (0.8, 0.99)
    want = _torch_steps(lambda ps: torch.optim.Adam(ps, lr=0.01), GRADS, betas=(0.8, 0.99), eps=1e-6)
    np.testing.assert_allclose(p, want, rtol=1e-12)
