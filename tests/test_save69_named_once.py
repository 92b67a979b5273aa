"""A refusal that wraps another message about the same file names that file once: a new run refusing a checkpoint
it cannot read said "'ck/checkpoint.npz' cannot be read, ...: 'ck/checkpoint.npz' is a chainrule model file cut
short"."""
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ModelFileError

X, Y = np.random.default_rng(0).normal(size=(8, 2)), np.zeros((8, 1))


def _net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=0)


def _cut(path):
    path.write_bytes(path.read_bytes()[:300])


def _newer(path):
    with np.load(path) as data:
        entries = {k: data[k] for k in data.files}
    header = json.loads(str(entries["__format__"]))
    header["version"] = 99
    entries["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **entries)


def _stray(path):
    with np.load(path) as data:
        entries = {k: data[k] for k in data.files}
    with open(path, "wb") as f:
        np.savez(f, **entries, stray=np.zeros(2))


@pytest.mark.parametrize("damage, says", [(_cut, "it is a chainrule model file cut short"),
                                          (_newer, "it has format version 99"),
                                          (_stray, "unexpected entries ['stray']")])
def test_a_new_run_names_the_unreadable_checkpoint_once(tmp_path, damage, says):
    folder = tmp_path / "my run"
    _net().fit(X, Y, epochs=1, verbose=0, checkpoint_dir=folder)
    path = folder / "checkpoint.npz"
    damage(path)
    kept = path.read_bytes()
    with pytest.raises(ModelFileError) as info:
        _net().fit(X, Y, epochs=1, verbose=0, checkpoint_dir=folder)
    said = str(info.value)
    shown = repr(str(path))
    assert said.startswith(f"{shown} cannot be read, so a new run would replace what may be an unfinished run: "), said
    assert said.count(str(path)) == 2, said          # the refusal's subject, and the file to delete: not its cause
    assert said.endswith(f"; to start afresh, delete {shown} and history.jsonl beside it, or use another "
                         "checkpoint_dir"), said
    assert f"unfinished run: {says}" in said, said
    assert path.read_bytes() == kept


def test_a_link_to_a_missing_file_is_said_to_be_one(tmp_path):
    """`ls` shows 'model.npz', a link whose file was moved: "does not exist" alone contradicts what the user sees."""
    link = tmp_path / "model.npz"
    link.symlink_to(tmp_path / "moved.npz")
    for read in (cr.load, _net().load_weights):
        with pytest.raises((ModelFileError, FileNotFoundError)) as info:
            read(link)
        said = str(info.value)
        assert f"{str(link)!r} does not exist" in said, said
        assert f"it is a link to {str(tmp_path / 'moved.npz')!r}, which does not exist" in said, said
