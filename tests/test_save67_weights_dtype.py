"""Weights stored float64 loaded into a float32 network: rounded to float32 as torch's load_state_dict copies them
into the parameter's dtype (the documented choice); a value float32 cannot hold is refused, never made infinite."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError


def _nets():
    n64 = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=0)
    n64.layers[0].W[0, 0] = 0.1 + 1e-12          # not a float32 number
    n32 = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=1, dtype="float32")
    return n64, n32


def test_float64_weights_are_rounded_into_a_float32_network_as_torch_copies_them(tmp_path):
    torch = pytest.importorskip("torch")
    n64, n32 = _nets()
    n64.save_weights(tmp_path / "w.npz")
    n32.load_weights(tmp_path / "w.npz")
    module = cr.to_torch(cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], seed=1, dtype="float32"))
    module.load_state_dict(cr.to_torch(n64).state_dict())          # torch: float64 into float32 parameters
    assert module[0].weight.dtype == torch.float32
    np.testing.assert_array_equal(n32.layers[0].W, module[0].weight.detach().numpy().T)
    assert n32.layers[0].W.dtype == np.float32 and n32.layers[0].W[0, 0] != n64.layers[0].W[0, 0]


def test_a_float64_weight_beyond_float32_is_refused_not_made_infinite(tmp_path):
    n64, n32 = _nets()
    n64.layers[1].W[2, 0] = 1e39
    n64.save_weights(tmp_path / "w.npz")
    before = n32.get_weights()
    with pytest.raises(ValidationError, match=r"W of Dense\(3, 1.*too large for the network's float32"):
        n32.load_weights(tmp_path / "w.npz")
    for a, b in zip(before, n32.get_weights()):
        np.testing.assert_array_equal(a, b)
