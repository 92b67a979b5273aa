"""A PyTorch user's model as it often is at hand: in DataParallel (from_torch said to build nn.Sequential(model.module)
of a module that computes what its Sequential computes), torch.compile'd around that, or only its state_dict (keys
'module.0.weight' where saved from DataParallel), which was told "got OrderedDict". The wrappers are read through;
a state_dict is refused saying how to load it into its model, and that way gives torch's numbers."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402

X = np.random.default_rng(3).normal(size=(9, 3))


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Identity(), nn.Tanh(), nn.Flatten(), nn.Linear(5, 2)).double()


@pytest.mark.parametrize("wrap", [nn.DataParallel, lambda m: torch.compile(nn.DataParallel(m)),
                                  lambda m: nn.Sequential(nn.DataParallel(m))], ids=["dp", "compiled-dp", "nested-dp"])
def test_a_wrapped_sequential_is_read_through_with_torchs_numbers(wrap):
    model = _model()
    model[0].weight.requires_grad_(False)
    net = cr.from_torch(wrap(model))
    assert net.dtype == np.float64 and net.dense_layers[0].trainable_params == {"W": False, "b": True}
    with torch.no_grad():
        np.testing.assert_allclose(net.predict(X), model(torch.from_numpy(X)).numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("prefix", ["", "module."])
def test_a_state_dict_is_refused_saying_how_to_load_it(prefix):
    model = _model()
    sd = {prefix + k: v for k, v in model.state_dict().items()}
    with pytest.raises(ChainruleTypeError, match=r"got a state_dict \(4 tensors: '" + prefix.replace(".", r"\.")
                       + r"0\.weight'.*model\.load_state_dict\(sd\)" + (r".*removeprefix\('module\.'\)" if prefix
                                                                        else r"(?!.*removeprefix)")):
        cr.from_torch(sd)
    fresh = _model()
    with torch.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict({k.removeprefix("module."): v for k, v in sd.items()})
    with torch.no_grad():
        np.testing.assert_allclose(cr.from_torch(fresh).predict(X), model(torch.from_numpy(X)).numpy(), rtol=0,
                                   atol=1e-12)
