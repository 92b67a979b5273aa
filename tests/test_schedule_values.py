"""A user's Schedule subclass gives the optimizer its rate each epoch: a NumPy float64 rate keeps a float32
network's updates in float32 (as the same rate given as a Python float does), and a rate that is not a learning
rate (NaN, negative, text, a bool) is refused naming the schedule and the epoch, as LearningRateScheduler's is."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.training.schedules import Schedule


class Halving(Schedule):
    def __init__(self, give=float):
        self.give = give

    def __call__(self, epoch):
        return self.give(0.05 * 0.5 ** epoch)


def _trained(schedule, optimizer="adam"):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(64, 5)).astype(np.float32)
    Y = np.eye(2, dtype=np.float32)[(X[:, 0] > 0).astype(int)]
    net = cr.Network([cr.Dense(5, 8, "relu"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy",
                     dtype="float32", seed=0)
    opt = cr.optim.get_optimizer(optimizer, lr=schedule)
    net.fit(X, Y, epochs=3, batch_size=16, optimizer=opt, verbose=0, shuffle=False)
    return net


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_a_numpy_float64_rate_trains_as_the_same_python_float(optimizer):
    plain = _trained(Halving(float), optimizer)
    numpy = _trained(Halving(np.float64), optimizer)
    assert numpy.optimizer.lr == plain.optimizer.lr and type(numpy.optimizer.lr) is float
    for a, b in zip(plain.get_weights(), numpy.get_weights()):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rate, error", [(float("nan"), ValidationError), (-0.1, ValidationError),
                                         ("0.1", ChainruleTypeError), (True, ChainruleTypeError)])
def test_a_rate_that_is_no_learning_rate_is_refused_naming_the_schedule_and_epoch(rate, error):
    class Bad(Schedule):
        def __call__(self, epoch):
            return 0.1 if epoch == 0 else rate

    with pytest.raises(error, match=r"Bad.*epoch 1"):
        _trained(Bad())


def test_an_optimizer_with_a_schedule_that_writes_no_config_has_a_repr():
    # a user's schedule need not write config(): the optimizer's repr showed "[NotImplementedError() raised in repr()]"
    opt = cr.optim.get_optimizer("sgd", lr=Halving(), momentum=0.9)
    shown = repr(opt)
    assert shown.startswith("SGD(lr=<") and "Halving object" in shown and "momentum=0.9" in shown
    assert repr(cr.optim.get_optimizer("sgd", lr=0.1, momentum=0.9)).startswith("SGD(lr=0.1, weight_decay=0.0,")
