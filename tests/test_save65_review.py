"""save65's neighbours: an extra array's bad name named as such, to_onnx's checks flag taking NumPy's bools as
every other flag does, a checkpoint folder starting with '~' refused rather than made as a folder named '~',
and docs/errors.md's rows for the flags save65 checks."""
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError


@pytest.fixture
def net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0)


@pytest.mark.parametrize("name", ["best weights", "1best", 7])
def test_an_extra_array_name_that_is_no_identifier_is_named_as_the_name(net, name, tmp_path):
    """The vector is right; the message says the name is what is wrong, not the vector."""
    with pytest.raises(ValidationError, match=rf"each name must be a Python identifier.*got {name!r}$") as info:
        cr.save(net, tmp_path / "m.npz", extra_arrays={name: net.params.copy()})
    assert "NumPy vector" not in str(info.value)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("checks", [np.False_, np.True_])
def test_to_onnx_checks_takes_numpy_bools(net, checks, tmp_path):
    X = np.random.default_rng(0).normal(size=(5, 3))
    X[0, 0] = np.nan
    cr.to_onnx(net, tmp_path / "m.onnx", checks=checks)
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    if checks:                         # the checked graph refuses NaN, as predict does
        with pytest.raises(Exception, match="NaN"):
            session.run(None, {"input": X})
    else:                              # the bare network: NaN in, NaN out, the other rows predict's
        out = session.run(None, {"input": X})[0]
        assert np.isnan(out[0]).all()
        np.testing.assert_allclose(out[1:], net.predict(X[1:]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("checks", ["no", 1, None])
def test_to_onnx_checks_text_is_refused_with_its_type(net, checks):
    with pytest.raises(ChainruleTypeError, match=rf"checks must be True or False; got {checks!r} \("):
        cr.to_onnx(net, None, checks=checks)


def test_a_checkpoint_dir_starting_with_tilde_is_not_made_as_a_folder_named_tilde(net, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)              # no folder named '~' here
    X = np.random.default_rng(0).normal(size=(8, 3))
    with pytest.raises(ValidationError, match=r"checkpoint_dir '~/ck' starts with '~', which Python does not "
                                              r"expand: it would create a folder named '~' in the current one"):
        net.fit(X, X[:, :2], epochs=1, verbose=0, checkpoint_dir="~/ck")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValidationError) as info:
        net.fit(X, X[:, :2], epochs=1, verbose=0, checkpoint_dir=Path("~/ck"))
    assert str(info.value) == doc_row("checkpoint_dir '~'")


def test_a_checkpoint_dir_under_an_existing_tilde_folder_is_taken(net, tmp_path, monkeypatch):
    """A folder really named '~' (made on purpose) is the user's choice: it is used."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~").mkdir()
    X = np.random.default_rng(0).normal(size=(8, 3))
    net.fit(X, X[:, :2], epochs=1, verbose=0, checkpoint_dir="~/ck")
    assert (tmp_path / "~" / "ck" / "checkpoint.npz").is_file()


def doc_row(title: str) -> str:
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = [line for line in doc.splitlines() if line.startswith(f"| {title} |")]
    assert len(rows) == 1, f"docs/errors.md has no single row {title!r}"
    return rows[0].split(" | ")[2]


def test_errors_doc_rows_of_save_and_load_flags_are_the_messages_raised(net, tmp_path):
    with pytest.raises(ChainruleTypeError) as info:
        cr.save(net, tmp_path / "m.npz", include_optimizer="no")
    assert str(info.value) == doc_row("save include_optimizer text")
    net.save(tmp_path / "m.npz")
    with pytest.raises(ChainruleTypeError) as info:
        cr.load(tmp_path / "m.npz", with_extra="no")
    assert str(info.value) == doc_row("load flag text")
    with pytest.raises(ValidationError) as info:
        cr.save(net, tmp_path / "m.npz", extra_arrays={"best weights": net.params.copy()})
    assert str(info.value) == doc_row("save extra_arrays name")
