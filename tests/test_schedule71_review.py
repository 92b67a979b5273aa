"""CosineAnnealingWarmRestarts and OneCycleLR beside the rest: in the registry whatever was imported first (a file or a
config read before chainrule.optim), their integers given as 0-d arrays or tensors as their numbers are (torch's rates
given the ints), and a fit past OneCycleLR's total_steps refused before its first epoch, not at that epoch."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from torch_twin import X, Y, small_net

import chainrule as cr
from chainrule import optim
from chainrule.errors import ChainruleTypeError, ValidationError

torch = pytest.importorskip("torch")
from schedule_oracle import torch_rates  # noqa: E402

sched = torch.optim.lr_scheduler


def _torch_rates(make, epochs):
    """torch's rates, float64 parameter (schedule_oracle's loop)."""
    return torch_rates(make, epochs, dtype=torch.float64)


def test_a_config_names_them_before_chainrule_optim_is_imported():
    code = ("import sys; from chainrule.training.schedules import schedule_from_config as f; "
            "assert 'chainrule.training.optim' not in sys.modules; "
            "s = f({'name': 'OneCycleLR', 'max_lr': 0.1, 'total_steps': 10}, 'lr'); "
            "r = f({'name': 'CosineAnnealingWarmRestarts', 'lr': 0.1, 'T_0': 3}, 'lr'); "
            "print(repr([s(e) for e in range(10)]), repr([r(e) for e in range(10)]), sep='\\n')")
    src = str(Path(cr.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    one_cycle, restarts = (eval(line) for line in done.stdout.splitlines())
    np.testing.assert_allclose(one_cycle, _torch_rates(
        lambda o: sched.OneCycleLR(o, 0.1, total_steps=10, cycle_momentum=False), 10), rtol=1e-12, atol=0)
    np.testing.assert_allclose(restarts, _torch_rates(lambda o: sched.CosineAnnealingWarmRestarts(o, 3), 10),
                               rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind", ["numpy", "torch"])
@pytest.mark.parametrize("ours, theirs", [
    (lambda z: optim.StepLR(0.1, step_size=z(2)), lambda o: sched.StepLR(o, 2)),
    (lambda z: optim.CosineAnnealingWarmRestarts(0.1, T_0=z(2), T_mult=z(2)),
     lambda o: sched.CosineAnnealingWarmRestarts(o, 2, 2)),
    (lambda z: optim.OneCycleLR(0.1, total_steps=z(12)),
     lambda o: sched.OneCycleLR(o, 0.1, total_steps=12, cycle_momentum=False)),
    (lambda z: optim.PolynomialLR(0.1, total_iters=z(6), power=2.0), lambda o: sched.PolynomialLR(o, 6, 2.0)),
], ids=["StepLR", "restarts", "one cycle", "polynomial"])
def test_their_integers_as_0_d_arrays_give_torchs_rates_of_the_ints(kind, ours, theirs):
    zero_d = np.array if kind == "numpy" else torch.tensor
    schedule = ours(zero_d)
    assert all(type(v) is not np.ndarray and not torch.is_tensor(v) for v in schedule.config().values())
    np.testing.assert_allclose([schedule(e) for e in range(12)], _torch_rates(theirs, 12), rtol=1e-12, atol=0)


@pytest.mark.parametrize("value, message", [
    (np.array([2]), r"^T_0 must be a positive integer .*shape \(1,\) \(ndarray\); give T_0.item\(\)"),
    (torch.tensor([[2]]), r"^T_0 must be a positive integer .*shape \(1, 1\) \(Tensor\)"),
    (np.array(2.0), r"^T_0 must be a positive integer; got 2.0"),
])
def test_other_arrays_for_an_integer_are_refused_naming_the_argument(value, message):
    with pytest.raises(ChainruleTypeError, match=message):
        optim.CosineAnnealingWarmRestarts(0.1, T_0=value)


def test_a_fit_past_one_cycles_total_steps_is_refused_before_its_first_epoch():
    net = small_net()
    before = net.get_weights()
    with pytest.raises(ValidationError, match=r"OneCycleLR\(max_lr=0.1, total_steps=10.*epochs 0 to 10 .*"
                                              r"\(epochs=12\) would train to epoch 11"):
        net.fit(X, Y, optimizer=optim.SGD(optim.OneCycleLR(0.1, 10)), epochs=12, batch_size=len(X), verbose=0)
    assert net.epochs_trained == 0
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    net.fit(X, Y, optimizer=optim.SGD(optim.OneCycleLR(0.1, 10)), epochs=11, batch_size=len(X), verbose=0)
    assert net.epochs_trained == 11                  # torch's scheduler gives epoch 10 its rate: a step of 10 is taken


def test_a_fit_going_on_past_it_is_refused_before_its_first_epoch_too():
    net = small_net()
    net.fit(X, Y, optimizer=optim.SGD(optim.SequentialLR([optim.ConstantLR(0.1), optim.OneCycleLR(0.1, 6)], [4])),
            epochs=8, batch_size=len(X), verbose=0)
    before = net.get_weights()
    with pytest.raises(ValidationError, match=r"epochs 0 to 10 .*\(epochs=4\) would train to epoch 11"):
        net.fit(X, Y, epochs=4, batch_size=len(X), verbose=0)
    assert net.epochs_trained == 8
    for a, b in zip(net.get_weights(), before):
        np.testing.assert_array_equal(a, b)
