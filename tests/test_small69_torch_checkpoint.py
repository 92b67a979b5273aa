"""A training checkpoint saved as PyTorch's tutorial does ({'model_state_dict': ..., 'optimizer_state_dict': ...,
'epoch': 3}) given to from_torch was told only "got dict"; a bare state_dict was told how to load it. The checkpoint
gets the same advice, naming the key that holds the weights, and the advice, run as written, gives torch's numbers."""
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402

X = np.random.default_rng(69).normal(size=(8, 3))


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()


def _trained_checkpoint(tmp_path, key, wrap):
    """A model trained a step, saved in a checkpoint dict with its optimizer's state, and read back with torch.load."""
    model = _model()
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    opt.zero_grad()
    model(torch.from_numpy(X)).square().sum().backward()
    opt.step()
    held = wrap(model).state_dict()
    torch.save({"epoch": 3, key: held, "optimizer_state_dict": opt.state_dict(), "loss": 0.25}, tmp_path / "ckpt.pt")
    return model, torch.load(tmp_path / "ckpt.pt")


@pytest.mark.parametrize("key", ["model_state_dict", "state_dict", "model"])
@pytest.mark.parametrize("wrap", [lambda m: m, nn.DataParallel], ids=["plain", "dataparallel"])
def test_a_checkpoint_is_told_its_key_and_the_advice_run_as_written_gives_torchs_numbers(tmp_path, key, wrap):
    model, checkpoint = _trained_checkpoint(tmp_path, key, wrap)
    with pytest.raises(ChainruleTypeError, match=r"got a training checkpoint \(a dict of 'epoch', '"
                       + re.escape(key) + r"', 'optimizer_state_dict', 'loss'\) whose '" + re.escape(key)
                       + r"' is a state_dict \(4 tensors") as info:
        cr.from_torch(checkpoint)
    said = str(info.value)
    load = re.search(r"model\.load_state_dict\((checkpoint\[[^]]+\])\)", said)
    assert load is not None and load.group(1) == f"checkpoint[{key!r}]"
    sd = eval(load.group(1), {"checkpoint": checkpoint})            # the advice, as the message writes it
    prefixed = re.search(r"load (\{k\.removeprefix\('module\.'\): v for k, v in .+?\.items\(\)\})", said)
    assert (prefixed is not None) == (wrap is nn.DataParallel)
    if prefixed:
        sd = eval(prefixed.group(1), {"checkpoint": checkpoint})
    fresh = _model()
    with torch.no_grad():
        for p in fresh.parameters():
            p.zero_()
    fresh.load_state_dict(sd)
    with torch.no_grad():
        np.testing.assert_allclose(cr.from_torch(fresh).predict(X), model(torch.from_numpy(X)).numpy(), rtol=0,
                                   atol=1e-12)


def test_a_checkpoint_of_two_models_names_both():
    gen, disc = _model(), nn.Sequential(nn.Linear(2, 1))
    with pytest.raises(ChainruleTypeError, match=r"whose 'generator' is a state_dict .*"
                       r"load_state_dict\(checkpoint\['generator'\]\).*its 'discriminator' also holds a state_dict"):
        cr.from_torch({"generator": gen.state_dict(), "discriminator": disc.state_dict(), "epoch": 1})


def test_a_dict_without_a_state_dict_is_still_refused_as_a_dict():
    with pytest.raises(ChainruleTypeError, match=r"got dict$"):
        cr.from_torch({"epoch": 3, "optimizer_state_dict": {"state": {}, "param_groups": []}})
