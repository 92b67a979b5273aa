"""One classifier names a file given where a model goes, for `load` and `from_onnx` alike, by its content (never
unpickled): real files of PyTorch, joblib, h5py, pickle and `chainrule export`, each read by its own library."""
import pickle
import zipfile

import numpy as np
import pytest
from conftest import cmd, csv_model

import chainrule as cr
from chainrule.errors import ModelFileError

onnx = pytest.importorskip("onnx")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")          # imported once for the file (about 2 s)


def _net():
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=0)


def _load_says(path) -> str:
    with pytest.raises(ModelFileError) as info:
        cr.load(path)
    return str(info.value)


def _from_onnx_says(path) -> str:
    with pytest.raises(ModelFileError) as info:
        cr.from_onnx(path)
    return str(info.value)


def _rows() -> dict[str, str]:
    """docs/errors.md's "Model files" rows: case -> message."""
    from pathlib import Path
    doc = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()
    table = doc.split("## Model files", 1)[1].split("\n## ", 1)[0]
    return {c[0]: c[2] for c in ([x.strip() for x in line.strip().strip("|").split(" | ")]
                                 for line in table.splitlines()) if len(c) == 3}


def test_a_pytorch_file_of_many_tensors_is_named(tmp_path, torch):
    path = tmp_path / "big.pt"
    torch.save(torch.nn.Sequential(*[torch.nn.Linear(4, 4) for _ in range(150)]).state_dict(), path)
    assert len(zipfile.ZipFile(path).namelist()) > 64          # more members than a chainrule model has
    said = _load_says(path)
    assert "a PyTorch file (torch.save's zip of pickles)" in said and "chainrule.from_torch" in said, said
    assert "a PyTorch file" in _from_onnx_says(path)


def test_a_graph_of_chainrule_export_is_named_with_its_npz(tmp_path):
    model, _ = csv_model(tmp_path)
    done = cmd("export", model, tmp_path / "x.onnx")
    assert done.returncode == 0, done.stderr
    graph = onnx.load(tmp_path / "x.onnx")
    assert graph.producer_name == "chainrule" and "prediction" in [v.name for v in graph.graph.output]
    said = _load_says(tmp_path / "x.onnx")
    assert said.replace(str(tmp_path), "DIR") == _rows()["load a graph of chainrule export"]
    assert "already exported by `chainrule export`" in said and "the .npz model it came from" in said, said
    assert "from_onnx" not in said
    done = cmd("export", tmp_path / "x.onnx", tmp_path / "y.onnx")
    assert done.returncode != 0 and "already exported by `chainrule export`" in done.stderr, done.stderr


def test_from_onnx_and_load_name_each_file_alike(tmp_path):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "k.weights.h5", "w") as f:
        f["w"] = np.ones(3)
    joblib.dump({"a": np.arange(3)}, tmp_path / "s.joblib", compress=3)
    np.savez(tmp_path / "arrays.npz", a=np.ones(2), b=np.zeros(2))
    (tmp_path / "models").mkdir()
    _net().save(tmp_path / "models" / "m.npz")
    said = _from_onnx_says(tmp_path / "k.weights.h5")
    assert said.replace(str(tmp_path), "DIR") == _rows()["from_onnx of an HDF5 file"]
    for name, words in [("k.weights.h5", "an HDF5 file"), ("s.joblib", "a zlib-compressed pickle (joblib)"),
                        ("arrays.npz", "a NumPy archive of arrays (a, b; np.savez)")]:
        assert f"it is {words}" in _load_says(tmp_path / name) or name == "arrays.npz", name
        assert f"{name}' is not a valid ONNX model: it is {words}" in _from_onnx_says(tmp_path / name), name
    assert "is a folder, not a file" in _load_says(tmp_path / "models")
    said = _from_onnx_says(tmp_path / "models")
    assert "is a folder, not a file: give the path of the ONNX file (.onnx)" in said, said


def test_text_beginning_as_zlib_does_is_text(tmp_path):
    (tmp_path / "xy.npz").write_text("x y\n1 2\n")
    said = _load_says(tmp_path / "xy.npz")
    assert "it is text (a CSV file of data?)" in said and "compressed" not in said, said


def test_a_pickle_is_told_by_its_content_not_its_name(tmp_path):
    joblib.dump({"a": 1}, tmp_path / "s_z.bin", compress=("zlib", 3))
    said = _load_says(tmp_path / "s_z.bin")
    assert "zlib-compressed pickle (joblib)" in said and "torch" not in said, said
    for method, article in (("gzip", "a"), ("bz2", "a"), ("xz", "an"), ("lzma", "a")):
        joblib.dump({"a": 1}, tmp_path / f"s_{method}.joblib", compress=(method, 3))
        said = _load_says(tmp_path / f"s_{method}.joblib")
        assert f"it is {article} {method}-compressed pickle (joblib)" in said, said
    (tmp_path / "p0.pkl").write_bytes(pickle.dumps({"weights": [1.0, 2.0]}, protocol=0))
    said = _load_says(tmp_path / "p0.pkl")
    assert "it is a pickle (joblib.dump or pickle.dump)" in said and "chainrule never unpickles" in said, said
    (tmp_path / "p.bin").write_bytes(pickle.dumps({"a": 1}, protocol=4))
    said = _load_says(tmp_path / "p.bin")          # the name alone says torch: both readers
    assert "torch.load it yourself" in said and "joblib.load it yourself" in said, said


def test_export_beyond_the_limit_says_no_python_and_no_previous_file(tmp_path, monkeypatch):
    from chainrule.saving import onnx as exporter
    model, _ = csv_model(tmp_path)
    monkeypatch.setattr(exporter, "MAX_BYTES", 1000)
    done = cmd("export", model, tmp_path / "big.onnx")
    assert done.returncode != 0 and not (tmp_path / "big.onnx").exists()
    assert "net.save" not in done.stderr and "unchanged" not in done.stderr and "0.0000 GiB" not in done.stderr
    assert "1,000 bytes" in done.stderr and "'" + str(tmp_path / "big.onnx") + "' not written" in done.stderr
    (tmp_path / "big.onnx").write_bytes(b"")
    done = cmd("export", model, tmp_path / "big.onnx")
    assert "the file there is unchanged" in done.stderr, done.stderr


def test_a_model_file_cut_short_is_named(tmp_path):
    _net().save(tmp_path / "m.npz")
    whole = (tmp_path / "m.npz").read_bytes()
    (tmp_path / "trunc.npz").write_bytes(whole[:len(whole) // 2])          # as `head -c` of half the file
    said = _load_says(tmp_path / "trunc.npz")
    assert said.replace(str(tmp_path), "DIR") == _rows()["load a model file cut short"]
    assert "a chainrule model file cut short (a copy stopped early?)" in said, said
    assert "cut short" in _from_onnx_says(tmp_path / "trunc.npz")
