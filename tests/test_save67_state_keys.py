"""An optimizer's state dict whose index is True (1 to Python, bool being an int) or whose step is True: damaged,
refused by load_state_dict and by the conversions to and from torch's layout, never read as parameter 1."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.saving.interop import from_torch_state, to_torch_state


def _state():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    X = np.random.default_rng(0).normal(size=(16, 3))
    opt = cr.optim.Adam(lr=0.01)
    net.fit(X, X[:, :1], optimizer=opt, epochs=2, batch_size=16, verbose=0)
    return net, opt.state_dict()


def test_a_true_index_is_refused_by_load_state_dict():
    net, sd = _state()
    bad = {"state": {(True if i == 1 else i): v for i, v in sd["state"].items()}, "param_groups": sd["param_groups"]}
    assert list(bad["state"]) == [0, True, 2, 3] and True == 1    # noqa: E712  (why it passed: bool is an int)
    opt = cr.optim.Adam(lr=0.01)
    opt.bind(net)
    with pytest.raises(ValidationError, match=r"parameter index.*got keys \[0, True, 2, 3\]"):
        opt.load_state_dict(bad)


def test_a_true_param_index_is_refused_by_load_state_dict():
    net, sd = _state()
    bad = {"state": sd["state"], "param_groups": [dict(sd["param_groups"][0], params=[0, True, 2, 3])]}
    opt = cr.optim.Adam(lr=0.01)
    opt.bind(net)
    with pytest.raises(ValidationError, match=r"\['params'\] must be the indices.*got \[0, True, 2, 3\]"):
        opt.load_state_dict(bad)


@pytest.mark.parametrize("convert", [to_torch_state, from_torch_state])
def test_the_conversions_refuse_a_true_index_or_step_as_damaged(convert):
    pytest.importorskip("torch")
    _, sd = _state()
    bad = {"state": {(True if i == 1 else i): v for i, v in sd["state"].items()}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValidationError, match=rf"{convert.__name__}: .*got the key True: the dict is damaged"):
        convert(bad)
    bad = {"state": {i: dict(v, step=True) for i, v in sd["state"].items()}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValidationError, match=r"got state\[0\]\['step'\] = True: the dict is damaged"):
        convert(bad)


def test_the_errors_doc_shows_the_message_as_raised():
    from pathlib import Path
    pytest.importorskip("torch")
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    row = doc.split("| optimizer state with a True index | `ValidationError` | ", 1)[1].split(" | ", 1)[0]
    _, sd = _state()
    bad = {"state": {(True if i == 1 else i): v for i, v in sd["state"].items()}, "param_groups": sd["param_groups"]}
    with pytest.raises(ValidationError) as info:
        to_torch_state(bad)
    assert str(info.value) == row
