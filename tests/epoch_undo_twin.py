"""What the epoch-undo tests share: a sequence whose weights turn bad from a given pass, a small problem, a network
with Adam bound, and the state a refused epoch must leave as it was."""
import copy

import numpy as np

import chainrule as cr


class Batches:
    """A sequence that is no list, each batch one row of weight `w`; from pass `bad_from` on, of weight `bad`."""

    def __init__(self, X, y, w, bad=None, bad_from=0):
        self.X, self.y, self.w, self.bad, self.bad_from, self.passes = X, y, w, bad, bad_from, 0

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, i):
        w = self.bad if self.bad is not None and self.passes >= self.bad_from else self.w
        return self.X[i:i + 1], self.y[i:i + 1], np.array([w])

    def on_epoch_end(self):
        self.passes += 1


def problem():
    X = np.random.default_rng(0).normal(size=(4, 3))
    return X, (X[:, 0] > 0).astype(int)


def net_with_adam():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    net.optimizer = cr.optim.Adam(0.05).bind(net)
    return net


def state(net):
    return net.params.copy(), copy.deepcopy(net.optimizer.__getstate__()), net.epochs_trained
