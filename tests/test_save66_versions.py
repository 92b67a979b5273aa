"""A model file's format version as a user's old or new files carry it: only the versions chainrule writes (whole
numbers, never 1.0 nor "1") are read; a newer one says to upgrade. load's flags are refused in the words (and
with the type) every other flag's refusal uses."""
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ModelFileError
from chainrule.saving.npzcheck import VERSIONS


def saved(tmp_path, name="m.npz"):
    X = np.random.default_rng(0).normal(size=(8, 3))
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0)
    net.fit(X, X[:, :2], epochs=1, optimizer="adam", verbose=0)
    path = tmp_path / name
    cr.save(net, path)
    return net, path


def rewritten(path, member, edit):
    """The file with `member`'s JSON text changed by `edit`, every other member as it was."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    header = json.loads(str(arrays[member]))
    edit(header)
    arrays[member] = np.array(json.dumps(header))
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("version", [1.0, 2.0, "1", 1.5])
def test_load_refuses_a_version_that_is_no_whole_number(version, tmp_path):
    _, path = saved(tmp_path)
    rewritten(path, "__format__", lambda h, v=version: h.update(version=v))
    with pytest.raises(ModelFileError, match=rf"format version {version!r}.*reads versions 1, 2 and 3"):
        cr.load(path)


@pytest.mark.parametrize("version", [4, 17])
def test_a_newer_version_says_to_upgrade(version, tmp_path):
    _, path = saved(tmp_path)
    rewritten(path, "__format__", lambda h, v=version: h.update(version=v))
    with pytest.raises(ModelFileError, match=rf"format version {version}.*newer chainrule.*upgrade"):
        cr.load(path)


@pytest.mark.parametrize("version", [0, -1])
def test_an_older_than_any_version_is_not_called_newer(version, tmp_path):
    _, path = saved(tmp_path)
    rewritten(path, "__format__", lambda h, v=version: h.update(version=v))
    with pytest.raises(ModelFileError, match=rf"format version {version}") as info:
        cr.load(path)
    assert "newer" not in str(info.value)


def test_every_version_written_is_read(tmp_path):
    net, path = saved(tmp_path)
    for version in VERSIONS:
        rewritten(path, "__format__", lambda h, v=version: h.update(version=v))
        np.testing.assert_array_equal(cr.load(path).params, net.params)


@pytest.mark.parametrize("fmt", [1.0, "1", True, 2])
def test_load_weights_refuses_a_weights_format_it_does_not_write(fmt, tmp_path):
    net, _ = saved(tmp_path)
    path = tmp_path / "w.npz"
    net.save_weights(path)
    rewritten(path, "__weights__", lambda h: h.update(format=fmt))
    other = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=1)
    before = other.params.copy()
    with pytest.raises(ModelFileError, match=rf"format {fmt!r}"):
        other.load_weights(path)
    np.testing.assert_array_equal(other.params, before)


@pytest.mark.parametrize("name", ["compile", "safe_mode", "with_extra"])
def test_load_flag_refusal_names_the_type_as_every_flag_does(name, tmp_path):
    _, path = saved(tmp_path)
    with pytest.raises(ChainruleTypeError, match=rf"{name} must be True or False; got 'no' \(str\)"):
        cr.load(path, **{name: "no"})
    with pytest.raises(ChainruleTypeError, match=r"include_optimizer must be True or False; got 'no' \(str\)"):
        cr.save(cr.load(path), tmp_path / "n.npz", include_optimizer="no")


def test_docs_show_the_refusal_of_a_version_no_chainrule_writes(tmp_path):
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 3}
    _, path = saved(tmp_path)
    rewritten(path, "__format__", lambda h: h.update(version=1.0))
    with pytest.raises(ModelFileError) as caught:
        cr.load(path)
    assert str(caught.value).replace(str(tmp_path), "DIR") == rows["load a version no chainrule writes"]


def test_a_newer_weights_format_says_to_upgrade(tmp_path):
    net, _ = saved(tmp_path)
    path = tmp_path / "w.npz"
    net.save_weights(path)
    rewritten(path, "__weights__", lambda h: h.update(format=2))
    with pytest.raises(ModelFileError, match=r"format 2; this chainrule reads format 1 \(a newer chainrule wrote it: "
                                             r"upgrade chainrule"):
        net.load_weights(path)


@pytest.mark.parametrize("fmt", [1.0, "1", True, 0, 2])
def test_a_weights_format_refusal_is_not_called_truncated(fmt, tmp_path):
    """A whole file of another format is no cut-short copy: it says what it is, as load's version refusal does."""
    net, _ = saved(tmp_path)
    path = tmp_path / "w.npz"
    net.save_weights(path)
    rewritten(path, "__weights__", lambda h: h.update(format=fmt))
    with pytest.raises(ModelFileError) as caught:
        net.load_weights(path)
    said = str(caught.value)
    assert "truncated" not in said and said.startswith(f"load_weights: {str(path)!r} has weights format {fmt!r}; ")
    assert ("upgrade chainrule" in said) == (fmt == 2) and ("damaged or crafted" in said) == (fmt != 2)


def test_a_weights_file_whose_members_differ_from_its_list_is_called_damaged(tmp_path):
    net, _ = saved(tmp_path)
    path = tmp_path / "w.npz"
    net.save_weights(path)
    rewritten(path, "__weights__", lambda h: h.update(arrays=h["arrays"][:-1]))
    with pytest.raises(ModelFileError, match=r"its description lists .*: the file is damaged or crafted") as caught:
        net.load_weights(path)
    assert "truncated" not in str(caught.value)


@pytest.mark.parametrize("key, value", [("history_len", True), ("stopped", "no"), ("stopped", 0)])
def test_a_checkpoint_state_of_a_bool_count_or_a_text_flag_is_refused(key, value, tmp_path):
    """True == 1 and "no" is truthy: such a crafted state resumed with a wrong history, or stopped at once."""
    from chainrule.saving.checkpoint import checkpoint_path
    X = np.random.default_rng(0).normal(size=(8, 3))

    def fit(epochs, **kw):
        net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0)
        net.fit(X, X[:, :2], epochs=epochs, verbose=0, checkpoint_dir=tmp_path / "ck", **kw)
        return net
    fit(2)
    rewritten(checkpoint_path(tmp_path / "ck"), "__format__",
              lambda h: h["extra"]["checkpoint"].update({key: value}))
    with pytest.raises(ModelFileError, match="the checkpoint's training state is invalid"):
        fit(4, resume=True)


def test_docs_show_the_refusal_of_a_weights_format_no_chainrule_writes(tmp_path, monkeypatch):
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) >= 3}
    net, _ = saved(tmp_path)
    net.save_weights(tmp_path / "w.npz")
    rewritten(tmp_path / "w.npz", "__weights__", lambda h: h.update(format=1.0))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError) as caught:
        net.load_weights("w.npz")
    assert str(caught.value) == rows["load_weights another weights format"]


@pytest.mark.parametrize("key, value, shown", [("t", True, "True"), ("t", 1.0, "1.0"), ("epoch", "1", "'1'")])
def test_an_optimizer_count_of_another_type_is_shown_as_written(key, value, shown, tmp_path):
    """True and 1.0 were shown as 'True' and '1.0', as if the file held text: the reader could not tell which."""
    _, path = saved(tmp_path)
    rewritten(path, "__format__", lambda h: h["optimizer"].update({key: value}))
    with pytest.raises(ModelFileError) as caught:
        cr.load(path)
    assert str(caught.value).endswith(f"the optimizer's {key} must be an integer from 0 to 2**53; got {shown}")
