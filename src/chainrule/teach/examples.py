"""Ready examples: the seed's 2-2-2 network, and small data sets for demos and tests."""
from __future__ import annotations

import numpy as np

from ..nn.layers import Dense
from ..nn.network import Network

__all__ = ["seed_network", "xor", "SEED_FIGURES", "SEED_INTRO"]

#: Every figure printed in the second seed document ("What is backpropagation?"), as printed.
#: Keys name the quantity; `chainrule example` and the tests compare against these strings.
SEED_FIGURES: dict[str, str] = {
    "net_h1": "0.3775",
    "out_h1": "0.593269992",
    "out_h2": "0.596884378",
    "net_o1": "1.105905967",
    "out_o1": "0.75136507",
    "out_o2": "0.772928465",
    "E_o1": "0.274811083",
    "E_o2": "0.023560026",
    "E_total": "0.298371109",
    "dE_total/dout_o1": "0.74136507",
    "dout_o1/dnet_o1": "0.186815602",
    "dnet_o1/dw5": "0.593269992",
    "dE_total/dw5": "0.082167041",
    "w5+": "0.35891648",
    "w6+": "0.408666186",
    "w7+": "0.511301270",
    "w8+": "0.561370121",
    "dE_o1/dnet_o1": "0.138498562",
    "dE_o1/dout_h1": "0.055399425",
    "dE_o2/dout_h1": "-0.019049119",
    "dE_total/dout_h1": "0.036350306",
    "dout_h1/dnet_h1": "0.241300709",
    "dnet_h1/dw1": "0.05",
    "dE_total/dw1": "0.000438568",
    "w1+": "0.149780716",
    "w2+": "0.19956143",
    "w3+": "0.24975114",
    "w4+": "0.29950229",
    "E_total after 1 update": "0.291027924",
    "E_total after 10,000 updates": "0.0000351085",
}

#: The seed's opening illustration: Error = 1/2 (0.191 - 1.0)^2 = 0.327.
SEED_INTRO: dict[str, float | str] = {"prediction": 0.191, "actual": 1.0, "error": "0.327"}


def seed_network(dtype: str = "float64") -> tuple[Network, np.ndarray, np.ndarray, float]:
    """The seeds' 2-2-2 sigmoid network, its one sample, its targets and its learning rate.

    Weights as the seed wires them (w1: i1->h1, w2: i2->h1, w3: i1->h2, w4: i2->h2,
    w5: h1->o1, w6: h2->o1, w7: h1->o2, w8: h2->o2); with W of shape (n_in, n_out),
    W[i, j] connects input i to neuron j. Biases b1 = 0.35 and b2 = 0.60, shared by the
    neurons of a layer and fixed (the seed's worked example updates only the weights).
    The seed lists b1 = 0.3 but computes with 0.35 (net_h1 = 0.3775): see docs/seed-notes.md.

    Returns
    -------
    net, X, Y, lr : Network, (1, 2) inputs [[0.05, 0.10]], (1, 2) targets [[0.01, 0.99]], 0.5
    """
    hidden = Dense(2, 2, activation="sigmoid", bias_init=0.35, trainable={"W": True, "b": False})
    output = Dense(2, 2, activation="sigmoid", bias_init=0.60, trainable={"W": True, "b": False})
    net = Network([hidden, output], loss="sse", dtype=dtype)
    hidden.W[...] = [[0.15, 0.25],
                     [0.20, 0.30]]
    output.W[...] = [[0.40, 0.50],
                     [0.45, 0.55]]
    X = np.array([[0.05, 0.10]], dtype=net.dtype)
    Y = np.array([[0.01, 0.99]], dtype=net.dtype)
    return net, X, Y, 0.5


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points and labels: not linearly separable (the first seed's point)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0])
