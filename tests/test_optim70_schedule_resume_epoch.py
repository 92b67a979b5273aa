"""A state dict saved mid-schedule (chainrule's, or torch's with its scheduler's last_epoch), loaded into an optimizer
of the same schedule and trained on a network whose epochs_trained is behind the dict's epoch: the schedule's epoch is
the network's count, so the rate went back to the schedule's start, silently. It is warned of, naming both epochs and
the fix; with the network's count set, the run goes on as the one never saved (exactly), without a warning."""
import warnings

import numpy as np
import pytest
from torch_twin import X, Y, small_net

from chainrule import optim


def _opt():
    return optim.SGD(optim.StepLR(0.05, step_size=2, gamma=0.5), momentum=0.9)


def _saved():
    net, opt = small_net(), _opt()
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=5, shuffle=False, verbose=0)
    return net, opt.state_dict()


def _loaded(net, sd):
    resumed = small_net()
    resumed.set_weights(net.get_weights())
    opt = _opt().bind(resumed)
    opt.load_state_dict(sd)
    return resumed, opt


def test_a_schedule_loaded_mid_run_into_a_network_behind_it_is_warned_of():
    net, sd = _saved()
    resumed, opt = _loaded(net, sd)
    with pytest.warns(UserWarning, match=r"epoch 2.*epochs_trained is 0.*epochs_trained = 3") as said:
        resumed.fit(X, Y, optimizer=opt, epochs=3, batch_size=5, shuffle=False, verbose=0)
    assert len(said) == 1 and said[0].filename == __file__


def test_with_the_network_count_set_the_run_goes_on_as_never_saved_and_is_not_warned_of():
    whole = small_net()
    whole.fit(X, Y, optimizer=_opt(), epochs=6, batch_size=5, shuffle=False, verbose=0)
    net, sd = _saved()
    resumed, opt = _loaded(net, sd)
    resumed.epochs_trained = net.epochs_trained
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resumed.fit(X, Y, optimizer=opt, epochs=3, batch_size=5, shuffle=False, verbose=0)
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert opt.lr == whole.optimizer.lr
