"""A model file's optimizer state that a setting turns on or off (SGD's momentum, Adam's amsgrad, RMSprop's
centered): what load takes back and what it refuses as damaged."""
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule import optim
from chainrule.errors import ModelFileError

rng = np.random.default_rng(0)
X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))


def _net():
    return cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 2, activation="linear")], loss="mse", seed=1)


def _saved(opt, path, edit=None):
    """A network fitted 3 steps with `opt`, `edit` set on it, saved to `path`: (arrays, header)."""
    net = _net()
    net.fit(X, Y, epochs=3, batch_size=6, optimizer=opt, verbose=0)
    for name, value in (edit or {}).items():
        setattr(opt, name, value)
    net.save(path)
    with np.load(path) as f:
        arrays = dict(f)
    return arrays, json.loads(str(arrays["__format__"]))


def _write(arrays, header, path):
    np.savez(path, **{**arrays, "__format__": np.array(json.dumps(header))})
    return path


@pytest.mark.parametrize("make, name", [(lambda: optim.SGD(0.05, momentum=0.9), "momentum_buffer"),
                                        (lambda: optim.Adam(0.01, amsgrad=True), "max_exp_avg_sq"),
                                        (lambda: optim.RMSprop(0.01, centered=True), "grad_avg")])
def test_a_switchable_array_removed_from_a_file_is_refused_unless_saved_as_pending(make, name, tmp_path):
    """A file of a stepped optimizer with one of these arrays removed loaded and restarted that state from zeros,
    silently (before, it was refused). Only a setting turned on after the last step leaves it missing, and save
    now says so ("pending"): a removed array is refused with the old message, a crafted "pending" by name."""
    arrays, header = _saved(make(), tmp_path / "a.npz")
    assert "pending" not in header["optimizer"]
    del arrays[f"opt.{name}"]
    header["optimizer"]["state"].remove(name)
    with pytest.raises(ModelFileError, match=rf"keeps state \[.*'{name}'.*\]; the file has \["):
        cr.load(_write(arrays, header, tmp_path / "bad.npz"))
    header["optimizer"]["pending"], header["version"] = [name], 3
    assert name in cr.load(_write(arrays, header, tmp_path / "ok.npz")).optimizer.state_names
    arrays, header = _saved(make(), tmp_path / "a.npz")
    for crafted in ([name], [header["optimizer"]["state"][0]] if header["optimizer"]["state"][0] != name else [],
                    ["exp_avg_sq"]):
        if not crafted:
            continue
        header["optimizer"]["pending"], header["version"] = crafted, 3
        with pytest.raises(ModelFileError, match=r"the optimizer's 'pending' state .* is not one a setting turned on"):
            cr.load(_write(arrays, header, tmp_path / "bad.npz"))


@pytest.mark.parametrize("make, edit, name", [(lambda: optim.SGD(0.05), dict(momentum=0.9), "momentum_buffer"),
                                              (lambda: optim.Adam(0.01), dict(amsgrad=True), "max_exp_avg_sq"),
                                              (lambda: optim.RMSprop(0.01), dict(centered=True), "grad_avg")])
def test_a_setting_turned_on_after_the_last_step_is_saved_as_pending(make, edit, name, tmp_path):
    """The legitimate missing array: the setting turned on since the last step; the file says so and loads. A
    chainrule reading versions 1 and 2 would refuse the key: the file says version 3."""
    arrays, header = _saved(make(), tmp_path / "a.npz", edit)
    assert header["optimizer"]["pending"] == [name] and header["version"] == 3
    assert cr.load(tmp_path / "a.npz").optimizer.config() == {**make().config(), **edit}
    header["version"] = 1
    with pytest.raises(ModelFileError, match="'pending' state needs format version 3; the file says version 1"):
        cr.load(_write(arrays, header, tmp_path / "bad.npz"))


def test_an_array_put_aside_is_checked_at_load_as_at_save(tmp_path):
    """An Adam file with a negative max_exp_avg_sq put aside (amsgrad off) loaded, though save refuses that array
    (load's check saw only the state in use): the network loaded could not be saved again, and turned amsgrad on
    with negative maxima. Refused as damaged, as the same array in use is."""
    arrays, header = _saved(optim.Adam(0.01), tmp_path / "a.npz")
    arrays["opt.max_exp_avg_sq"] = np.full_like(arrays["params"], -5.0)
    header["optimizer"]["state"].append("max_exp_avg_sq")
    with pytest.raises(ModelFileError, match=r"the optimizer state 'max_exp_avg_sq' \(Adam's sum or average of "
                                             r"squared gradients, never negative\) holds -5.0 at index 0: the file "
                                             "is damaged or crafted"):
        cr.load(_write(arrays, header, tmp_path / "bad.npz"))
    header["optimizer"]["config"]["amsgrad"] = True         # in use: refused alike
    with pytest.raises(ModelFileError, match="holds -5.0 at index 0: the file is damaged or crafted"):
        cr.load(_write(arrays, header, tmp_path / "bad.npz"))
