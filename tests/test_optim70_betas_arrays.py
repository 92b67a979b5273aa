"""Adam's and AdamW's betas as an array or a tensor of two, or a pair of 0-d tensors, as torch.optim.Adam takes
them: the same run as the pair of floats; anything but two numbers is refused naming betas."""
import numpy as np
import pytest
from torch_twin import X, Y, small_net

import chainrule as cr
from chainrule.errors import ChainruleError

torch = pytest.importorskip("torch")


def _weights(opt):
    net = small_net()
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=5, shuffle=False, verbose=0)
    return net.get_weights()


@pytest.mark.parametrize("kind", ["Adam", "AdamW"])
@pytest.mark.parametrize("betas", [np.array([0.8, 0.99]), torch.tensor([0.8, 0.99], dtype=torch.float64),
                                   (torch.tensor(0.8, dtype=torch.float64), np.float64(0.99))])
def test_betas_as_arrays_train_as_the_pair_of_floats(kind, betas):
    opt = getattr(cr.optim, kind)(0.01, betas=betas)
    assert opt.betas == (0.8, 0.99) and all(type(b) is float for b in opt.betas)
    for a, b in zip(_weights(opt), _weights(getattr(cr.optim, kind)(0.01, betas=(0.8, 0.99)))):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("betas", [np.array([[0.8, 0.99]]), np.array([0.8, 0.9, 0.99]), "ab", 0.9,
                                   torch.tensor([0.8, 1.0])])
def test_other_betas_are_refused_naming_betas(betas):
    with pytest.raises(ChainruleError, match=r"betas"):
        cr.optim.Adam(0.01, betas=betas)
