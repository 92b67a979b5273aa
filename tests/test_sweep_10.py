"""A model file's JSON description is standard JSON: a sweep whose best parameters hold infinity
(n_iter_no_change=np.inf) wrote Python's `Infinity`, which a strict parser (json.loads refusing the constant,
JavaScript's JSON.parse) refuses. Infinity and NaN are now {"__float__": "Infinity"} ("-Infinity", "NaN"),
which load reads back as the float."""
import json
import shutil
import subprocess
import warnings
import zipfile

import numpy as np
import pytest

pytest.importorskip("pandas")
import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402


def _refuse(constant):
    raise ValueError(f"not standard JSON: {constant}")


def _description(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return str(np.lib.format.read_array(zf.open("__format__.npy")))


def _strict(text: str):
    """The text as standard JSON reads it: Python's json refusing NaN and Infinity, and JavaScript's JSON.parse."""
    value = json.loads(text, parse_constant=_refuse)
    node = shutil.which("node")
    if node is not None:
        run = subprocess.run([node, "-e", "JSON.parse(require('fs').readFileSync(0, 'utf8'))"], input=text,
                             capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, run.stderr
    return value


def test_a_sweeps_infinite_best_parameter_is_written_as_standard_json(sweep_data, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = run_sweep(sweep_data / "iris.csv", "species", {"n_iter_no_change": [np.inf], "epochs": [2]},
                        out_dir=tmp_path, cv=2, batch_size=32)
    assert res.best_params["n_iter_no_change"] == np.inf
    strict = _strict(_description(tmp_path / "best_model.npz"))
    assert strict["extra"]["sweep"]["best_params"]["n_iter_no_change"] == {"__float__": "Infinity"}
    _, extra = cr.load(tmp_path / "best_model.npz", with_extra=True)
    assert extra["sweep"]["best_params"] == {"n_iter_no_change": np.inf, "epochs": 2}


def test_every_non_finite_number_of_a_model_files_description_reads_back(tmp_path):
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="bce")
    extra = {"a": np.inf, "b": [-np.inf, np.float64(np.nan), 1.5], "c": {"d": float("nan"), "e": "Infinity"},
             "f": np.float32(-np.inf)}
    cr.save(net, tmp_path / "m.npz", extra=extra)
    strict = _strict(_description(tmp_path / "m.npz"))
    assert strict["extra"]["a"] == {"__float__": "Infinity"} and strict["extra"]["c"]["e"] == "Infinity"
    _, back = cr.load(tmp_path / "m.npz", with_extra=True)
    assert back["a"] == np.inf and back["b"][0] == -np.inf and np.isnan(back["b"][1]) and back["b"][2] == 1.5
    assert np.isnan(back["c"]["d"]) and back["c"]["e"] == "Infinity" and back["f"] == -np.inf


@pytest.mark.parametrize("value", ["Infinity", "NaN", 1, "x", None])
def test_a_dict_of_the_reserved_float_key_is_refused(tmp_path, value):
    """The key is refused whatever its value; only "Infinity", "-Infinity" and "NaN" would load back as floats, so
    the refusal says the key is reserved, not that the dict would load as one."""
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="bce")
    with pytest.raises(ChainruleTypeError, match=r"extra\['x'\] is a dict of the one key '__float__', which is "
                                                 r"reserved: .* writes infinity and NaN as") as caught:
        cr.save(net, tmp_path / "m.npz", extra={"x": {"__float__": value}})
    assert "load back as a float" not in str(caught.value)
    assert not (tmp_path / "m.npz").exists()


def test_a_file_written_with_pythons_infinity_still_loads(tmp_path):
    """Files saved before this change hold the constant: load still reads them."""
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="bce")
    cr.save(net, tmp_path / "m.npz", extra={"a": 1.0})
    with np.load(tmp_path / "m.npz") as f:
        arrays = dict(f)
    arrays["__format__"] = np.array(str(arrays["__format__"]).replace('"a": 1.0', '"a": Infinity'))
    np.savez(tmp_path / "old.npz", **arrays)
    _, extra = cr.load(tmp_path / "old.npz", with_extra=True)
    assert extra == {"a": np.inf}


def test_docs_show_the_refusal_as_raised(tmp_path):
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    rows = {cells[0]: cells[2] for cells in ([c.strip() for c in line.strip().strip("|").split(" | ")]
                                             for line in doc.splitlines()) if len(cells) == 3}
    with pytest.raises(ChainruleTypeError) as caught:
        cr.save(cr.Network([cr.Dense(2, 1)], loss="mse"), tmp_path / "m.npz", extra={"x": {"__float__": 1}})
    assert str(caught.value) == rows["save a dict of the reserved key __float__"]


def test_a_checkpoints_history_of_non_finite_logs_is_standard_json_and_resumes(tmp_path):
    """BackupAndRestore's history.jsonl wrote a callback's inf or NaN log as Infinity or NaN: standard JSON now, and
    resuming reads them back."""

    class Ratio(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            logs["ratio"] = float("inf") if epoch == 0 else float("nan")

    X = np.random.RandomState(0).rand(8, 2)
    y = X.sum(axis=1, keepdims=True)
    cr.Network([cr.Dense(2, 1)], loss="mse", seed=0).fit(X, y, epochs=2, batch_size=4, verbose=0,
                                                         callbacks=[Ratio()], checkpoint_dir=tmp_path)
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert [_strict(line)["logs"]["ratio"] for line in lines] == [{"__float__": "Infinity"}, {"__float__": "NaN"}]
    h = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0).fit(X, y, epochs=3, batch_size=4, verbose=0,
                                                             callbacks=[Ratio()], checkpoint_dir=tmp_path)
    assert h.history["ratio"][0] == np.inf and np.isnan(h.history["ratio"][1:]).all()
