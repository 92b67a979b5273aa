"""A 0-d NumPy array or tensor given as an optimizer's number (lr, momentum, weight_decay, ...), as torch.optim takes
one: the same run as torch's given the same; an array of any other shape, a 1-element one included, is refused naming
the argument and the shape (torch takes a 1-element one, then fails at its first step or steps by a tensor)."""
import numpy as np
import pytest
from torch_twin import X, Y, assert_weights_as_torch, small_net, torch_steps

import chainrule as cr
from chainrule.errors import ChainruleTypeError

torch = pytest.importorskip("torch")


def _zero_d(kind: str, v: float):
    return np.array(v) if kind == "numpy" else torch.tensor(v, dtype=torch.float64)


@pytest.mark.parametrize("kind", ["numpy", "torch"])
@pytest.mark.parametrize("name, settings", [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01, "dampening": 0.1}),
    ("Adam", {"lr": 0.01, "eps": 1e-6, "weight_decay": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
])
def test_zero_d_numbers_train_as_torch_given_the_floats(kind, name, settings):
    net = small_net()
    model = cr.to_torch(net)
    topt = getattr(torch.optim, name)(model.parameters(), **settings)
    opt = getattr(cr.optim, name)(**{k: _zero_d(kind, v) for k, v in settings.items()})
    assert all(type(getattr(opt, k)) is float for k in settings)
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    torch_steps(model, topt, X, Y, 3)
    assert_weights_as_torch(net, model)


@pytest.mark.parametrize("value", [np.array([0.1]), torch.tensor([0.1]), np.array([[0.1]]), np.array([0.1, 0.2])])
@pytest.mark.parametrize("name", ["lr", "momentum", "weight_decay"])
def test_arrays_not_0_d_are_refused_naming_the_argument_and_shape(value, name):
    with pytest.raises(ChainruleTypeError, match=rf"^{name} must be a number .*shape {tuple(value.shape)}".replace(
            "(", r"\(").replace(")", r"\)")):
        cr.optim.SGD(**{"lr": 0.1, name: value})


@pytest.mark.parametrize("value", [np.array(True), torch.tensor(1 + 1j)])
def test_a_0_d_bool_or_complex_is_refused_as_their_number_is(value):
    with pytest.raises(ChainruleTypeError, match=r"^momentum must be a number"):
        cr.optim.SGD(0.1, momentum=value)


def test_a_0_d_schedule_argument_is_its_number():
    assert cr.optim.StepLR(np.array(0.1), 2, gamma=torch.tensor(0.5, dtype=torch.float64))(2) == 0.05


def test_the_refusal_is_docs_errors_rows_message():
    from pathlib import Path
    with pytest.raises(ChainruleTypeError) as refused:
        cr.optim.SGD(np.array([0.1]))
    assert f"| {refused.value} |" in (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
