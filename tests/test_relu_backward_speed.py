"""ReLU's backward (the NumPy engine's, also the Dense layer's buffered pass) costs about what the plain product
dout * (out > 0) costs: a masked copy or np.where() that keeps an infinite gradient out of an off unit was 4-10x
that, on every batch of every ReLU layer."""
import timeit

import numpy as np

from chainrule.nn.activations import ReLU


def test_relu_backward_costs_about_a_product():
    rng = np.random.default_rng(0)
    out = np.maximum(rng.normal(size=(256, 256)), 0).astype(np.float32)
    dout = rng.normal(size=(256, 256)).astype(np.float32)
    relu = ReLU()
    product = min(timeit.repeat(lambda: dout * (out > 0), number=20, repeat=15))
    backward = min(timeit.repeat(lambda: relu.backward(dout, out, None), number=20, repeat=15))
    assert backward < 3.5 * product, f"ReLU.backward {backward / product:.1f}x the product"
