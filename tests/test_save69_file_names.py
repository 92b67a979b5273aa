"""Every refusal of a file to load names that file one way: quoted, as repr writes it, so that a name with a
space ('my model.npz') or ending in ':' reads whole. Older messages (npz's, npzcheck's, the weights') wrote it
bare where newer ones quoted it."""
import json
import zipfile

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleError


def _net(width: int = 3) -> cr.Network:
    net = cr.Network([cr.Dense(2, width, "tanh"), cr.Dense(width, 1)], loss="mse", seed=0)
    net.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0)
    return net


def _members(path) -> dict:
    with np.load(path, allow_pickle=False) as f:
        return {name: f[name] for name in f.files}


def _rewritten(tmp_path, change) -> str:
    """A model file whose members `change` edits (a dict of arrays), written with np.savez."""
    saved = tmp_path / "saved.npz"
    _net().save(saved)
    arrays = _members(saved)
    change(arrays)
    path = tmp_path / "my model.npz"
    np.savez(path, **arrays)
    return path


def _newer(arrays):
    header = json.loads(str(arrays["__format__"]))
    header["version"] = 99
    arrays["__format__"] = np.array(json.dumps(header))


def _cut_short(tmp_path):
    path = tmp_path / "my model.npz"
    _net().save(path)
    path.write_bytes(path.read_bytes()[:-200])
    return path


def _text(tmp_path):
    path = tmp_path / "my model.npz"
    path.write_text("a,b\n1,2\n")
    return path


def _pickled(tmp_path):
    path = _rewritten(tmp_path, lambda a: None)
    with zipfile.ZipFile(tmp_path / "saved.npz") as zf, zipfile.ZipFile(path, "w") as out:
        for name in zf.namelist():
            if name != "params.npy":
                out.writestr(name, zf.read(name))
        buffer = tmp_path / "obj.npy"
        np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        out.writestr("params.npy", buffer.read_bytes())
    return path


def _weights_file(tmp_path):
    path = tmp_path / "my model.npz"
    _net().save_weights(path)
    return path


LOADS = {
    "cut short": _cut_short,
    "not a zip": _text,
    "a pickled member": _pickled,
    "weights, not a model": _weights_file,
    "a missing member": lambda d: _rewritten(d, lambda a: a.pop("opt.exp_avg_sq")),
    "a wrong shape": lambda d: _rewritten(d, lambda a: a.update(params=a["params"][:-1])),
    "a newer format version": lambda d: _rewritten(d, _newer),
    "NaN weights": lambda d: _rewritten(d, lambda a: a["params"].__setitem__(0, np.nan)),
    "an unknown member": lambda d: _rewritten(d, lambda a: a.update(stray=np.zeros(2))),
}


def _named_once_quoted(message: str, path) -> None:
    shown = repr(str(path))
    assert shown in message, message
    assert str(path) not in message.replace(shown, ""), message      # never bare beside the quoted name


@pytest.mark.parametrize("case", LOADS)
def test_load_names_the_refused_file_quoted(case, tmp_path):
    path = LOADS[case](tmp_path)
    with pytest.raises(ChainruleError) as info:
        cr.load(path)
    _named_once_quoted(str(info.value), path)


WEIGHTS = {
    "cut short": _cut_short,
    "not a zip": _text,
    "another network's weights": lambda d: (_net(5).save_weights(d / "my model.npz"), d / "my model.npz")[1],
    "a model of another network": lambda d: (_net(5).save(d / "my model.npz"), d / "my model.npz")[1],
    "a newer model format": lambda d: _rewritten(d, _newer),
}


@pytest.mark.parametrize("case", WEIGHTS)
def test_load_weights_names_the_refused_file_quoted(case, tmp_path):
    path = WEIGHTS[case](tmp_path)
    with pytest.raises(ChainruleError) as info:
        _net().load_weights(path)
    _named_once_quoted(str(info.value), path)


def test_save_names_the_file_it_will_not_replace_quoted(tmp_path):
    path = tmp_path / "my data.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ChainruleError) as info:
        _net().save(path)
    _named_once_quoted(str(info.value), path)
    with pytest.raises(FileExistsError) as exists:
        cr.save(_net(), _cut_short(tmp_path), overwrite=False)
    _named_once_quoted(str(exists.value), tmp_path / "my model.npz")


def test_resume_names_the_checkpoint_quoted(tmp_path):
    X, Y = np.zeros((4, 2)), np.zeros((4, 1))
    folder = tmp_path / "my run"
    cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0).fit(
        X, Y, epochs=1, verbose=0, checkpoint_dir=folder)
    with pytest.raises(ChainruleError) as info:
        cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0).fit(
            X, Y, epochs=2, verbose=0, checkpoint_dir=folder, resume=True)
    _named_once_quoted(str(info.value), folder / "checkpoint.npz")
