"""A layer read from torch's `Linear(bias=False)` (or Keras' `use_bias=False`) is marked so that `to_torch` gives it
back without a bias even frozen whole; the mark lived on the layer object alone, so a model file (and any copy made
from the network's description) lost it: loaded back, the layer went to torch with a frozen zero bias that the source
never had (other `named_parameters()`, another numbering for torch's optimizer). The mark is saved now."""
import copy
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ModelFileError  # noqa: E402
from chainrule.nn.layers import layer_from_config  # noqa: E402

X = np.random.default_rng(5).normal(size=(7, 3))


def _source():
    torch.manual_seed(0)
    source = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 2, bias=False)).double()
    source.requires_grad_(False)                   # frozen whole: only the mark tells its zero bias is none
    return source


def _saved_and_loaded(net, tmp_path):
    cr.save(net, tmp_path / "m.npz")
    return cr.load(tmp_path / "m.npz")


def _rebuilt_from_config(net, tmp_path):
    rebuilt = cr.Network([layer_from_config(c) for c in net.config()["layers"]], loss="mse")
    rebuilt.set_weights(net.get_weights())
    return rebuilt


@pytest.mark.parametrize("again", [_saved_and_loaded, _rebuilt_from_config, lambda net, _: copy.deepcopy(net),
                                   lambda net, _: pickle.loads(pickle.dumps(net))],
                         ids=["save-load", "config", "deepcopy", "pickle"])
def test_a_bias_free_layer_frozen_whole_goes_back_without_a_bias_after_a_round_trip(again, tmp_path):
    source = _source()
    net = again(cr.from_torch(source, loss="mse"), tmp_path)
    module = cr.to_torch(net)
    assert [k for k, _ in module.named_parameters()] == [k for k, _ in source.named_parameters()] == \
        ["0.weight", "2.weight"]
    assert module[0].bias is None and module[2].bias is None
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), source(torch.from_numpy(X)).numpy(),
                                   rtol=0, atol=1e-12)


def test_a_layer_of_chainrules_own_frozen_whole_keeps_its_bias_after_save_and_load(tmp_path):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.dense_layers[0].freeze()
    assert "no_bias" not in net.config()["layers"][0]           # files of such networks are as they were
    module = cr.to_torch(_saved_and_loaded(net, tmp_path))
    assert module[0].bias is not None and not module[0].bias.requires_grad


def test_a_model_file_whose_mark_is_not_true_or_false_is_refused(tmp_path):
    import json
    import zipfile
    cr.save(cr.from_torch(_source(), loss="mse"), tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as z:
        members = {name: z.read(name) for name in z.namelist()}
    with zipfile.ZipFile(tmp_path / "m.npz") as z, z.open("__format__.npy") as f:
        header = json.loads(str(np.load(f)))
    header["network"]["layers"][0]["no_bias"] = "yes"
    text = np.array(json.dumps(header))
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as z:
        z.writestr("params.npy", members["params.npy"])
        with z.open("__format__.npy", "w") as f:
            np.save(f, text)
    with pytest.raises(ModelFileError, match=r"no_bias must be true or false; got 'yes'"):
        cr.load(tmp_path / "bad.npz")
